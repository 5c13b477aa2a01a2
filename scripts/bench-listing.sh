#!/usr/bin/env bash
# The listing benchmark on SQLite and on a throwaway PostgreSQL (release build); prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
# A production-like buffer cache: the batch writes a million dispatches with their indexes.
PG_EXTRA_OPTS="-c shared_buffers=1GB -c wal_buffers=64MB -c max_wal_size=4GB"
start_services
XINYONG_BENCH_DATABASE_URL="$PG_URL" cargo bench --locked --bench listing
