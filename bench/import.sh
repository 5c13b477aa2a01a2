#!/usr/bin/env bash
# The bulk import benchmark (issue 6): BENCH_ROWS (100,000) rows through `xinyong import` into a
# throwaway PostgreSQL running with fsync on (writes are what is measured):
#   1. subjects, from a CSV of synthetic subjects, into a database with only the reference data;
#   2. penalty records in the double-publicity 2019 columns, one per row, for those subjects;
#   3. the same records file again (every row unchanged: nothing written);
#   4. list entries with source keys on a black list whose memoranda dispatch measures.
# Prints wall time and peak memory of each; about 3 minutes with the release build done.
#
#   ./bench/import.sh
#   BENCH_ROWS=10000 ./bench/import.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh

ROWS=${BENCH_ROWS:-100000}
PG_EXTRA_OPTS="-c fsync=on -c shared_buffers=512MB -c max_wal_size=4GB"
start_services
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"; stop_services' EXIT

echo "== building (release)" >&2
cargo build --release --locked --bin xinyong >&2
X=target/release/xinyong
export XINYONG_JWT_SECRET="bench-secret-0123456789-0123456789-0123456789"
SOURCE_DB="$PG_URL"
TARGET_DB="${PG_URL%/postgres}/target"
psql "$PG_URL" -qc "CREATE DATABASE target"

echo "== making the files ($ROWS rows each)" >&2
XINYONG_DATABASE_URL="$SOURCE_DB" $X seed --synthetic "$ROWS" >&2
psql "$SOURCE_DB" -qc "\copy (SELECT code, kind, name, jurisdiction_code AS jurisdiction,
    representative_name AS \"representativeName\", representative_id_number AS \"representativeIdNumber\"
  FROM subjects ORDER BY code LIMIT $ROWS) TO '$WORK/subjects.csv' CSV HEADER"
# Records and entries for the organisations among them, round robin when there are fewer.
psql "$SOURCE_DB" -qc "\copy (WITH s AS (SELECT row_number() OVER (ORDER BY code) AS n, code, name
    FROM subjects WHERE kind IN ('legal_person', 'individual_business')),
  k AS (SELECT count(*) AS c FROM s)
  SELECT s.name AS \"CF_XDR_MC\", s.code AS \"CF_XDR_SHXYM\",
    '阜市监罚〔2026〕B' || g || '号' AS \"CF_WSH\", '虚假宣传' AS \"CF_WFXW\",
    '夸大产品功效' AS \"CF_SY\", '《中华人民共和国广告法》第五十五条' AS \"CF_YJ\", '罚款' AS \"CF_CFLB\",
    '罚款' || (g % 50 + 1) || '万元' AS \"CF_NR\", '2026/03/02' AS \"CF_JDRQ\",
    '2027/03/01' AS \"CF_GSJZQ\", '阜新市市场监督管理局' AS \"CF_CFJG\", '一般' AS \"dishonestyClass\"
  FROM generate_series(1, $ROWS) g, k JOIN s ON true WHERE s.n = 1 + (g % k.c)) TO '$WORK/records.csv' CSV HEADER"
psql "$SOURCE_DB" -qc "\copy (WITH s AS (SELECT row_number() OVER (ORDER BY code) AS n, code FROM subjects)
  SELECT s.code AS subject, 'market-serious-illegal' AS \"listType\", '虚假宣传，情节严重' AS reason,
    '阜市监罚〔2026〕B' || s.n || '号' AS \"basisDocument\", 'bench-' || s.n AS \"sourceKey\"
  FROM s WHERE s.n <= $ROWS) TO '$WORK/entries.csv' CSV HEADER"
wc -l "$WORK"/*.csv >&2

XINYONG_DATABASE_URL="$TARGET_DB" $X seed >&2
run() {
  local label=$1
  shift
  /usr/bin/time -f "%e %M" -o "$WORK/time" env XINYONG_DATABASE_URL="$TARGET_DB" "$X" import "$@" >"$WORK/out" || {
    cat "$WORK/out" >&2
    exit 1
  }
  read -r secs kb <"$WORK/time"
  printf '| %s | %s | %s s | %s MB |\n' "$label" "$(head -1 "$WORK/out")" "$secs" "$((kb / 1024))"
}
echo "| import | report | wall | peak RSS |"
echo "|---|---|---|---|"
run "subjects (CSV)" --kind subjects --department 210900.market "$WORK/subjects.csv"
run "penalties, 2019 columns (CSV)" --kind records --department 210900.market "$WORK/records.csv"
run "the same penalties again" --kind records --department 210900.market "$WORK/records.csv"
run "black-list entries (CSV)" --kind entries --department 210900.market "$WORK/entries.csv"
psql "$TARGET_DB" -qAtc "SELECT 'stored: ' || (SELECT count(*) FROM subjects) || ' subjects, '
  || (SELECT count(*) FROM credit_records) || ' records, ' || (SELECT count(*) FROM list_entries)
  || ' entries, ' || (SELECT count(*) FROM dispatches) || ' dispatches, '
  || (SELECT count(*) FROM changes) || ' changes in the feed'"
