#!/usr/bin/env bash
# Install (from Debian's packages, when missing) and start a throwaway PostgreSQL server on loopback
# for the test suite. Prints the SQLAlchemy URL of the test database on stdout.
#   scripts/postgres.sh start   -> install if needed, init, start; prints the URL
#   scripts/postgres.sh stop
set -euo pipefail
PORT=${CAREBACKLOG_PG_PORT:-54329}
DATA=${CAREBACKLOG_PG_DATA:-/tmp/carebacklog-pg-$PORT}
DB=carebacklog_test
log() { echo "postgres.sh: $*" >&2; }

pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }; done
  return 1
}

as_pg() {  # initdb and postgres refuse to run as root
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

ensure_installed() {
  pg_bin >/dev/null && return 0
  log "installing PostgreSQL from Debian's packages"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  else
    sudo apt-get update -qq >&2 && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  fi
}

start() {
  ensure_installed
  local bin; bin=$(pg_bin)
  if [ ! -f "$DATA/PG_VERSION" ]; then
    mkdir -p "$DATA"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$DATA"
    as_pg "$bin/initdb" -D "$DATA" -U postgres -A trust --no-sync >/dev/null
  fi
  if ! as_pg "$bin/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    as_pg "$bin/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w \
      -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" start >/dev/null
  fi
  psql -h 127.0.0.1 -p "$PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$DB'" | grep -q 1 \
    || psql -h 127.0.0.1 -p "$PORT" -U postgres -qc "CREATE DATABASE $DB" >/dev/null
  echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/$DB"
}

stop() {
  local bin; bin=$(pg_bin) || return 0
  [ -f "$DATA/PG_VERSION" ] && as_pg "$bin/pg_ctl" -D "$DATA" -m fast stop >/dev/null 2>&1 || true
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
