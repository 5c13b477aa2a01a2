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

# A free port on 127.0.0.1: nothing answers there, and it lies below the kernel's range for outgoing
# connections, whose ports a server cannot bind while a connection holds them (the tests open
# thousands).
free_port() {
  local p low=32768
  [[ -r /proc/sys/net/ipv4/ip_local_port_range ]] && read -r low _ </proc/sys/net/ipv4/ip_local_port_range
  ((low > 12000)) || low=32768
  for _ in $(seq 1 50); do
    p=$((10000 + RANDOM % (low - 10000)))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  echo "no free port found" >&2
  exit 1
}

stop_services() {
  local status=$?
  # A run that failed shows the servers' own words: a server that died or never answered says why.
  if ((status != 0)); then
    if [[ -n ${REDIS_PORT:-} ]] && [[ $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) != PONG ]]; then
      echo "== Redis on port $REDIS_PORT no longer answers" >&2
    fi
    if [[ -n ${PG_PORT:-} ]] && ! "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres; then
      echo "== PostgreSQL on port $PG_PORT no longer answers" >&2
    fi
    for log in "$SERVICES_DIR/pg/log" "$SERVICES_DIR/redis/log"; do
      [[ -s $log ]] && { echo "== last lines of $log"; tail -n 30 "$log"; } >&2
    done
  fi
  [[ -f "$SERVICES_DIR/pg/postmaster.pid" ]] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$SERVICES_DIR/pg" -m immediate stop >/dev/null 2>&1 || true
  [[ -f "$SERVICES_DIR/redis/pid" ]] && kill "$(cat "$SERVICES_DIR/redis/pid")" 2>/dev/null || true
  rm -rf "$SERVICES_DIR"
  return "$status"
}

# PostgreSQL in $SERVICES_DIR/pg, owned by postgres (it refuses to run as root), on a free port.
# A port taken between the check and the start is the one failure worth a second try.
start_postgres() {
  local pgdata="$SERVICES_DIR/pg" port
  mkdir -p "$pgdata"
  chown postgres:postgres "$pgdata"
  runuser -u postgres -- "$PGBIN/initdb" -D "$pgdata" -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null
  for attempt in 1 2 3; do
    port=$(free_port)
    if runuser -u postgres -- "$PGBIN/pg_ctl" -D "$pgdata" -l "$pgdata/log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $pgdata -c fsync=off -c max_connections=300 ${PG_EXTRA_OPTS:-}" start >/dev/null; then
      PG_PORT=$port
      PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
      return
    fi
    echo "PostgreSQL did not start on port $port (attempt $attempt):" >&2
    tail -n 20 "$pgdata/log" >&2
  done
  echo "PostgreSQL would not start: the tests against it cannot run" >&2
  exit 1
}

# Redis in $SERVICES_DIR/redis, as the calling user, on a free port; it must answer PING before
# the tests start, or the script stops here with its log rather than failing every test later.
start_redis() {
  local dir="$SERVICES_DIR/redis" port
  mkdir -p "$dir"
  for attempt in 1 2 3; do
    port=$(free_port)
    rm -f "$dir/log" "$dir/pid"
    redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --daemonize yes \
      --dir "$dir" --pidfile "$dir/pid" --logfile "$dir/log" || true
    for _ in $(seq 1 100); do
      if [[ $(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null) == PONG ]]; then
        REDIS_PORT=$port
        REDIS_URL="redis://127.0.0.1:$port"
        return
      fi
      sleep 0.1
    done
    echo "Redis did not answer on port $port (attempt $attempt):" >&2
    [[ -f "$dir/log" ]] && tail -n 20 "$dir/log" >&2
    [[ -f "$dir/pid" ]] && kill "$(cat "$dir/pid")" 2>/dev/null || true
  done
  echo "Redis would not start: the tests against it cannot run" >&2
  exit 1
}

start_services() {
  install_services
  SERVICES_DIR=$(mktemp -d)
  chmod 755 "$SERVICES_DIR"
  trap stop_services EXIT
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  start_postgres
  start_redis
}
