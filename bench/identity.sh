#!/usr/bin/env bash
# What whole identity numbers cost a page (issue 16): 2,000 persons imported into one district of a
# throwaway PostgreSQL, half of them listed by the court, then wrk for BENCH_DURATION (10 s) per case
# on a page of 100 persons with `code`: a department with nothing on them (masked; its ties are read
# in one batch), the court (half whole, logged), the human-resources bureau with `persons:read` (all
# whole, 100 query-log rows per page). The reference, measured in the same run: the same department
# on a page of 100 organisations, which has no identity number to decide on.
#
#   ./bench/identity.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
DURATION=${BENCH_DURATION:-10s}
command -v wrk >/dev/null || { apt-get update -q >/dev/null; DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null; }
start_services
WORK=$(mktemp -d)
echo "== building (release)" >&2
cargo build --release --locked --bin xinyong >&2
X=target/release/xinyong
export XINYONG_DATABASE_URL="$PG_URL" XINYONG_REDIS_URL="$REDIS_URL"
export XINYONG_JWT_SECRET="bench-secret-0123456789-0123456789-0123456789"
export XINYONG_REPORT_SIGNING_KEY="YmVuY2gtcmVwb3J0LWtleS0wMTIzNDU2Nzg5YWJjZGU"
export XINYONG_RATE_LIMIT_BURST=1000000 XINYONG_RATE_LIMIT_PER_SECOND=1000000
$X seed --synthetic 2000 >&2
python3 - "$WORK" <<'PY'
import csv, random, sys
random.seed(16)
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
def citizen(n):
    body = "210902" + f"{1950 + n % 50}{1 + n % 12:02d}{1 + n % 28:02d}" + f"{n % 1000:03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, W)) % 11]
codes = sorted({citizen(n) for n in range(2000)})
with open(sys.argv[1] + "/persons.csv", "w", newline="") as f:
    w = csv.writer(f); w.writerow(["code", "kind", "name", "jurisdiction"])
    for i, c in enumerate(codes): w.writerow([c, "NATURAL_PERSON", f"测试{i}", "210902"])
with open(sys.argv[1] + "/entries.csv", "w", newline="") as f:
    w = csv.writer(f); w.writerow(["subject", "listType", "reason", "basisDocument", "sourceKey"])
    for i, c in enumerate(codes[::2]): w.writerow([c, "court-dishonest-debtor", "有履行能力而拒不履行", f"（2026）辽0902执{i}号", f"bench-{c}"])
PY
$X import --kind subjects --department 210900.market "$WORK/persons.csv" >&2
$X import --kind entries --department 210902.court "$WORK/entries.csv" >&2
port=$(free_port)
XINYONG_BIND="127.0.0.1:$port" $X serve >"$WORK/server.log" 2>&1 &
server=$!
trap 'kill -9 $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$WORK"; stop_services' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
court_dept=$(psql "$PG_URL" -Atc "SELECT created_by FROM list_entries LIMIT 1")
TAX=$($X token --department 210900.tax --scope records:write --ttl 1h)
COURT=$($X token --department "$court_dept" --scope lists:write --ttl 1h)
HRSS=$($X token --department 210900.hrss --scope persons:read --ttl 1h)
PAGE='{"query":"{ subjects(kind: %s, jurisdiction: \"210902\", first: 100) { edges { node { code name } } } }"}'
load() {
  local name=$1 kind=$2 token=$3 out
  out=$(BENCH_BODY="${PAGE/\%s/$kind}" BENCH_LINES="" BENCH_TOKEN="$token" \
    wrk -t1 -c2 -d"$DURATION" --latency -s bench/request.lua "http://127.0.0.1:$port/graphql" | grep '^BENCH')
  echo "| $name | $out |"
}
echo "Run on $(date -u +%Y-%m-%d), $(nproc) cores, wrk -t1 -c2 -d$DURATION, pages of 100"
# Each case must answer without errors: a failed request costs nothing and would flatter it.
body=${PAGE/\%s/NATURAL_PERSON}
curl -sf "http://127.0.0.1:$port/graphql" -H 'content-type: application/json' -H "authorization: Bearer $HRSS" -d "$body" | grep -q '"errors"' && { echo "the page answers with errors" >&2; exit 1; }
load "warm-up" LEGAL_PERSON "$TAX" >/dev/null
load "reference: organisations, tax bureau" LEGAL_PERSON "$TAX"
load "persons, tax bureau (masked, ties read)" NATURAL_PERSON "$TAX"
load "persons, court (half whole and logged)" NATURAL_PERSON "$COURT"
load "persons, persons:read (all whole, 100 log rows)" NATURAL_PERSON "$HRSS"
psql "$PG_URL" -Atc "SELECT 'query-log rows written: ' || count(*) FROM lookups WHERE via = 'list'"
