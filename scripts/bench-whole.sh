#!/usr/bin/env bash
# Whole-process benchmark, side by side: Kamailio's uac_reg (C) and the real `sipis run` keep the
# same N accounts registered at the same Kamailio registrar (digest, passwords in an htable, usrloc in
# memory), same expiry, one after the other on this machine, on loopback only. Per client:
#   - time until all N are registered after a cold start (and what the throttle allows),
#   - steady refresh: CPU-s per 10,000 refreshes of the client process (and, for sipis, of the
#     process + its embedded PostgreSQL), of the registrar, REGISTERs per refresh, UDP drops,
#     busiest 1-s window of REGISTERs at the registrar,
#   - memory per instance: sipis heap after a full GC (jcmd GC.heap_info) and RSS; uac_reg: the
#     shared memory Kamailio reports in use (core.shmmem) over that of an idle instance, and RSS,
#   - a restart: SIGTERM + start; time until HTTP answers / all registered again, fewest users seen.
# Then the ratios sipis / uac_reg. The app-facing figures come from the existing benchmarks, run
# with APP=1: scripts/bench-ingest.sh 8 10 and scripts/bench-incoming.sh 10 200.
# The steady window defaults to one expiry, so that it holds one refresh of every account whatever the
# client's timing: uac_reg refreshes in bursts (all accounts within seconds, then nothing for an expiry),
# and a shorter window may catch all of a burst or none of it.
# Usage: [EXPIRES=60] [WINDOW=EXPIRES] [RATE=1000] [JFR=1] [APP=1] [SIPIS_JAVA_OPTS=...] [SIPIS_JAR=other.jar]
#        [SKIP_UAC=1] scripts/bench-whole.sh [N=10000]
# (RATE is Registration[GlobalRate]; keep N / (0.8 * EXPIRES) well below it; SIPIS_JAR must sit next to
# the lib/ directory of a build, e.g. in sipis-server/target.) The UDP drops are the
# machine's (/proc/net/snmp InErrors + RcvbufErrors), so other processes on it count too.
# Needs kamailio (+ its uac module, in the kamailio package) and python3. Bounded: every wait has a
# deadline. Nothing leaves 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-10000}"
EXPIRES="${EXPIRES:-60}"
WINDOW="${WINDOW:-$EXPIRES}"   # one whole refresh cycle: every account refreshes in it, however bursty the client
RATE="${RATE:-1000}"
LIMIT=$((120 + N / 100))   # seconds, for every wait that scales with N
. scripts/lib/bench-common.sh
[ -x "$KAM" ] && [ -f "$MODS/uac.so" ] || { echo "needs kamailio with the uac module (.ci/install.d/20-kamailio.sh)" >&2; exit 2; }

build_sipis_jar
SEED_CP=$(test_classpath sipis-store)
# utime+stime+cutime+cstime (clock ticks) of a process and its direct children
ticks() { tree_ticks "$1" own_ticks_reaped; }
ushm() { "$KAMCMD" -s "unix:$1/ctl" core.shmmem 2>/dev/null | awk '/used:/{print $2; exit}'; }

# ---- the registrar: N subscribers u<i>/pw-<i> in example.com (the accounts RestoreSeeder stores)
REG="$W/registrar"
REGPORT=$(free_port)
registrar_db "$REG" "$N"
registrar_cfg "$REG" "$REGPORT" 4
start_registrar() { kam_start "$REG" 1024; REGPID=$KAM_PID; kam_wait_up "$REG" 20; }

# registrar sampler: one line per second "ms rcv_register accepted users"
sample_registrar() {
  local out="$1" i=0
  touch "$W/sampling"
  while [ -f "$W/sampling" ] && [ $i -lt 7200 ]; do
    echo "$(now_ms) $(kstat "$REG" rcv_requests_register) $(kstat "$REG" accepted_regs) $(kstat "$REG" registered_users)" >> "$out"
    i=$((i + 1)); sleep 1
  done
}
users() { kstat "$REG" registered_users; }
accepted() { kstat "$REG" accepted_regs; }
rcv() { kstat "$REG" rcv_requests_register; }
busiest() { awk 'NR>1{d=($2-p)*1000/($1-t); if(d>m)m=d} {p=$2;t=$1} END{printf "%.0f", m}' "$1"; }

