#!/usr/bin/env bash
# Fuzzes the GraphQL API with schemathesis (its GraphQL mode, installed from PyPI into a virtual
# environment under target/) against `serve --demo` on PostgreSQL and Redis started in a throwaway
# folder: once as a department holding every scope, once anonymously. Passes when no answer is a
# server error and the server logged no internal error. Not part of ./scripts/test.sh: it takes
# minutes. Usage: ./scripts/fuzz.sh [EXAMPLES_PER_OPERATION]   (default 70: over 10,000 requests)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
EXAMPLES=${1:-70}
VENV=target/fuzz-venv
[[ -x $VENV/bin/schemathesis ]] || {
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "schemathesis==4.32.5"
}
cargo build -q --bin xinyong
XY=target/debug/xinyong
start_services
WORK=$(mktemp -d)
port=$(free_port)
export XINYONG_DATABASE_URL="$PG_URL" XINYONG_REDIS_URL="$REDIS_URL"
export XINYONG_RATE_LIMIT_BURST=1000000 XINYONG_RATE_LIMIT_PER_SECOND=1000000
XINYONG_BIND="127.0.0.1:$port" $XY serve --demo >"$WORK/stdout" 2>"$WORK/server.log" &
server=$!
trap 'rc=$?; kill -9 $server 2>/dev/null; wait $server 2>/dev/null; (exit $rc); stop_services' EXIT
for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break
  sleep 0.2
done
# The credit office with every scope but a bank's.
SCOPES="subjects:write records:write lists:write dispatch:handle objections:handle memoranda:admin stats:read changes:read persons:read"
# shellcheck disable=SC2086
TOKEN=$($XY token --department 210900.ndrc --scope $SCOPES --ttl 12h)
# schemathesis counts every GraphQL error with a path as a failure (ST113), refusals of bad input
# included; what this run must show is no 5xx and no INTERNAL, which fuzz_summary.py counts.
run() {
  local name=$1
  shift
  echo "== schemathesis, $name"
  "$VENV/bin/schemathesis" run "http://127.0.0.1:$port/graphql" --checks not_a_server_error \
    --max-examples "$EXAMPLES" --continue-on-failure --phases examples,fuzzing --workers 2 --seed 16 \
    --report ndjson --report-ndjson-path "$WORK/$name.ndjson" "$@" | grep -E "generated|Tested" || true
}
run department -H "Authorization: Bearer $TOKEN"
run anonymous
status=0
python3 scripts/fuzz_summary.py "$WORK"/*.ndjson || status=1
errors=$(grep -c 'ERROR' "$WORK/server.log" || true)
echo "server log lines at ERROR: $errors"
if ((errors > 0)); then
  grep 'ERROR' "$WORK/server.log" | head -n 20
  status=1
fi
[[ -n ${KEEP:-} ]] && echo "kept $WORK" || rm -rf "$WORK"
exit "$status"
