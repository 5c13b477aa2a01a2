# Sourced by test.sh and the benchmark scripts: installs PostgreSQL and Redis from Debian's packages if
# they are missing, and starts them on free ports of 127.0.0.1 in a throwaway folder that is removed,
# with the servers stopped, when the calling script exits. Sets PG_URL and REDIS_URL.

install_services() {
  local missing=()
  ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || missing+=(postgresql)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  if ((${#missing[@]})); then
    if [[ $(id -u) -ne 0 ]]; then
      echo "${missing[*]} missing and not root: install them, or run as root" >&2
      exit 1
    fi
    echo "== installing ${missing[*]}"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
  fi
}

# A free port on 127.0.0.1: nothing answers there.
free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  echo "no free port found" >&2
  exit 1
}

stop_services() {
  [[ -f "$SERVICES_DIR/pg/postmaster.pid" ]] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$SERVICES_DIR/pg" -m immediate stop >/dev/null 2>&1 || true
  [[ -f "$SERVICES_DIR/redis.pid" ]] && kill "$(cat "$SERVICES_DIR/redis.pid")" 2>/dev/null || true
  rm -rf "$SERVICES_DIR"
}

start_services() {
  install_services
  SERVICES_DIR=$(mktemp -d)
  trap stop_services EXIT
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  local pgdata="$SERVICES_DIR/pg" pg_port redis_port
  pg_port=$(free_port)
  redis_port=$(free_port)
  mkdir -p "$pgdata"
  chown -R postgres:postgres "$SERVICES_DIR" # PostgreSQL refuses to run as root
  chmod 755 "$SERVICES_DIR"
  runuser -u postgres -- "$PGBIN/initdb" -D "$pgdata" -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$pgdata" -l "$pgdata/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pgdata -c fsync=off -c max_connections=300 ${PG_EXTRA_OPTS:-}" start >/dev/null
  redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --daemonize yes \
    --pidfile "$SERVICES_DIR/redis.pid" --logfile "$SERVICES_DIR/redis.log"
  for _ in $(seq 1 50); do
    redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  PG_URL="postgres://postgres@127.0.0.1:$pg_port/postgres"
  REDIS_URL="redis://127.0.0.1:$redis_port"
}
