#!/usr/bin/env bash
# The public look-up benchmark (issue 5): seeds BENCH_SUBJECTS (1,000,000) synthetic subjects into a
# throwaway PostgreSQL, starts the release server with Redis, and loads it with wrk from this machine
# (one thread, BENCH_DURATION each): subject(code:) cached and uncached with 32 connections, and —
# with 4 connections, which already keep the server busy, so that latency is not just queueing —
# subjects(search:) and screen of 1,000 codes; in the same run, a bare async-graphql query and
# PostGraphile 4 over the same data answering the same look-up by code. Prints a Markdown table and
# the server's peak RSS.
#
#   ./bench/run.sh                       # the full run, about 6 minutes
#   BENCH_SUBJECTS=100000 ./bench/run.sh # a quicker one
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh

SUBJECTS=${BENCH_SUBJECTS:-1000000}
DURATION=${BENCH_DURATION:-10s}
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
  stop_services
}

install_services
command -v wrk >/dev/null || { apt-get update -q >/dev/null; DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null; }
PG_EXTRA_OPTS="-c shared_buffers=512MB -c max_wal_size=4GB"
start_services
trap cleanup EXIT

echo "== building (release)" >&2
# One invocation, so that both share one build of the dependencies.
cargo build --release --locked --workspace --bins --examples >&2
(cd bench/postgraphile && npm ci --no-audit --no-fund --silent >&2)

export XINYONG_DATABASE_URL="$PG_URL" XINYONG_REDIS_URL="$REDIS_URL"
export XINYONG_JWT_SECRET="bench-secret-0123456789-0123456789-0123456789"
# A fixed report key: the benchmark signs nothing that anyone should trust.
export XINYONG_REPORT_SIGNING_KEY="YmVuY2gtcmVwb3J0LWtleS0wMTIzNDU2Nzg5YWJjZGU"
export XINYONG_WORKERS=2 XINYONG_POOL_SIZE=16
# The limiter stays on (its Redis round trip is part of every request) with a bucket wrk cannot empty.
export XINYONG_RATE_LIMIT_BURST=1000000000 XINYONG_RATE_LIMIT_PER_SECOND=1000000000
XY=./target/release/xinyong

echo "== seeding $SUBJECTS subjects" >&2
start=$(date +%s)
$XY seed >&2
$XY seed --synthetic "$SUBJECTS" >&2
echo "seeded in $(($(date +%s) - start)) s" >&2
psql "$PG_URL" -q -c "VACUUM ANALYZE" >&2
# Both servers answer look-ups from PostgreSQL's buffers, not from whatever the seeding left in
# them: the look-up's tables and their b-tree indexes are read in once (about 300 MB at 1,000,000).
psql "$PG_URL" -qAt -c "CREATE EXTENSION IF NOT EXISTS pg_prewarm;
  SELECT sum(pg_prewarm(c.oid)) || ' pages prewarmed' FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid
  JOIN pg_am a ON a.oid = c.relam WHERE i.indrelid IN ('subjects'::regclass, 'list_entries'::regclass) AND a.amname = 'btree';
  SELECT sum(pg_prewarm(c)) FROM unnest(ARRAY['subjects'::regclass, 'list_entries'::regclass]) c" >&2

psql "$PG_URL" -qAt -c "SELECT code FROM subjects ORDER BY random() LIMIT 201000" >"$WORK/codes"
head -n 1000 "$WORK/codes" >"$WORK/hot"
tail -n +1001 "$WORK/codes" >"$WORK/cold"
# Screening batches: real codes with one malformed code in every hundred.
awk '{ print (NR % 100 == 0) ? "91210900MA0XXXXXXX" : $0 }' "$WORK/cold" >"$WORK/screen"
# Search terms: 2 to 4 characters from anywhere in real names.
psql "$PG_URL" -qAt -c "SELECT substr(name, 1 + floor(random() * (char_length(name) - 1))::int, 2 + floor(random() * 3)::int)
  FROM subjects TABLESAMPLE SYSTEM (2) WHERE char_length(name) > 4 LIMIT 20000" | awk 'length($0) >= 2' >"$WORK/terms"
TOKEN=$($XY token --department 210900.ndrc --scope memoranda:admin --ttl 1d)

port=$(free_port)
XINYONG_BIND="127.0.0.1:$port" $XY serve >"$WORK/server.log" 2>&1 &
SERVER=$!
PIDS+=("$SERVER")
bare_port=$(free_port)
./target/release/examples/bare "$bare_port" &
PIDS+=("$!")
pg_port=$(free_port)
(cd bench/postgraphile && exec node_modules/.bin/postgraphile -c "$PG_URL" --schema public \
  --host 127.0.0.1 --port "$pg_port" --disable-query-log >"$WORK/postgraphile.log" 2>&1) &
