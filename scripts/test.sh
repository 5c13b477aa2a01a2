#!/usr/bin/env bash
# Every check CI runs: formatting, clippy with warnings denied, and every test twice — against SQLite
# with the in-process cache, then against PostgreSQL and Redis, which this script installs from
# Debian's packages if they are missing and starts on 127.0.0.1 in a throwaway folder; and the
# client checks (scripts/client-checks.sh: the GraphQL-over-HTTP audit, GraphiQL in Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh

install_services

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy (warnings denied)"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== tests: SQLite, in-process cache"
cargo test --workspace --locked

./scripts/client-checks.sh

start_services
echo "== tests: PostgreSQL at ${PG_URL#*@}, Redis at ${REDIS_URL#redis://}"
XINYONG_TEST_DATABASE_URL="$PG_URL" XINYONG_TEST_REDIS_URL="$REDIS_URL" cargo test --workspace --locked

echo "== all checks passed"
