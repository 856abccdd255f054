#!/usr/bin/env bash
# The provider for the drills: one Kamailio 5.6 registrar + proxy with digest (auth_db over
# db_text), on loopback (or a namespace address). Every REGISTER it receives is logged as
# "REG <epoch.usec> <user>", so the busiest 1-s window can be counted from its log, and every
# REGISTER that leaves its AoR with more than one live contact as "DUP <epoch.usec> <user> <live> <all>".
#
#   kamailio.sh init DIR PORT USERS PASSWORD persist|memory [ADDRESS]
#        users u1 … uUSERS; persist = usrloc in db_text (db_mode 2, flushed every 2 s and at stop),
#        so a restart keeps the bindings; memory = usrloc in memory only (db_mode 0)
#   kamailio.sh start|stop|kill DIR     (stop = SIGTERM, which flushes; kill = SIGKILL)
#   kamailio.sh stats DIR               "<registered users> <contacts>"
set -euo pipefail
cmd=${1:?usage: kamailio.sh init|start|stop|kill|stats DIR ...}; dir=${2:?DIR}
ctl() { kamcmd -s "unix:$dir/kamailio_ctl" "$@"; }
case "$cmd" in
  init)
    port=$3 users=$4 password=$5 mode=$6 address=${7:-127.0.0.1}
    mkdir -p "$dir/db"
    for t in version subscriber location location_attrs; do cp /usr/share/kamailio/dbtext/kamailio/$t "$dir/db/"; done
    # calculate_ha1=yes makes Kamailio hash the plain password; ha1/ha1b must still be non-empty.
    awk -v n="$users" -v pw="$password" -v d="$address" \
      'BEGIN { for (i = 1; i <= n; i++) printf "%d:u%d:%s:%s:x:x\n", i, i, d, pw }' >>"$dir/db/subscriber"
    if [ "$mode" = persist ]; then dbmode=2; else dbmode=0; fi
    cat >"$dir/kamailio.cfg" <<CFG
#!KAMAILIO
debug=1
log_stderror=yes
children=2
tcp_children=2
listen=udp:$address:$port
listen=tcp:$address:$port
alias="$address"
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "db_text.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "auth.so"
loadmodule "auth_db.so"
loadmodule "ctl.so"
modparam("ctl", "binrpc", "unix:$dir/kamailio_ctl")
modparam("usrloc", "db_mode", $dbmode)
modparam("usrloc", "db_url", "text://$dir/db")
modparam("usrloc", "timer_interval", 2)
modparam("registrar", "min_expires", 10)
# a forked call to a dead contact ends with 408 after 4 s, not Kamailio's default 30 s
modparam("tm", "fr_timer", 4000)
modparam("auth_db", "db_url", "text://$dir/db")
modparam("auth_db", "calculate_ha1", yes)
modparam("auth_db", "password_column", "password")
modparam("auth_db", "load_credentials", "")
request_route {
    if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
    if (!sanity_check("17895", "7")) { xlog("L_WARN", "malformed request from \$si:\$sp\n"); exit; }
    if (is_method("CANCEL")) { if (t_check_trans()) { t_relay(); } exit; }
    if (is_method("ACK")) { if (t_check_trans() || has_totag()) { t_relay(); } exit; }
    if (has_totag()) { if (!t_relay()) { sl_reply_error(); } exit; }
    if (is_method("REGISTER")) {
        xlog("L_ERR", "REG \$TV(Sn) \$fU\n");
        if (!auth_check("\$fd", "subscriber", "1")) { auth_challenge("\$fd", "0"); exit; }
        consume_credentials();
        if (!save("location")) { sl_reply_error(); }
        # an AoR left with several live contacts: "DUP <epoch.usec> <user> <live> <all>" (the drills'
        # duplicate count). Contacts whose expiry has passed do not count: lookup() never forks to
        # them, and a restarted registrar with persisted bindings may add an expired one it is
        # still loading from its database after a fresh REGISTER of the same contact was saved
        # (usrloc preloads in one SIP worker while the others already serve). Those are logged as
        # "STALE <epoch.usec> <user> <all>".
        if (reg_fetch_contacts("location", "\$fu", "c")) {
            if (\$(ulc(c=>count)) > 1) {
                \$var(i) = 0;
                \$var(live) = 0;
                while (\$var(i) < \$(ulc(c=>count))) {
                    if (\$(ulc(c=>expires)[\$var(i)]) == 0 || \$(ulc(c=>expires)[\$var(i)]) > \$TV(s)) {
                        \$var(live) = \$var(live) + 1;
                    }
                    \$var(i) = \$var(i) + 1;
                }
                if (\$var(live) > 1) {
                    xlog("L_ERR", "DUP \$TV(Sn) \$fU \$var(live) \$(ulc(c=>count)) [\$(ulc(c=>addr)[0]) until \$(ulc(c=>expires)[0])] [\$(ulc(c=>addr)[1]) until \$(ulc(c=>expires)[1])]\n");
                } else {
                    xlog("L_ERR", "STALE \$TV(Sn) \$fU \$(ulc(c=>count))\n");
                }
            }
            reg_free_contacts("c");
        }
        exit;
    }
    if (is_method("INVITE|MESSAGE")) {
        t_check_trans();
        if (!lookup("location")) { sl_send_reply("404", "Not Found"); exit; }
        if (!t_relay()) { sl_reply_error(); }
        exit;
    }
    if (is_method("OPTIONS")) { sl_send_reply("200", "OK"); exit; }
    sl_send_reply("404", "Not Here");
}
CFG
    echo "$address:$port" >"$dir/address"
    ;;
  start)
    # its own process group, so that stop/kill reach the children too
    setsid kamailio -DD -E -f "$dir/kamailio.cfg" -P "$dir/kam.pid" -m 256 -M 16 >>"$dir/kamailio.log" 2>&1 &
    echo $! >"$dir/kam.pid.main"
    for _ in $(seq 1 200); do ctl core.uptime >/dev/null 2>&1 && exit 0; sleep 0.1; done
    echo "kamailio did not start: $(tail -5 "$dir/kamailio.log")" >&2; exit 1
    ;;
  stop|kill)
    pid=$(cat "$dir/kam.pid.main"); sig=TERM; [ "$cmd" = kill ] && sig=KILL
    if [ "$sig" = KILL ]; then kill -s KILL -- "-$pid" 2>/dev/null || true; else kill -s TERM "$pid" 2>/dev/null || true; fi
    # kamailio's children exit with the main process; wait (bounded) until the port is free
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    for _ in $(seq 1 100); do pgrep -g "$pid" >/dev/null || exit 0; sleep 0.1; done
    kill -s KILL -- "-$pid" 2>/dev/null || true
    ;;
  stats)
    ctl stats.get_statistics registered_users location_contacts \
      | awk -F'= ' '/registered_users/ {u=$2} /location_contacts/ {c=$2} END {print u+0, c+0}'
    ;;
  *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
