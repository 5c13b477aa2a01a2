#!/usr/bin/env bash
# The progress report benchmark (issue 7): BENCH_SUBJECTS (100,000) synthetic subjects with their
# records and listings (and so their dispatches) in a throwaway PostgreSQL, then BENCH_ENTRIES
# (100,000) more black-list entries through `xinyong import` (about three million dispatches, as in
# the import benchmark), then `xinyong report progress` for the year as CSV and as XLSX. Prints the
# volumes and the wall time and peak memory of each report.
#
#   ./bench/progress.sh
#   BENCH_SUBJECTS=10000 BENCH_ENTRIES=0 ./bench/progress.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh

SUBJECTS=${BENCH_SUBJECTS:-100000}
ENTRIES=${BENCH_ENTRIES:-100000}
PG_EXTRA_OPTS="-c shared_buffers=512MB -c max_wal_size=4GB"
start_services
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"; stop_services' EXIT

echo "== building (release)" >&2
cargo build --release --locked --bin xinyong >&2
X=target/release/xinyong
export XINYONG_DATABASE_URL="$PG_URL"

echo "== $SUBJECTS synthetic subjects" >&2
$X seed --synthetic "$SUBJECTS" >&2
if [ "$ENTRIES" -gt 0 ]; then
  echo "== $ENTRIES more black-list entries" >&2
  psql "$PG_URL" -qc "\copy (SELECT code AS subject, 'market-serious-illegal' AS \"listType\",
      '虚假宣传，情节严重' AS reason, '阜市监罚〔2026〕B' || row_number() OVER (ORDER BY code) || '号'
        AS \"basisDocument\", 'bench-' || code AS \"sourceKey\"
    FROM subjects s WHERE NOT EXISTS (SELECT 1 FROM list_entries e JOIN list_types t
      ON t.id = e.list_type_id WHERE e.subject_id = s.id AND t.code = 'market-serious-illegal')
    ORDER BY code LIMIT $ENTRIES) TO '$WORK/entries.csv' CSV HEADER"
  $X import --kind entries --department 210900.market "$WORK/entries.csv" >&2
fi
psql "$PG_URL" -Atc "SELECT 'entries ' || (SELECT count(*) FROM list_entries) ||
  ', dispatches ' || (SELECT count(*) FROM dispatches) ||
  ', records ' || (SELECT count(*) FROM credit_records)"

TO=$(TZ=Asia/Shanghai date +%F)
FROM=$(TZ=Asia/Shanghai date -d "$TO -1 year +1 day" +%F)
for format in csv xlsx; do
  /usr/bin/time -f "%e %M" -o "$WORK/time" \
    $X report progress --from "$FROM" --to "$TO" --format "$format" --out "$WORK/report.$format" 2>/dev/null
  read -r secs kb <"$WORK/time"
  printf '| report progress %s – %s, %s | %s s | %s MB | %s bytes |\n' \
    "$FROM" "$TO" "$format" "$secs" "$((kb / 1024))" "$(stat -c %s "$WORK/report.$format")"
done
