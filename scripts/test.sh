#!/usr/bin/env bash
# Every check CI runs: formatting, clippy with warnings denied, and every test twice — against SQLite
# with the in-process cache, then against PostgreSQL and Redis, which this script installs from
# Debian's packages if they are missing and starts on 127.0.0.1 in a throwaway folder.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "test.sh: ${missing[*]} missing and not root: install them, or run as root" >&2
    exit 1
  fi
  echo "== installing ${missing[*]}"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy (warnings denied)"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== tests: SQLite, in-process cache"
cargo test --workspace --locked

# A free port on 127.0.0.1: nothing answers there.
free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  echo "test.sh: no free port found" >&2
  exit 1
}

work=$(mktemp -d)
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PGDATA="$work/pg"
cleanup() {
  [[ -f "$PGDATA/postmaster.pid" ]] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null 2>&1 || true
  [[ -f "$work/redis.pid" ]] && kill "$(cat "$work/redis.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

pg_port=$(free_port)
redis_port=$(free_port)
mkdir -p "$PGDATA"
chown -R postgres:postgres "$work" # PostgreSQL refuses to run as root
chmod 755 "$work"
runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA" -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $PGDATA -c fsync=off -c max_connections=300" start >/dev/null
redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --daemonize yes \
  --pidfile "$work/redis.pid" --logfile "$work/redis.log"
for _ in $(seq 1 50); do
  redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
  sleep 0.1
done

echo "== tests: PostgreSQL on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port"
XINYONG_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/postgres" \
XINYONG_TEST_REDIS_URL="redis://127.0.0.1:$redis_port" \
  cargo test --workspace --locked

echo "== all checks passed"
