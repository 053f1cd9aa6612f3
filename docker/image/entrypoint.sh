#!/bin/sh
# Entry point of every Gatehouse image (Dockerfile.plugin). GATEHOUSE_COMPONENT is baked in at build
# time; /app/main.mjs is that component bundled (docker/image/bundle.ts): the gatehouse CLI for
# "server" (default: the server), the plugin otherwise (default: start with
# /var/lib/gatehouse/plugin.toml). Arguments replace the default command:
#   docker run --rm gatehouse:slack check -c /var/lib/gatehouse/plugin.toml
#   docker run --rm gatehouse:server request ls --addr ... --identity ...
# exec: node replaces this shell, so it gets SIGTERM directly (it handles it: drains and exits).
# Under `docker run --init` / compose `init: true`, tini is PID 1 and forwards the signal.
set -eu
case "${GATEHOUSE_COMPONENT:?GATEHOUSE_COMPONENT is not set; was the image built from Dockerfile.plugin?}" in
  server)
    [ "$#" -gt 0 ] || set -- server start --config "${GATEHOUSE_CONFIG:-/var/lib/gatehouse/server.yaml}"
    exec node /app/main.mjs "$@"
    ;;
  *)
    [ "$#" -gt 0 ] || set -- start -c "${GATEHOUSE_CONFIG:-/var/lib/gatehouse/plugin.toml}"
    # The same flags as PLUGIN_NODE_FLAGS in docker/image/bundle.ts (a test keeps them equal).
    exec node --max-semi-space-size=1 --max-opt=1 /app/main.mjs "$@"
    ;;
esac
