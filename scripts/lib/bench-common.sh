# shellcheck shell=bash
# What the whole-process benchmarks (scripts/bench-whole.sh, bench-heap.sh, bench-calls.sh) share:
# their work directory and its clean-up, building sipis.jar and test classpaths, a Kamailio
# registrar (digest against passwords in an htable, usrloc in memory) on 127.0.0.1, the settings
# of a `sipis run` pointed at it, CPU ticks and RSS from /proc, and bounded waits.
# Sourced, not run: `. "$(dirname "$0")/lib/bench-common.sh"` after `cd` to the repository root.
# Every wait has a deadline; everything listens on 127.0.0.1.

KAM=/usr/sbin/kamailio
KAMCMD=/usr/sbin/kamcmd
MODS=/usr/lib/x86_64-linux-gnu/kamailio/modules
# shellcheck disable=SC2034  # clock ticks a second, for the scripts that source this
HZ=$(getconf CLK_TCK)

# ---- work directory: W, and PIDS (every background process started) stopped on exit
W="$(mktemp -d)"
PIDS=()
bench_cleanup() {
  rm -f "$W/sampling"
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ -n "${KEEP:-}" ]; then echo "kept: $W"; else rm -rf "$W"; fi
}
trap bench_cleanup EXIT

# ---- builds (offline, niced): sipis.jar unless SIPIS_JAR is given; the test classpath of a module
build_sipis_jar() {
  [ -n "${SIPIS_JAR:-}" ] || nice -n 10 mvn -B -q -o -pl sipis-server -am package -DskipTests -Denforcer.skip=true
}
# compiles MODULE's tests and prints its test classpath (classes first)
test_classpath() {
  local m=$1
  nice -n 10 mvn -B -q -o -pl "$m" -am test-compile dependency:build-classpath -Denforcer.skip=true \
    -Dmdep.outputFile="$PWD/$m/target/bench.classpath" -Dmdep.includeScope=test >&2 || return 1
  echo "$m/target/test-classes:$m/target/classes:$(cat "$m/target/bench.classpath")"
}

free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now_ms() { date +%s%3N; }

