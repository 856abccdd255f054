#!/usr/bin/env bash
# Automatic PostgreSQL failover for the drills with existing engines: one etcd member and two
# Patroni nodes (Debian packages patroni, etcd-server) managing PostgreSQL 15 on loopback.
# Synchronous mode is on, so an acknowledged commit is on both nodes.
#
#   patroni.sh up DIR PGPORT1 PGPORT2    etcd + node1 (leader) + node2 (replica); creates db sipis
#   patroni.sh leader DIR                 "node1 PORT" or "node2 PORT" (from the REST API)
#   patroni.sh crash DIR NODE             SIGKILL of that node's Patroni and PostgreSQL (a machine loss)
#   patroni.sh down DIR                   stop everything
set -euo pipefail
cmd=${1:?usage: patroni.sh up|leader|crash|down DIR ...}; dir=${2:?DIR}
BIN=/usr/lib/postgresql/15/bin
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
api() { echo $((8000 + $(cat "$dir/$1/pgport") % 1000)); }   # REST API port of a node
case "$cmd" in
  up)
    mkdir -p "$dir"; chmod 755 "$dir"
    d=$(dirname "$dir"); while [ "$d" != / ]; do chmod o+x "$d" 2>/dev/null || true; d=$(dirname "$d"); done
    etcd_port=$(( $3 + 7 )); peer_port=$(( $3 + 8 ))
    echo "$etcd_port" >"$dir/etcd.port"
    setsid etcd --name drill --data-dir "$dir/etcd" --listen-client-urls "http://127.0.0.1:$etcd_port" \
      --advertise-client-urls "http://127.0.0.1:$etcd_port" --listen-peer-urls "http://127.0.0.1:$peer_port" \
      --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" --initial-cluster "drill=http://127.0.0.1:$peer_port" \
      >"$dir/etcd.log" 2>&1 &
    echo $! >"$dir/etcd.pid"
    for _ in $(seq 1 100); do etcdctl --endpoints "127.0.0.1:$etcd_port" endpoint health >/dev/null 2>&1 && break; sleep 0.1; done
    n=0
    for port in "$3" "$4"; do
      n=$((n + 1)); node="$dir/node$n"; mkdir -p "$node"; echo "$port" >"$node/pgport"
      rest=$((8000 + port % 1000))
      cat >"$node/patroni.yml" <<YML
scope: sipis-drill
name: node$n
restapi:
  listen: 127.0.0.1:$rest
  connect_address: 127.0.0.1:$rest
etcd3:
  hosts: 127.0.0.1:$etcd_port
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 1
    retry_timeout: 4
    synchronous_mode: true
    postgresql:
      use_pg_rewind: false
      parameters:
        max_connections: 200
        wal_level: replica
        hot_standby: "on"
  initdb:
    - encoding: UTF8
    - locale: C.UTF-8
  pg_hba:
    - local all all trust
    - host replication replicator 127.0.0.1/32 trust
    - host all all 127.0.0.1/32 trust
postgresql:
  listen: 127.0.0.1:$port
  connect_address: 127.0.0.1:$port
  data_dir: $node/data
  bin_dir: $BIN
  pgpass: $node/pgpass
  authentication:
    replication: {username: replicator, password: replicator}
    superuser: {username: postgres, password: postgres}
  basebackup:
    - checkpoint: fast
  parameters:
    unix_socket_directories: $node
YML
      chown -R postgres:postgres "$node" 2>/dev/null || true
      # node2 waits for node1 to lead, so that the roles are known
      if [ $n = 2 ]; then
        for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$((8000 + $3 % 1000))/primary" >/dev/null 2>&1 && break; sleep 0.2; done
      fi
      as_pg setsid patroni "$node/patroni.yml" >"$node/patroni.log" 2>&1 &
      echo $! >"$node/patroni.pid"
    done
    for _ in $(seq 1 300); do
      as_pg "$BIN/psql" -h 127.0.0.1 -p "$3" -U postgres -qAtc "select 1" postgres >/dev/null 2>&1 && break; sleep 0.2
    done
    as_pg "$BIN/psql" -h 127.0.0.1 -p "$3" -U postgres -qAtc "CREATE DATABASE sipis" postgres >/dev/null
    for _ in $(seq 1 600); do
      [ "$(curl -s "http://127.0.0.1:$((8000 + $4 % 1000))/replica" -o /dev/null -w '%{http_code}')" = 200 ] && exit 0
      sleep 0.2
    done
    echo "node2 did not become a replica: $(tail -5 "$dir/node2/patroni.log")" >&2; exit 1
    ;;
  leader)
    for n in 1 2; do
      [ "$(curl -s "http://127.0.0.1:$(api node$n)/primary" -o /dev/null -w '%{http_code}')" = 200 ] && \
        { echo "node$n $(cat "$dir/node$n/pgport")"; exit 0; }
    done
    echo none
    ;;
  crash)
    node="$dir/$3"
    kill -9 "$(cat "$node/patroni.pid")" 2>/dev/null || true
    pkill -9 -f "patroni $node/patroni.yml" 2>/dev/null || true
    [ -f "$node/data/postmaster.pid" ] && kill -9 "$(head -1 "$node/data/postmaster.pid")" 2>/dev/null || true
    ;;
  down)
    for n in 1 2; do
      node="$dir/node$n"; [ -f "$node/patroni.pid" ] || continue
      pkill -TERM -f "patroni $node/patroni.yml" 2>/dev/null || true
      for _ in $(seq 1 100); do pgrep -f "patroni $node/patroni.yml" >/dev/null || break; sleep 0.1; done
      [ -f "$node/data/postmaster.pid" ] && as_pg "$BIN/pg_ctl" -D "$node/data" -m immediate stop >/dev/null 2>&1 || true
    done
    [ -f "$dir/etcd.pid" ] && kill "$(cat "$dir/etcd.pid")" 2>/dev/null || true
    ;;
  *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