PIDS+=("$!")
for url in "http://127.0.0.1:$port/readyz" "http://127.0.0.1:$bare_port/graphql" "http://127.0.0.1:$pg_port/graphql"; do
  for _ in $(seq 1 100); do
    curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -d '{"query":"{__typename}"}' "$url" && break
    sleep 0.2
  done
done
curl -sf "http://127.0.0.1:$port/readyz" >&2 && echo >&2

LOOKUP='{"query":"query($c: String!) { subject(code: $c) { code name kind listEntries { edges { node { id status endDate } } } } }","variables":{"c":"%s"}}'
PG_LOOKUP='{"query":"query($c: String!) { subjectByCode(code: $c) { code name kind listEntriesBySubjectId { nodes { id status endDate } } } }","variables":{"c":"%s"}}'
SEARCH='{"query":"query($s: String!) { subjects(search: $s, first: 20) { edges { node { code name kind } } } }","variables":{"s":"%s"}}'
SCREEN='{"query":"query($c: [String!]!) { screen(codes: $c) { input valid found underObjection redEntries { id } blackEntries { id } } }","variables":{"c":[%s]}}'

# One wrk run; records "name connections rps p50 p99 failed".
load() {
  local name=$1 connections=$2 url=$3 body=$4 lines=$5 batch=${6:-1} token=${7:-} duration=${8:-$DURATION}
  local out
  out=$(BENCH_BODY="$body" BENCH_LINES="$lines" BENCH_BATCH="$batch" BENCH_TOKEN="$token" \
    wrk -t1 -c"$connections" -d"$duration" --latency -s bench/request.lua "$url" | grep '^BENCH')
  echo "$name c=$connections $out" >&2
  echo "$name $connections $out" >>"$WORK/results"
}

xy="http://127.0.0.1:$port/graphql"
load "bare-async-graphql" 32 "http://127.0.0.1:$bare_port/graphql" '{"query":"{ ok }"}' ""
# Node compiles as it goes: a warm-up first, as for our cache.
load "warm-up" 32 "http://127.0.0.1:$pg_port/graphql" "$PG_LOOKUP" "$WORK/cold" 1 "" 5s
load "postgraphile-by-code" 32 "http://127.0.0.1:$pg_port/graphql" "$PG_LOOKUP" "$WORK/cold"
load "warm-up" 32 "$xy" "$LOOKUP" "$WORK/hot" 1 "" 3s
load "subject-cached" 32 "$xy" "$LOOKUP" "$WORK/hot"
# Codes not asked before (anonymous, so each is a cache miss). As for PostGraphile, a warm-up
# first (the pool's connections, their prepared statements), on codes of its own: lines 60,001 to
# 100,000, which neither PostGraphile (from line 1) nor the measured run (the last 100,000) reads.
sed -n '60001,100000p' "$WORK/cold" >"$WORK/cold-warm-up"
tail -n 100000 "$WORK/cold" >"$WORK/cold2"
load "warm-up" 32 "$xy" "$LOOKUP" "$WORK/cold-warm-up" 1 "" 5s
load "subject-uncached" 32 "$xy" "$LOOKUP" "$WORK/cold2"
# A department's token: never cached, so every search and screening reaches the database.
load "search" 4 "$xy" "$SEARCH" "$WORK/terms" 1 "$TOKEN"
load "screen-1000" 4 "$xy" "$SCREEN" "$WORK/screen" 1000 "$TOKEN"
load "bare-async-graphql-again" 32 "http://127.0.0.1:$bare_port/graphql" '{"query":"{ ok }"}' ""

rss_kb=$(awk '/VmHWM/ { print $2 }' "/proc/$SERVER/status")
hits=$(curl -s "http://127.0.0.1:$port/metrics" | awk '/^xinyong_answer_cache_hits_total/ { print $2 }')
misses=$(curl -s "http://127.0.0.1:$port/metrics" | awk '/^xinyong_answer_cache_misses_total/ { print $2 }')
skipped=$(curl -s "http://127.0.0.1:$port/metrics" | awk '/^xinyong_answer_cache_shared_reads_skipped_total/ { print $2 }')

echo
echo "Run on $(date -u +%Y-%m-%d), $(nproc) cores, $SUBJECTS subjects, wrk -t1 -d$DURATION on 127.0.0.1"
echo
echo "| scenario | connections | req/s | p50 ms | p99 ms | failed |"
echo "|---|---:|---:|---:|---:|---:|"
sed -E 's/^([^ ]+) ([0-9]+) BENCH requests=[0-9]+ rps=([0-9]+) p50_ms=([0-9.]+) p99_ms=([0-9.]+) failed=([0-9]+)/| \1 | \2 | \3 | \4 | \5 | \6 |/' "$WORK/results" | grep -v '^| warm-up'
echo
echo "Server peak RSS (VmHWM): $((rss_kb / 1024)) MB; answer cache hits $hits, misses $misses (of which $skipped left Redis out)"