# ---- /proc: CPU in clock ticks (HZ a second), RSS, UDP errors
own_ticks() { awk '{sub(/^.*\) /,""); print $12+$13}' "/proc/$1/stat" 2>/dev/null || echo 0; }   # utime+stime
# utime+stime+cutime+cstime: with the children it has reaped
own_ticks_reaped() { awk '{sub(/^.*\) /,""); print $12+$13+$14+$15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# a process and its direct children; $2 the per-process count (default own_ticks)
tree_ticks() {
  local f=${2:-own_ticks} t=0 p v
  for p in "$1" $(pgrep -P "$1" || true); do v=$("$f" "$p"); t=$((t + v)); done
  echo "$t"
}
# CPU ticks of each thread of PID, summed by thread name without its digits ("name ticks" lines)
thread_ticks() {
  local t
  for t in /proc/"$1"/task/*; do
    awk '{match($0, /\(.*\)/); n=substr($0, RSTART+1, RLENGTH-2); gsub(/[0-9]+/, "#", n); gsub(/ /, "_", n);
          rest=substr($0, RSTART+RLENGTH+1); split(rest, f, " "); print n, f[12]+f[13]}' "$t/stat" 2>/dev/null
  done | awk '{s[$1]+=$2} END {for (k in s) print k, s[k]}'
}
# the difference of two thread_ticks files, busiest first, as CPU-s ("name CPU-s"), over HZ
thread_cpu_diff() {
  awk -v hz="$HZ" 'NR==FNR {a[$1]=$2; next} {d=$2-a[$1]; if (d>0) printf "%s %.2f\n", $1, d/hz}' "$1" "$2" | sort -k2 -n -r
}
rss_kb() { local t=0 p v; for p in "$1" $(pgrep -P "$1" || true); do v=$(awk '/VmRSS/{print $2}' "/proc/$p/status" 2>/dev/null || echo 0); t=$((t + ${v:-0})); done; echo "$t"; }
udp_errs() { awk '/^Udp:/{if(h){print $4+$6}else h=1}' /proc/net/snmp; }   # InErrors + RcvbufErrors

# ---- bounded waits
# runs CMD... every 0.2 s until it succeeds (0) or LIMIT s have passed (1)
deadline_wait() { local limit=$1; shift; for _ in $(seq 1 $((limit * 5))); do "$@" && return 0; sleep 0.2; done; return 1; }
# waits until F prints >= TARGET (at most LIMIT s); prints the ms waited or "timeout"
wait_until() { local target=$1 limit=$2 f=$3 t0; t0=$(now_ms)
  while [ $(( $(now_ms) - t0 )) -lt $((limit * 1000)) ]; do [ "$($f)" -ge "$target" ] 2>/dev/null && { echo $(( $(now_ms) - t0 )); return 0; }; sleep 0.2; done
  echo timeout; }
# SIGTERM, then (after 30 s) SIGKILL
stop_pid() { kill "$1" 2>/dev/null || true; for _ in $(seq 1 300); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done; kill -9 "$1" 2>/dev/null || true; }

# ---- Kamailio
# statistic KEY of the Kamailio whose ctl socket is DIR/ctl (empty while it does not answer)
kstat() { "$KAMCMD" -s "unix:$1/ctl" stats.get_statistics all 2>/dev/null | awk -F' = ' -v k="$2" '$1 ~ k"$" {print $2; exit}'; }
kam_up() { [ -n "$(kstat "$1" registered_users)" ]; }

# DIR/db: the dbtext tables and the htable of N subscribers u<i>/pw-<i> (the accounts RestoreSeeder
# stores). Passwords in an htable loaded once: auth_db over db_text scans every subscriber row on each
# REGISTER, which at 100,000 accounts made the registrar, not the clients, the bottleneck.
registrar_db() {
  local dir=$1 n=$2 t
  mkdir -p "$dir/db"
  for t in version htable location location_attrs; do cp "/usr/share/kamailio/dbtext/kamailio/$t" "$dir/db/"; done
  python3 - "$n" "$dir/db/htable" <<'PY'
import sys
n, out = int(sys.argv[1]), sys.argv[2]
with open(out, "a") as f:
    for i in range(n):
        f.write(f"{i+1}:u{i}:0:0:pw-{i}:0\n")
PY
}

# DIR/kamailio.cfg: the registrar on udp:127.0.0.1:PORT with CHILDREN workers, ctl at DIR/ctl;
# with "proxy" also the proxy of calls to the registered contacts (INVITE by lookup("location"),
# CANCEL, ACK and in-dialog requests relayed).
# REG_PW=computed: the password of u<i> is computed in the route ("pw-<i>") instead of loaded into
# the htable, which takes Kamailio minutes at 1,000,000 accounts (scripts/bench-million.sh).
registrar_cfg() {
  local dir=$1 port=$2 children=$3 proxy=${4:-} in_dialog="" invite="" password='$sht(users=>$fU)' htable
  # (db_text returns at most 100,000 rows by default, and preallocates whatever limit it is given in
  # private memory: beyond 100,000 accounts use REG_PW=computed)
  htable='loadmodule "htable.so"
modparam("htable", "db_url", "text://'"$dir"'/db")
modparam("htable", "htable", "users=>size=17;dbtable=htable;")'
  if [ "${REG_PW:-}" = computed ]; then password='pw-$(fU{s.substr,1,0})'; htable=""; fi
  if [ "$proxy" = proxy ]; then
    in_dialog='
    if (is_method("CANCEL")) { if (t_check_trans()) { t_relay(); } exit; }
    if (is_method("ACK")) { if (t_check_trans() || has_totag()) { t_relay(); } exit; }
    if (has_totag()) { if (!t_relay()) { sl_reply_error(); } exit; }'
    invite='
    if (is_method("INVITE")) {
        t_check_trans();
        if (!lookup("location")) { sl_send_reply("404", "Not Found"); exit; }
        if (!t_relay()) { sl_reply_error(); }
        exit;
    }'
  fi
  cat > "$dir/kamailio.cfg" <<CFG
#!KAMAILIO
debug=1
log_stderror=yes
children=$children
listen=udp:127.0.0.1:$port
mpath="$MODS/"
loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "siputils.so"
loadmodule "textops.so"
loadmodule "db_text.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "auth.so"
loadmodule "ctl.so"
$htable
modparam("ctl", "binrpc", "unix:$dir/ctl")
modparam("usrloc", "db_mode", 0)
modparam("usrloc", "hash_size", 14)
modparam("registrar", "min_expires", 5)
request_route {
    if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }$in_dialog
    if (is_method("REGISTER")) {
        if (!pv_auth_check("\$fd", "$password", "0", "1")) { auth_challenge("\$fd", "0"); exit; }
        consume_credentials();
        if (!save("location")) { sl_reply_error(); }
        exit;
    }$invite
    sl_send_reply("404", "Not Here");
}
CFG
}

# starts the Kamailio of DIR/kamailio.cfg with MB of shared memory, logging to DIR/LOG (default
# log); its pid in KAM_PID (and PIDS). Not in a $( ): it sets variables.
kam_start() {
  "$KAM" -DD -E -f "$1/kamailio.cfg" -m "$2" -M "${KAM_PKG:-16}" > "$1/${3:-log}" 2>&1 &
  KAM_PID=$!; PIDS+=("$KAM_PID")
}
# waits (at most LIMIT s) until the Kamailio of DIR answers; else prints its log and exits
kam_wait_up() { deadline_wait "$2" kam_up "$1" || { cat "$1/log" >&2; exit 1; }; }

# ---- sipis run
# DIR/Settings.xml (+ DIR/sipis.key, DIR/lb2/Settings.xml) of a `sipis run` on 127.0.0.1 that
# registers at RATE REGISTER/s; EXTRA is more XML inside <Sipis>. The HTTP API's port in HTTP.
sipis_settings() {
  local dir=$1 rate=$2 extra=${3:-}
  mkdir -p "$dir/lb2"
  HTTP=$(free_port)
  head -c 16 /dev/urandom > "$dir/sipis.key"; chmod 0600 "$dir/sipis.key"
  echo '<LoadBalancer2><Backend><Sipis Name="R" Address="127.0.0.1:1"/></Backend></LoadBalancer2>' > "$dir/lb2/Settings.xml"
  cat > "$dir/Settings.xml" <<XML
<Sipis><Server Name="R" Realm="R" Address="127.0.0.1" Port="$(free_port)" FilterInstancesAccordingToLoadBalancer2BackendSection="Yes"/>
<RegistrarTargets><Allow Network="127.0.0.0/8"/></RegistrarTargets>
<Registration Address="127.0.0.1" Port="$(free_port)" GlobalRate="$rate" PerRegistrarRate="$rate"/>
<HttpServer Address="127.0.0.1" Port="$HTTP" AuthenticationMethod="None"/>${extra}
<Database EmbeddedDirectory="pgdata"/><Lock FileName="sipis.lock"/><Log FileName="sipis.log"/>
<LoadBalancer2 FileName="lb2/Settings.xml"/></Sipis>
XML
}
# the pid of the embedded PostgreSQL under DIR/pgdata (waits up to 30 s for it; empty if none)
pg_pid() { local f; for _ in $(seq 1 300); do f=$(find "$1/pgdata" -name postmaster.pid 2>/dev/null | head -1); [ -n "$f" ] && { head -1 "$f"; return; }; sleep 0.1; done; }
# heap used (KB) in a `jcmd GC.heap_info` output FILE: G1 has one line, Serial and Parallel one per generation
heap_kb() { awk '/garbage-first heap|def new generation|tenured generation|PSYoungGen|ParOldGen/{for(i=1;i<=NF;i++) if($i=="used"){v=$(i+1); sub(/K,?/,"",v); t+=v}} END{print t+0}' "$1"; }
