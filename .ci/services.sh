# Sourced by .ci/run (bash): a throwaway PostgreSQL cluster and Redis server on loopback,
# each in its own temporary directory, stopped by `stop_services`. Exports TEST_POSTGRES_URL
# and TEST_REDIS_URL, which the tests use. Needs root (it runs PostgreSQL as `postgres`).

services_dir="$(mktemp -d)"
chmod 755 "$services_dir"
pg_bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"

start_services() {
  mkdir "$services_dir/pg"
  chown postgres "$services_dir/pg"
  runuser -u postgres -- "$pg_bin/initdb" -D "$services_dir/pg/data" -A trust -U postgres \
    --no-sync >/dev/null
  runuser -u postgres -- "$pg_bin/pg_ctl" -D "$services_dir/pg/data" -l "$services_dir/pg/log" \
    -o "-h 127.0.0.1 -p 54329 -k $services_dir/pg -c fsync=on -c max_connections=300" -w start >/dev/null
  redis-server --bind 127.0.0.1 --port 63790 --save "" --appendonly no --daemonize yes \
    --dir "$services_dir" --pidfile "$services_dir/redis.pid" --logfile "$services_dir/redis.log"
  export TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:54329/postgres"
  export TEST_REDIS_URL="redis://127.0.0.1:63790/0"
}

stop_services() {
  runuser -u postgres -- "$pg_bin/pg_ctl" -D "$services_dir/pg/data" -m fast -w stop \
    >/dev/null 2>&1 || true
  if [ -f "$services_dir/redis.pid" ]; then kill "$(cat "$services_dir/redis.pid")" || true; fi
  rm -rf "$services_dir"
}
