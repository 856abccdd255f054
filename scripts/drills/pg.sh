#!/usr/bin/env bash
# Debian PostgreSQL 15 clusters for the drills: a primary, a streaming standby, promotion.
# Runs the server as the postgres user (initdb refuses root), in directories the caller owns.
#
#   pg.sh primary DIR PORT            initdb + start, listening on 127.0.0.1:PORT only
#   pg.sh standby DIR PORT PRIMARY    pg_basebackup -R from 127.0.0.1:PRIMARY, then start
#   pg.sh start|stop|kill|promote DIR  (kill = SIGKILL of the postmaster, as a crash)
#   pg.sh psql PORT SQL               run SQL as postgres on database sipis, unaligned output
set -euo pipefail
BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
prepare() { # DIR: make it and its parents reachable by postgres
  mkdir -p "$1"
  chmod 755 "$1"
  local d; d=$(dirname "$1"); while [ "$d" != / ]; do chmod o+x "$d" 2>/dev/null || true; d=$(dirname "$d"); done
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$1"
  return 0
}
# PG_LISTEN: listen addresses (default 127.0.0.1); PG_TRUST_NET: a network allowed in
# (trust) besides loopback, e.g. the multi-host drill's 198.51.100.0/24 inside its namespace
start() { # DIR PORT
  as_pg "$BIN/pg_ctl" -D "$1/data" -l "$1/postgres.log" -w -t 60 \
    -o "-p $2 -k $1 -c listen_addresses=${PG_LISTEN:-127.0.0.1}" start >/dev/null
}
cmd=${1:?usage: pg.sh primary|standby|start|stop|kill|promote|psql ...}; shift
case "$cmd" in
  primary)
    dir=$1 port=$2; prepare "$dir"
    as_pg "$BIN/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
    cat >>"$dir/data/postgresql.conf" <<CONF
wal_level = replica
max_wal_senders = 5
hot_standby = on
fsync = on
synchronous_commit = on
max_connections = 200
CONF
    echo "host replication postgres 127.0.0.1/32 trust" >>"$dir/data/pg_hba.conf"
    [ -n "${PG_TRUST_NET:-}" ] && echo "host all postgres $PG_TRUST_NET trust" >>"$dir/data/pg_hba.conf"
    echo "$port" >"$dir/port"; chown postgres "$dir/port" 2>/dev/null || true
    start "$dir" "$port"
    as_pg "$BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -qAtc "CREATE DATABASE sipis" postgres >/dev/null
    ;;
  standby)
    dir=$1 port=$2 primary=$3; prepare "$dir"
    as_pg "$BIN/pg_basebackup" -D "$dir/data" -R -X stream -c fast -h 127.0.0.1 -p "$primary" -U postgres >/dev/null
    echo "$port" >"$dir/port"
    start "$dir" "$port"
    ;;
  start) start "$1" "$(cat "$1/port")" ;;
  stop) as_pg "$BIN/pg_ctl" -D "$1/data" -m fast -w -t 60 stop >/dev/null ;;
  kill) kill -9 "$(head -1 "$1/data/postmaster.pid")" ;;
  promote) as_pg "$BIN/pg_ctl" -D "$1/data" -w promote >/dev/null ;;
  psql) port=$1; shift; as_pg "$BIN/psql" -h "${PG_HOST:-127.0.0.1}" -p "$port" -U postgres -d sipis -qAt -F '|' -c "$*" ;;
  *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
