# Sourced by scripts/test: starts throwaway PostgreSQL and Redis servers on loopback for the tests,
# exports their URLs, and stops them on exit. Nothing is left behind.
PAPOTE_SERVICES_DIR=$(mktemp -d /tmp/papote-services.XXXXXX)
chmod 755 "$PAPOTE_SERVICES_DIR"

start_postgres() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [[ -n "$bin" ]] || { echo "PostgreSQL is not installed (scripts/install --system)"; return 1; }
  local run=(); [[ $(id -u) -eq 0 ]] && run=(runuser -u postgres --)
  install -d -m 700 "$PAPOTE_SERVICES_DIR/pg"
  [[ $(id -u) -eq 0 ]] && chown postgres "$PAPOTE_SERVICES_DIR/pg"
  local port=55432
  while (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null; do port=$((port + 1)); done
  "${run[@]}" "$bin/initdb" -D "$PAPOTE_SERVICES_DIR/pg/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
  "${run[@]}" "$bin/pg_ctl" -D "$PAPOTE_SERVICES_DIR/pg/data" -l "$PAPOTE_SERVICES_DIR/pg/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $PAPOTE_SERVICES_DIR/pg -c fsync=off -c max_connections=300" start >/dev/null
  export PAPOTE_TEST_POSTGRES_URL="postgresql+asyncpg://postgres@127.0.0.1:$port/postgres"
  PAPOTE_PG_STOP=("${run[@]}" "$bin/pg_ctl" -D "$PAPOTE_SERVICES_DIR/pg/data" -m immediate -w stop)
}

start_redis() {
  command -v redis-server >/dev/null || { echo "Redis is not installed (scripts/install --system)"; return 1; }
  local port=56379
  while (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null; do port=$((port + 1)); done
  redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --daemonize yes \
    --pidfile "$PAPOTE_SERVICES_DIR/redis.pid" --logfile "$PAPOTE_SERVICES_DIR/redis.log" >/dev/null
  export PAPOTE_TEST_REDIS_URL="redis://127.0.0.1:$port/0"
}

stop_services() {
  if [[ -n "${PAPOTE_PG_STOP:-}" ]]; then "${PAPOTE_PG_STOP[@]}" >/dev/null 2>&1 || true; fi
  if [[ -f "$PAPOTE_SERVICES_DIR/redis.pid" ]]; then kill "$(cat "$PAPOTE_SERVICES_DIR/redis.pid")" 2>/dev/null || true; fi
  rm -rf "$PAPOTE_SERVICES_DIR"
}
