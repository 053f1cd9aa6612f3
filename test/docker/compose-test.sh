#!/usr/bin/env bash
# Proof of the Docker packaging (Dockerfile.plugin, docker-compose.yml, docker/) in a real engine:
#
#  1. Docker: ../shared/tools/ensure-docker.sh and ensure-node-image.sh (a local node:24-bookworm-slim);
#     if Docker cannot start, says so and fails (never passes silently).
#  2. Builds the image of EVERY component (server + each plugins/<name>/main.ts) with the legacy
#     builder (what docker-compose v1 runs) and with BuildKit (what Compose v2 runs); checks size
#     against the base image (<= +40 MB), non-root user, health check, and that plugin images
#     carry no server code or pg.
#  3. Checks that a missing or unknown PLUGIN fails the build with the clear message.
#  4. Starts the whole stack (docker-compose.yml + docker/test/docker-compose.test.yml: test ports
#     on 127.0.0.1) against the fakes of test/fakes/ run on the host (test/docker/run-fakes.ts:
#     Slack 18090, PagerDuty 18091, Jira 18092, SMTP 18093 with STARTTLS on a test CA), waits
#     until every service is healthy (<= 60 s), checks no bridge network exists, creates an
#     access request as alice with the CLI on the host, sees the Slack plugin post it (the Jira
#     plugin open an issue, the email plugin's message accepted by the SMTP server over TLS),
#     approves it as admin, sees the Slack message updated and the approval emailed in the thread.
#  5. Plain `docker run` without --init: node as PID 1 stops cleanly on SIGTERM.
#  Always `docker-compose down -v` (trap). Prints the figures at the end.
#
# Usage: bash test/docker/compose-test.sh        (from anywhere; needs root for the ensure scripts)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
TOOLS="$(cd "$REPO/.." && pwd)/shared/tools"
cd "$REPO"

PROJECT=gatehouse-compose-test
API_ADDR=127.0.0.1:13025
FAKE_SLACK_PORT=18090
FAKE_JIRA_PORT=18092
FAKE_SMTP_PORT=18093
FAKE_SMTP_VIEW_PORT=18094
TEST_PORTS=(13025 13026 13027 18081 18082 18083 18084 "$FAKE_SLACK_PORT" 18091 "$FAKE_JIRA_PORT" "$FAKE_SMTP_PORT" "$FAKE_SMTP_VIEW_PORT")
SIZE_LIMIT_MB=40
HEALTHY_LIMIT_S=60
SIGTERM_CONTAINER=gatehouse-compose-test-sigterm

log() { printf '\033[1m[compose-test]\033[0m %s\n' "$*" >&2; }
now_ms() { date +%s%3N; }
secs() { awk -v ms="$1" 'BEGIN { printf "%.1f", ms / 1000 }'; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-compose-test.XXXXXX")"
FAKE_PID=""
STACK_UP=0
: > "$WORK/test.env" # isolates the test from a developer's .env
# The fake SMTP server's CA (written by run-fakes.ts), mounted into the email plugin's container.
export GATEHOUSE_TEST_SMTP_CA="$WORK/smtp-ca.pem"
COMPOSE=(docker-compose -p "$PROJECT" --env-file "$WORK/test.env" -f docker-compose.yml -f docker/test/docker-compose.test.yml)

cleanup() {
  local code=$?
  set +e
  if [ "$STACK_UP" = 1 ]; then
    if [ "$code" != 0 ]; then
      log "failed; service status and logs:"
      "${COMPOSE[@]}" ps >&2
      "${COMPOSE[@]}" logs --no-color --tail 60 >&2
    fi
    log "docker-compose down -v"
    "${COMPOSE[@]}" down -v --remove-orphans >/dev/null 2>&1 || log "WARNING: docker-compose down -v failed"
  fi
  docker rm -f "$SIGTERM_CONTAINER" >/dev/null 2>&1
  docker volume rm "$SIGTERM_CONTAINER" >/dev/null 2>&1
  if [ -n "$FAKE_PID" ]; then kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null; fi
  rm -rf "$WORK"
  if [ "$code" != 0 ]; then log "FAILED (exit $code)"; fi
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
  log "FAIL: $*"
  exit 1
}

# ---- 1. Docker and Node ---------------------------------------------------------------------------
if [ ! -f "$TOOLS/ensure-docker.sh" ] || [ ! -f "$TOOLS/ensure-node-image.sh" ]; then
  fail "Docker cannot be set up: $TOOLS/ensure-docker.sh / ensure-node-image.sh not found (../shared beside the repository)"
fi
log "starting Docker (ensure-docker.sh, ensure-node-image.sh)"
if ! bash "$TOOLS/ensure-docker.sh" >&2 || ! bash "$TOOLS/ensure-node-image.sh" >&2; then
  fail "Docker could not be started here (see the messages above and /tmp/dockerd.log); the Docker packaging is NOT proven"
fi
docker info >/dev/null 2>&1 || fail "Docker is not answering after ensure-docker.sh; the Docker packaging is NOT proven"
command -v docker-compose >/dev/null || fail "docker-compose is missing after ensure-docker.sh"

if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 24 ? 0 : 1)' 2>/dev/null; then
  export PATH="$HOME/.node24/node_modules/node/bin:$PATH"