# steady-state measurement of one client: CLIENT pid, optional DB pid -> prints key=value lines
steady() {
  local cpid=$1 dbpid=$2 tag=$3
  local c0 d0 r0 a0 q0 u0 c1 d1 r1 a1 q1 u1
  thread_ticks "$cpid" > "$W/$tag-threads0"
  c0=$(ticks "$cpid"); d0=$([ -n "$dbpid" ] && ticks "$dbpid" || echo 0); r0=$(ticks "$REGPID"); a0=$(accepted); q0=$(rcv); u0=$(udp_errs)
  sleep "$WINDOW"
  c1=$(ticks "$cpid"); d1=$([ -n "$dbpid" ] && ticks "$dbpid" || echo 0); r1=$(ticks "$REGPID"); a1=$(accepted); q1=$(rcv); u1=$(udp_errs)
  thread_ticks "$cpid" > "$W/$tag-threads1"
  [ "$tag" != sipis ] || { echo "sipis: CPU-s of the JVM's threads in the window, by name:"
    thread_cpu_diff "$W/$tag-threads0" "$W/$tag-threads1" | head -12 | sed 's/^/  /'; } >&2
  python3 - "$tag" "$HZ" "$c0" "$c1" "$d0" "$d1" "$r0" "$r1" "$a0" "$a1" "$q0" "$q1" "$u0" "$u1" "$WINDOW" <<'PY'
import sys
tag, hz = sys.argv[1], int(sys.argv[2])
c0, c1, d0, d1, r0, r1, a0, a1, q0, q1, u0, u1, win = map(int, sys.argv[3:])
ref = max(a1 - a0, 1)
per = lambda t: t / hz / ref * 10000
print(f"{tag}_refreshes={a1-a0}")
print(f"{tag}_refresh_rate={(a1-a0)/win:.0f}")
print(f"{tag}_cpu={per(c1-c0):.3f}")
print(f"{tag}_cpu_db={per(c1-c0+d1-d0):.3f}")
print(f"{tag}_reg_cpu={per(r1-r0):.3f}")
print(f"{tag}_registers_per_refresh={(q1-q0)/ref:.2f}")
print(f"{tag}_udp_drops={u1-u0}")
PY
}

RES="$W/results"; : > "$RES"
echo "machine: $(nproc) cores, $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo), $(free -g | awk '/Mem:/{print $2}') GiB; N=$N expires=${EXPIRES}s window=${WINDOW}s"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

# ================= uac_reg =================
if [ -z "${SKIP_UAC:-}" ]; then
start_registrar
UAC="$W/uac"; mkdir -p "$UAC/db"
UACPORT=$(free_port)
cp /usr/share/kamailio/dbtext/kamailio/version "$UAC/db/"
cp /usr/share/kamailio/dbtext/kamailio/uacreg "$UAC/db/"
python3 - "$N" "$UAC/db/uacreg" "$REGPORT" "$UACPORT" "$EXPIRES" <<'PY'
import hashlib, sys
n, out, rp, up, ex = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
md5 = lambda s: hashlib.md5(s.encode()).hexdigest()
with open(out, "a") as f:
    for i in range(n):
        u, p = f"u{i}", f"pw-{i}"
        # id:l_uuid:l_username:l_domain:r_username:r_domain:realm:auth_username:auth_password:auth_ha1:auth_proxy:expires:flags:reg_delay:contact_addr:socket
        f.write(f"{i+1}:{u}:{u}:example.com:{u}:example.com:example.com:{u}:{p}:{md5(u+':example.com:'+p)}:"
                f"sip\\:127.0.0.1\\:{rp}:{ex}:0:0:127.0.0.1\\:{up}:udp\\:127.0.0.1\\:{up}\n")
PY
cat > "$UAC/kamailio.cfg" <<CFG
#!KAMAILIO
debug=1
log_stderror=yes
children=2
listen=udp:127.0.0.1:$UACPORT
mpath="$MODS/"
loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "db_text.so"
loadmodule "rr.so"
loadmodule "uac.so"
loadmodule "ctl.so"
modparam("ctl", "binrpc", "unix:$UAC/ctl")
modparam("uac", "reg_db_url", "text://$UAC/db")
modparam("uac", "reg_contact_addr", "127.0.0.1:$UACPORT")
modparam("uac", "reg_timer_interval", 5)
modparam("uac", "reg_retry_interval", 10)
modparam("uac", "reg_keep_callid", 1)
modparam("uac", "reg_hash_size", 14)
request_route { sl_send_reply("404", "Not Here"); exit; }
CFG
T0=$(now_ms)
kam_start "$UAC" 1024; UACPID=$KAM_PID
sample_registrar "$W/uac-samples" & SAMPLER=$!; PIDS+=("$SAMPLER")

