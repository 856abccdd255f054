#!/usr/bin/env bash
# Network namespaces for the multi-host drill: "machines" with their own addresses on a bridge,
# all inside namespaces this script creates (the root namespace gets no address and no route).
# Addresses come from TEST-NET-2 (198.51.100.0/24, RFC 5737).
#
#   netns.sh net P                   namespace P-net with bridge br0 = 198.51.100.1/24 (database,
#                                     registrar, push fake and callers run here)
#   netns.sh host P N ADDR HOSTS     namespace P-hN, eth0 = ADDR/24 on P-net's bridge; HOSTS is
#                                     copied to /etc/netns/P-hN/hosts (ip netns exec mounts it)
#   netns.sh hosts P NS HOSTS        the hosts file of namespace NS (e.g. P-net)
#   netns.sh del P NS                kill every process in namespace NS, then delete it
#   netns.sh down P                  del every P-* namespace and its hosts files
set -euo pipefail
cmd=${1:?usage: netns.sh net|host|hosts|del|down P ...}; p=${2:?prefix}
kill_all() { # NS
  local pids; pids=$(ip netns pids "$1" 2>/dev/null || true)
  [ -n "$pids" ] && kill -9 $pids 2>/dev/null || true
  for _ in $(seq 1 50); do [ -z "$(ip netns pids "$1" 2>/dev/null)" ] && return 0; sleep 0.1; done
}
case "$cmd" in
  net)
    ip netns add "$p-net"
    ip -n "$p-net" link set lo up
    ip -n "$p-net" link add br0 type bridge
    ip -n "$p-net" addr add 198.51.100.1/24 dev br0
    ip -n "$p-net" link set br0 up
    ;;
  host)
    n=$3 addr=$4 hosts=$5
    ip netns add "$p-h$n"
    ip -n "$p-h$n" link set lo up
    # both ends are created inside namespaces: nothing appears in the root namespace
    ip -n "$p-net" link add "v$n" type veth peer name eth0 netns "$p-h$n"
    ip -n "$p-net" link set "v$n" master br0 up
    ip -n "$p-h$n" addr add "$addr/24" dev eth0
    ip -n "$p-h$n" link set eth0 up
    mkdir -p "/etc/netns/$p-h$n" && cp "$hosts" "/etc/netns/$p-h$n/hosts"
    ;;
  hosts) mkdir -p "/etc/netns/$3" && cp "$4" "/etc/netns/$3/hosts" ;;
  del) kill_all "$3"; ip netns del "$3" 2>/dev/null || true; rm -rf "/etc/netns/$3" ;;
  down)
    for ns in $(ip netns list | awk '{print $1}' | grep "^$p-" || true); do
      kill_all "$ns"; ip netns del "$ns" 2>/dev/null || true; rm -rf "/etc/netns/$ns"
    done
    ;;
  *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
