#!/usr/bin/env bash
# The API as the front-end team and partners meet it, with the ecosystem's stock tools, against
# `serve --demo` on a free port of 127.0.0.1: graphql-http's GraphQL-over-HTTP audit, GraphiQL in
# headless Chromium with no network beyond 127.0.0.1, graphql-codegen on schema.graphql with
# every documented operation, and graphql-schema-linter on schema.graphql. Installs Node.js and
# Chromium from Debian's packages if they are missing, and the npm packages pinned in
# scripts/clients. Called by ./scripts/test.sh; runs alone as well.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh

missing=()
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
if ((${#missing[@]})); then
  echo "== installing ${missing[*]}"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
fi
(cd scripts/clients && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

echo "== graphql-codegen on schema.graphql and the documented operations"
node scripts/clients/codegen-check.mjs .

# Descriptions on every type, field, argument and enum value, and Relay's connection shape, by the
# rules of .graphql-schema-linterrc; any error fails.
echo "== graphql-schema-linter on schema.graphql"
scripts/clients/node_modules/.bin/graphql-schema-linter -c . schema.graphql

cargo build -q --bin xinyong
WORK=$(mktemp -d)
port=$(free_port)
XINYONG_BIND="127.0.0.1:$port" XINYONG_DATABASE_URL="sqlite://$WORK/demo.db" XINYONG_LOG_FORMAT=json \
  "${CARGO_TARGET_DIR:-target}/debug/xinyong" serve --demo >"$WORK/stdout" 2>"$WORK/stderr" &
server=$!
trap 'rc=$?; kill -9 $server 2>/dev/null; wait $server 2>/dev/null || true; ((rc == 0)) || tail -n 20 "$WORK/stderr"; rm -rf "$WORK"; exit $rc' EXIT
for _ in $(seq 1 600); do
  grep -q '"banner":"serving"' "$WORK/stderr" 2>/dev/null && break
  kill -0 $server 2>/dev/null || { echo "serve --demo ended before serving" >&2; exit 1; }
  sleep 0.1
done
grep -q '"banner":"serving"' "$WORK/stderr" || { echo "serve --demo did not start within 60 s" >&2; exit 1; }

echo "== graphql-http audit"
node scripts/clients/http-audit.mjs "http://127.0.0.1:$port/graphql"
echo "== GraphiQL in headless Chromium"
node scripts/clients/browser-check.mjs "$WORK/stderr"
