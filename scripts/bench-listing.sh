#!/usr/bin/env bash
# The listing benchmark on SQLite and on a throwaway PostgreSQL (release build); prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
start_services
XINYONG_BENCH_DATABASE_URL="$PG_URL" cargo bench --locked --bench listing