COLD=$(wait_until "$N" "$LIMIT" users); echo "uac_cold_ms=$COLD (from process start)" | tee -a "$RES"
echo "uac_cold_busiest=$(busiest "$W/uac-samples")" | tee -a "$RES"
echo "uac_idle_rss_kb=$(rss_kb "$UACPID")" >> "$RES"
sleep "$EXPIRES"   # into the refresh cycle
steady "$UACPID" "" uac | tee -a "$RES"
echo "uac_rss_kb=$(rss_kb "$UACPID")" | tee -a "$RES"
echo "uac_shm_used=$(ushm "$UAC")" | tee -a "$RES"
echo "uac_steady_busiest=$(busiest "$W/uac-samples")" | tee -a "$RES"
# restart: SIGTERM, start again, time until N more accepted registrations
A0=$(accepted); stop_pid "$UACPID"
kam_start "$UAC" 1024 log2; UACPID=$KAM_PID
ACC_TARGET=$((A0 + N)); acc_target() { accepted; }
echo "uac_restart_ms=$(wait_until "$ACC_TARGET" "$LIMIT" accepted)" | tee -a "$RES"
stop_pid "$UACPID"; rm -f "$W/sampling"; wait "$SAMPLER" 2>/dev/null || true
stop_pid "$REGPID"
echo "load average after uac_reg: $(cut -d' ' -f1-3 /proc/loadavg)"
fi

# ================= sipis run =================
start_registrar
S="$W/sipis"
sipis_settings "$S" "$RATE"
java -Xmx1g -cp "$SEED_CP" org.opensipis.store.RestoreSeeder "$S/pgdata" "$S/sipis.key" "$N" "$REGPORT" "$EXPIRES"
JOPTS="${SIPIS_JAVA_OPTS:-}"
[ -n "${JFR:-}" ] && JOPTS="$JOPTS -XX:StartFlightRecording=filename=$S/run.jfr,settings=profile,delay=$((N / RATE + EXPIRES))s,duration=${WINDOW}s"
start_sipis() {
  # shellcheck disable=SC2086
  java $JOPTS -jar "${SIPIS_JAR:-sipis-server/target/sipis.jar}" run "$S/Settings.xml" >> "$S/out.txt" 2>&1 &
  SPID=$!; PIDS+=("$SPID")
}
sample_registrar "$W/sipis-samples" & SAMPLER=$!; PIDS+=("$SAMPLER")
T0=$(now_ms); start_sipis
COLD=$(wait_until "$N" "$LIMIT" users); echo "sipis_cold_ms=$COLD (from process start; the throttle alone needs $((N * 1000 / RATE)) ms)" | tee -a "$RES"
echo "sipis_cold_busiest=$(busiest "$W/sipis-samples")" | tee -a "$RES"
grep -h "Loaded .* instance" "$S/sipis.log" "$S/out.txt" 2>/dev/null | head -1 || true
PGPID=$(pg_pid "$S")
sleep "$EXPIRES"
steady "$SPID" "$PGPID" sipis | tee -a "$RES"
jcmd "$SPID" GC.run >/dev/null
jcmd "$SPID" GC.heap_info > "$W/heap_info"
HEAP_KB=$(heap_kb "$W/heap_info")
echo "sipis_heap_kb=$HEAP_KB" | tee -a "$RES"
echo "sipis_rss_kb=$(awk '/VmRSS/{print $2}' /proc/$SPID/status)" | tee -a "$RES"
echo "sipis_pg_rss_kb=$(rss_kb "$PGPID")" | tee -a "$RES"
echo "sipis_steady_busiest=$(busiest "$W/sipis-samples")" | tee -a "$RES"
[ -n "${JFR:-}" ] && { jcmd "$SPID" JFR.dump filename="$S/run.jfr" >/dev/null 2>&1 || true; cp "$S/run.jfr" sipis-server/target/bench-whole.jfr 2>/dev/null && echo "JFR: sipis-server/target/bench-whole.jfr"; }
# restart: SIGTERM, start; time until HTTP answers, fewest registered users meanwhile
: > "$W/restart-samples"
stop_pid "$SPID"
R0=$(now_ms); start_sipis
UP=timeout
for _ in $(seq 1 $((LIMIT * 5))); do
  echo "$(users)" >> "$W/restart-samples"
  if curl -fsS "http://127.0.0.1:$HTTP/about" >/dev/null 2>&1; then UP=$(( $(now_ms) - R0 )); break; fi
  sleep 0.2
