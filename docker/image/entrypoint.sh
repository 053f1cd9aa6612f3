#!/bin/sh
# Entry point of every Gatehouse image (Dockerfile.plugin). GATEHOUSE_COMPONENT is baked in at build
# time: "server" runs the gatehouse CLI (default: the server), anything else runs that plugin
# (default: start with /var/lib/gatehouse/plugin.toml). Arguments replace the default command:
#   docker run --rm gatehouse:slack check -c /var/lib/gatehouse/plugin.toml
#   docker run --rm gatehouse:server request ls --addr ... --identity ...
# exec: node replaces this shell, so it gets SIGTERM directly (it handles it: drains and exits).
# Under `docker run --init` / compose `init: true`, tini is PID 1 and forwards the signal.
set -eu
case "${GATEHOUSE_COMPONENT:?GATEHOUSE_COMPONENT is not set; was the image built from Dockerfile.plugin?}" in
  server)
    main=/app/core/cli/main.ts
    [ "$#" -gt 0 ] || set -- server start --config "${GATEHOUSE_CONFIG:-/var/lib/gatehouse/server.yaml}"
    ;;
  *)
    main="/app/plugins/$GATEHOUSE_COMPONENT/main.ts"
    [ "$#" -gt 0 ] || set -- start -c "${GATEHOUSE_CONFIG:-/var/lib/gatehouse/plugin.toml}"
    ;;
esac
exec node "$main" "$@"