fi
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 24 ? 0 : 1)' || fail "Node 24 is needed on the host for the CLI and the fake Slack"
[ -d node_modules/@grpc/grpc-js ] || fail "node_modules is missing: run npm ci (./dev setup) first"

BASE_IMAGE=node:24-bookworm-slim
BASE_BYTES="$(docker image inspect -f '{{.Size}}' "$BASE_IMAGE")"

# Every component: the server and every plugin folder with a main.ts (as Dockerfile.plugin decides).
COMPONENTS=(server)
for dir in plugins/*/; do
  name="$(basename "$dir")"
  if [ -f "$dir/main.ts" ]; then COMPONENTS+=("$name"); fi
done
log "components: ${COMPONENTS[*]}"

# ---- 2. a missing or unknown PLUGIN fails the build with the clear message -----------------------
expect_build_failure() { # builder-label message-pattern docker-args...
  local label="$1" pattern="$2"
  shift 2
  local out="$WORK/build-fail.log"
  if "$@" >"$out" 2>&1; then fail "$label: the build succeeded but should have failed"; fi
  grep -q -- "$pattern" "$out" || { cat "$out" >&2; fail "$label: the build failed without the message \"$pattern\""; }
  log "ok: $label fails the build: $(grep -v 'RUN ' "$out" | grep -- "$pattern" | sed -n '1{s/^#[0-9]* [0-9.]* //;p;}')"
}
BUILDERS=(legacy)
# Not `... | grep -q`: under pipefail, grep quitting early can SIGPIPE the writer and fail the test.
if [ -x /usr/bin/docker ] && [[ "$(DOCKER_BUILDKIT=1 /usr/bin/docker build --help 2>/dev/null)" == *--progress* ]]; then BUILDERS+=(buildkit); fi
for builder in "${BUILDERS[@]}"; do
  # --force-rm: the legacy builder otherwise keeps the failed step's container.
  if [ "$builder" = legacy ]; then b=(docker build --force-rm); else b=(env DOCKER_BUILDKIT=1 /usr/bin/docker build --progress=plain); fi
  expect_build_failure "$builder, no PLUGIN" "the build arg PLUGIN is missing" "${b[@]}" --network host -f Dockerfile.plugin .
  expect_build_failure "$builder, PLUGIN=nope" 'PLUGIN="nope" is not a Gatehouse component' "${b[@]}" --network host -f Dockerfile.plugin --build-arg PLUGIN=nope .
done
expect_build_failure "legacy, PLUGIN=common" 'PLUGIN="common" is not a Gatehouse component' docker build --force-rm --network host -f Dockerfile.plugin --build-arg PLUGIN=common .

# ---- 3. build every image -------------------------------------------------------------------------
declare -A BUILD_S BUILDKIT_S SIZE_MB
for c in "${COMPONENTS[@]}"; do
  log "building gatehouse-$c (legacy builder, as docker-compose v1)"
  t0="$(now_ms)"
  docker build --force-rm --network host -f Dockerfile.plugin --build-arg PLUGIN="$c" -t "gatehouse-$c:latest" . >"$WORK/build-$c.log" 2>&1 ||
    { tail -40 "$WORK/build-$c.log" >&2; fail "docker build PLUGIN=$c failed"; }
  BUILD_S[$c]="$(secs $(($(now_ms) - t0)))"
  grep -h '^bundle:' "$WORK/build-$c.log" | sed 's/^/    /' >&2 || true

  img="gatehouse-$c:latest"
  bytes="$(docker image inspect -f '{{.Size}}' "$img")"
  SIZE_MB[$c]="$(awk -v a="$bytes" -v b="$BASE_BYTES" 'BEGIN { printf "%.1f", (a - b) / 1e6 }')"
  awk -v d="${SIZE_MB[$c]}" -v l="$SIZE_LIMIT_MB" 'BEGIN { exit !(d <= l) }' || fail "$img is ${SIZE_MB[$c]} MB above $BASE_IMAGE (limit +$SIZE_LIMIT_MB MB)"
  [ "$(docker image inspect -f '{{.Config.User}}' "$img")" = "1000:1000" ] || fail "$img does not run as uid 1000"
  [ "$(docker run --rm --network host --entrypoint id "$img" -u)" = 1000 ] || fail "$img: id -u is not 1000"
  [ "$(docker image inspect -f '{{if .Config.Healthcheck}}yes{{end}}' "$img")" = yes ] || fail "$img has no HEALTHCHECK"
  [ "$(docker image inspect -f '{{index .Config.Labels "io.gatehouse.component"}}' "$img")" = "$c" ] || fail "$img lacks the io.gatehouse.component label"
  if [ "$c" != server ]; then
    # A plugin bundle must not pull in the server's store (node:sqlite, pg) nor any sources.
    docker run --rm --network host --entrypoint sh "$img" -c 'test ! -e /app/node_modules && test ! -e /app/core && ! grep -q -e "node:sqlite" -e "pg-native" /app/main.mjs' ||
      fail "$img carries sources, node_modules or the server's store, which a plugin never loads"
    docker run --rm --network host "$img" configure >/dev/null || fail "$img: '$c configure' failed"
  else
    docker run --rm --network host "$img" version >/dev/null || fail "$img: 'gatehouse version' failed"
  fi

  if [[ " ${BUILDERS[*]} " == *" buildkit "* ]]; then
    log "building gatehouse-$c with BuildKit (as Compose v2)"
    t0="$(now_ms)"
    DOCKER_BUILDKIT=1 /usr/bin/docker build --progress=plain --network host -f Dockerfile.plugin --build-arg PLUGIN="$c" -t "gatehouse-$c:buildkit-test" . >"$WORK/buildkit-$c.log" 2>&1 ||
      { tail -40 "$WORK/buildkit-$c.log" >&2; fail "BuildKit build PLUGIN=$c failed"; }
    BUILDKIT_S[$c]="$(secs $(($(now_ms) - t0)))"
    docker rmi "gatehouse-$c:buildkit-test" >/dev/null
  fi
done

# Every plugin must be in the stack, with its config folder.
SERVICES="$("${COMPOSE[@]}" config --services)"
for c in "${COMPONENTS[@]}"; do
  grep -qx "$c" <<<"$SERVICES" || fail "docker-compose.yml has no service \"$c\" (every plugin with a main.ts belongs in the stack)"
  if [ "$c" != server ]; then [ -f "docker/$c/plugin.toml" ] || fail "docker/$c/plugin.toml is missing"; fi
done

# ---- 4. the stack -----------------------------------------------------------------------------------
"${COMPOSE[@]}" down -v --remove-orphans >/dev/null 2>&1 || true # a run killed before its trap
for port in "${TEST_PORTS[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then fail "127.0.0.1:$port is already in use; the test stack needs it"; fi
done

log "starting the fakes (Slack, PagerDuty, Jira, SMTP) on the host"
node test/docker/run-fakes.ts --record "$WORK/fakes.json" --smtp-port "$FAKE_SMTP_PORT" --smtp-view-port "$FAKE_SMTP_VIEW_PORT" --smtp-ca "$GATEHOUSE_TEST_SMTP_CA" >"$WORK/fakes.log" 2>&1 &
FAKE_PID=$!
for _ in $(seq 100); do
  grep -q '^fakes: ready' "$WORK/fakes.log" && break
  kill -0 "$FAKE_PID" 2>/dev/null || { cat "$WORK/fakes.log" >&2; fail "the fakes did not start"; }
  sleep 0.1
done
grep -q '^fakes: ready' "$WORK/fakes.log" || fail "the fakes did not get ready"

log "docker-compose build (services: $(tr '\n' ' ' <<<"$SERVICES"); the images were just built, so from cache)"
STACK_UP=1
t_build="$(now_ms)"
"${COMPOSE[@]}" build >"$WORK/compose-build.log" 2>&1 || { tail -40 "$WORK/compose-build.log" >&2; fail "docker-compose build failed"; }
COMPOSE_BUILD_S="$(secs $(($(now_ms) - t_build)))"
log "docker-compose up -d"
t_up="$(now_ms)"
"${COMPOSE[@]}" up -d >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log" >&2; fail "docker-compose up failed"; }
UP_CMD_S="$(secs $(($(now_ms) - t_up)))"

health_of() { # service -> healthy|starting|unhealthy|none|<state>
  local id
  id="$("${COMPOSE[@]}" ps -q "$1" 2>/dev/null)"
  [ -n "$id" ] || { echo none; return; }
  docker inspect -f '{{if eq .State.Status "running"}}{{if .State.Health}}{{.State.Health.Status}}{{else}}no-healthcheck{{end}}{{else}}{{.State.Status}}{{end}}' "$id"
}
while :; do
  states=""
  all=1
  for s in $SERVICES; do
    h="$(health_of "$s")"
    states+="$s=$h "
    [ "$h" = healthy ] || all=0
  done
  [ "$all" = 1 ] && break
  [ $(($(now_ms) - t_up)) -lt $((HEALTHY_LIMIT_S * 1000)) ] || fail "not every service healthy within ${HEALTHY_LIMIT_S} s: $states"
  sleep 0.5
done
HEALTHY_S="$(secs $(($(now_ms) - t_up)))"
log "all healthy ${HEALTHY_S} s after up: $states"

[ -z "$(docker network ls -q --filter driver=bridge)" ] || { docker network ls >&2; fail "a bridge network exists; every service must use network_mode: host"; }
log "ok: no bridge network"

"${COMPOSE[@]}" exec -T server cat /var/lib/gatehouse/data/admin-identity.pem >"$WORK/admin.pem"
"${COMPOSE[@]}" exec -T server cat /var/lib/gatehouse/identities/alice.pem >"$WORK/alice.pem"
chmod 600 "$WORK/admin.pem" "$WORK/alice.pem"
gatehouse() { node core/cli/main.ts "$@" --addr "$API_ADDR"; }
gatehouse status --identity "$WORK/admin.pem" >&2

REASON="compose-test $(date +%s)-$$"
REQUEST_ID="$(gatehouse request create --roles prodaccess --reason "$REASON" --identity "$WORK/alice.pem" --format json |
  node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => process.stdout.write(JSON.parse(s).id))')"
[ -n "$REQUEST_ID" ] || fail "gatehouse request create printed no id"
log "alice created access request $REQUEST_ID"

# Waits until GET http://127.0.0.1:<port>/_test/<what> lists an entry whose JSON contains every
# given string; prints a one-line summary of it.
wait_for_fake() { # port what timeout-seconds strings...
  node -e '
    const [port, what, timeout, ...needles] = process.argv.slice(1);
    const url = `http://127.0.0.1:${port}/_test/${what}`;
    const deadline = Date.now() + Number(timeout) * 1000;
    const poll = async () => {
      const list = await (await fetch(url)).json();
      const hit = list.find((m) => needles.every((n) => JSON.stringify(m).includes(n)));
      if (hit) return console.log(hit.key !== undefined ? `${hit.key}: ${hit.summary}` : hit.messageId !== undefined ? `${hit.to} ${hit.messageId}: ${hit.subject}` : hit.text !== undefined ? `${hit.channel} ${hit.ts}: ${hit.text}` : JSON.stringify(hit).slice(0, 300));
      if (Date.now() > deadline) {
        console.error(`no ${what} containing ${needles.join(", ")} within ${timeout} s at ${url}; have: ${JSON.stringify(list).slice(0, 2000)}`);
        process.exit(1);
      }
      setTimeout(poll, 200);
    };
    poll().catch((err) => { console.error(err); process.exit(1); });
  ' "$@"
}
t_post="$(now_ms)"
POSTED="$(wait_for_fake "$FAKE_SLACK_PORT" messages 30 "$REQUEST_ID" "$REASON")" || fail "the Slack plugin did not post the request"
POST_S="$(secs $(($(now_ms) - t_post)))"
log "ok: Slack plugin posted the request in ${POST_S} s: $POSTED"
if grep -qx jira <<<"$SERVICES"; then
  ISSUE="$(wait_for_fake "$FAKE_JIRA_PORT" issues 30 "$REQUEST_ID")" || fail "the Jira plugin did not open an issue for the request"
  log "ok: Jira plugin opened an issue: $ISSUE"
fi
EMAIL_S=-
if grep -qx email <<<"$SERVICES"; then
  EMAILED="$(wait_for_fake "$FAKE_SMTP_VIEW_PORT" emails 30 "$REQUEST_ID" "$REASON" '"secure":true' '"to":["reviewers@example.com"]')" || fail "the email plugin did not email the request (over TLS) to reviewers@example.com"
  EMAIL_S="$(secs $(($(now_ms) - t_post)))"
  log "ok: email plugin's message accepted by the SMTP server over TLS: $EMAILED"
fi

gatehouse request review "$REQUEST_ID" --approve --reason "compose-test approval" --identity "$WORK/admin.pem" >&2
UPDATED="$(wait_for_fake "$FAKE_SLACK_PORT" updates 30 "$REQUEST_ID" APPROVED)" || fail "the Slack plugin did not update the message after approval"
log "ok: Slack message updated: $UPDATED"
if grep -qx email <<<"$SERVICES"; then
  # The approval is a reply in the request's thread: it refers to the first message.
  REPLIED="$(wait_for_fake "$FAKE_SMTP_VIEW_PORT" emails 30 "$REQUEST_ID" "APPROVED" '"inReplyTo":"<gatehouse.')" || fail "the email plugin did not email the approval as a reply in the thread"
  log "ok: approval emailed in the thread: $REPLIED"
fi

# The server's metrics listener (metrics_listen in docker/test/server.yaml) counted those calls.
node -e '
  fetch("http://127.0.0.1:13027/metrics").then((r) => r.text()).then((text) => {
    for (const needle of [`method="CreateAccessRequest",code="OK"`, `method="SubmitAccessReview",code="OK"`, "gatehouse_watchers "]) {
      if (!text.includes(needle)) { console.error(`server /metrics lacks ${needle}`); process.exit(1); }
    }
  }, (err) => { console.error(`server /metrics: ${err.message}`); process.exit(1); });
' || fail "the server's /metrics did not report the calls just made"
log "ok: server /metrics counts the create and the review"

t_down="$(now_ms)"
"${COMPOSE[@]}" down -v --remove-orphans >"$WORK/down.log" 2>&1 || { cat "$WORK/down.log" >&2; fail "docker-compose down -v failed"; }
DOWN_S="$(secs $(($(now_ms) - t_down)))"
STACK_UP=0
[ -z "$("${COMPOSE[@]}" ps -q 2>/dev/null)" ] || fail "containers left after down"

# ---- 5. plain docker run, no --init: node is PID 1 and must still stop on SIGTERM -----------------
docker run -d --name "$SIGTERM_CONTAINER" --network host -v "$SIGTERM_CONTAINER:/var/lib/gatehouse/data" gatehouse-server:latest \
  server start --data-dir /var/lib/gatehouse/data --listen 127.0.0.1:13035 --enroll-listen 127.0.0.1:13036 >/dev/null
# The whole log is read before matching: `docker logs | grep -q` fails under pipefail whenever grep
# exits before docker has written the rest (SIGPIPE), which is how this step once failed in CI.
container_log_has() { [[ "$(docker logs "$1" 2>&1)" == *"$2"* ]]; }
for _ in $(seq 100); do
  container_log_has "$SIGTERM_CONTAINER" 'gatehouse server listening' && break
  sleep 0.2
done
container_log_has "$SIGTERM_CONTAINER" 'gatehouse server listening' || { docker logs "$SIGTERM_CONTAINER" >&2; fail "the server did not start under plain docker run"; }
t_stop="$(now_ms)"
docker stop -t 20 "$SIGTERM_CONTAINER" >/dev/null
STOP_S="$(secs $(($(now_ms) - t_stop)))"
exit_code="$(docker inspect -f '{{.State.ExitCode}}' "$SIGTERM_CONTAINER")"
[ "$exit_code" = 0 ] || fail "plain docker run: the server exited $exit_code on SIGTERM (expected 0)"
awk -v s="$STOP_S" 'BEGIN { exit !(s < 5) }' || fail "plain docker run: docker stop took ${STOP_S} s (SIGTERM ignored by PID 1?)"
log "ok: plain docker run (node as PID 1) stops on SIGTERM in ${STOP_S} s, exit 0"

# ---- figures ---------------------------------------------------------------------------------------
{
  echo
  echo "Docker packaging figures (base $BASE_IMAGE: $(awk -v b="$BASE_BYTES" 'BEGIN { printf "%.1f", b / 1e6 }') MB)"
  printf '  %-10s %12s %16s %18s\n' PLUGIN "size vs base" "build (legacy)" "build (BuildKit)"
  for c in "${COMPONENTS[@]}"; do
    printf '  %-10s %9s MB %14s s %16s\n' "$c" "+${SIZE_MB[$c]}" "${BUILD_S[$c]}" "${BUILDKIT_S[$c]:--}${BUILDKIT_S[$c]:+ s}"
  done
  echo "  target: <= +$SIZE_LIMIT_MB MB per image"
  echo "  docker-compose build (cached): $COMPOSE_BUILD_S s; up -d returned after $UP_CMD_S s; up -> all healthy: $HEALTHY_S s (target <= $HEALTHY_LIMIT_S s)"
  echo "  request created -> posted to Slack: $POST_S s, -> emailed: $EMAIL_S s; docker-compose down -v: $DOWN_S s; plain docker stop: $STOP_S s"
  echo "compose-test: PASS"
} >&2