done
for _ in $(seq 1 25); do echo "$(users)" >> "$W/restart-samples"; sleep 0.2; done
echo "sipis_restart_http_ms=$UP" | tee -a "$RES"
echo "sipis_restart_min_users=$(grep -v '^$' "$W/restart-samples" | sort -n | head -1)" | tee -a "$RES"
grep -h "Loaded .* instance" "$S/sipis.log" | tail -1 || true
rm -f "$W/sampling"; wait "$SAMPLER" 2>/dev/null || true
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

# ================= ratios =================
python3 - "$RES" "$N" <<'PY'
import sys
kv = {}
for line in open(sys.argv[1]):
    if "=" in line:
        k, v = line.split("=", 1)
        v = v.split()
        kv[k.strip()] = v[0] if v else ""
n = int(sys.argv[2])
f = lambda k: float(kv[k]) if k in kv and kv[k] not in ("", "timeout") else float("nan")
r = lambda a, b: f"{f(a)/f(b):.2f}" if f(b) else "-"
rows = [
 ("CPU-s per 10,000 refreshes (process)", f("sipis_cpu"), f("uac_cpu"), r("sipis_cpu", "uac_cpu")),
 ("CPU-s per 10,000 refreshes (process + its database)", f("sipis_cpu_db"), f("uac_cpu"), f"{f('sipis_cpu_db')/f('uac_cpu'):.2f}"),
 ("Registrar CPU-s per 10,000 refreshes", f("sipis_reg_cpu"), f("uac_reg_cpu"), r("sipis_reg_cpu", "uac_reg_cpu")),
 ("REGISTERs per refresh", f("sipis_registers_per_refresh"), f("uac_registers_per_refresh"), r("sipis_registers_per_refresh", "uac_registers_per_refresh")),
 ("Refreshes/s in the window", f("sipis_refresh_rate"), f("uac_refresh_rate"), ""),
 ("UDP drops in the window", f("sipis_udp_drops"), f("uac_udp_drops"), ""),
 ("Memory per instance, B (sipis: heap after full GC; uac_reg: shm used)", f("sipis_heap_kb")*1024/n, f("uac_shm_used")/n, f"{f('sipis_heap_kb')*1024/f('uac_shm_used'):.2f}"),
 ("RSS per instance, B (sipis: JVM only)", f("sipis_rss_kb")*1024/n, f("uac_rss_kb")*1024/n, r("sipis_rss_kb", "uac_rss_kb")),
 ("All registered after a cold start, ms", f("sipis_cold_ms"), f("uac_cold_ms"), r("sipis_cold_ms", "uac_cold_ms")),
 ("Busiest 1-s window at the registrar (cold start), REGISTER/s", f("sipis_cold_busiest"), f("uac_cold_busiest"), r("sipis_cold_busiest", "uac_cold_busiest")),
 ("Restart: serving again (sipis: HTTP up; uac_reg: N re-registered), ms", f("sipis_restart_http_ms"), f("uac_restart_ms"), ""),
 ("Restart: fewest registered users seen (sipis)", f("sipis_restart_min_users"), float("nan"), ""),
]
print(f"\n| N = {n:,} | sipis run | uac_reg | sipis / uac_reg |\n|---|---|---|---|")
for name, a, b, q in rows:
    fmt = lambda x: "-" if x != x else (f"{x:,.3f}" if abs(x) < 10 else f"{x:,.0f}")
    print(f"| {name} | {fmt(a)} | {fmt(b)} | {q} |")
PY
if [ -n "${APP:-}" ]; then
  echo; echo "HTTP ingest (scripts/bench-ingest.sh 8 10):"; scripts/bench-ingest.sh 8 10 || true
  echo; echo "Incoming calls (scripts/bench-incoming.sh 10 200):"; scripts/bench-incoming.sh 10 200 || true
fi
