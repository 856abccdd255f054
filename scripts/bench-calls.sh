#!/usr/bin/env bash
# Incoming calls into the WHOLE process: the real `java -jar sipis.jar run` (embedded PostgreSQL)
# keeps N instances (each with an APNs VoIP token and an alert token) registered at a Kamailio
# registrar that is also the proxy (lookup("location") + t_relay()); the push provider is Pushy's
# MockApnsServer over TLS in its own JVM (sipis-call's bench PushEndpoint, reached through the
# <Apns Host/Port> settings, its self-signed certificate trusted through javax.net.ssl.trustStore);
# SIPp places INVITEs through the proxy at fixed rates, each call to the next instance (an
# injection file u0..u<N-1>). Every call ends by the caller: after the 180 Push-Notification-Sent
# (or 2 s without it) SIPp sends CANCEL, gets 200 + 487 and ACKs, so a run is bounded by SIPp, not
# by T1. Per rate:
#   - calls placed, successful, failed (SIPp),
#   - INVITE → first 180 p50/p99: SIPp's gettimeofday just before it sends the INVITE and when it
#     gets the first 180 (so it includes Kamailio both ways),
#   - INVITE → push on the wire p50/p99: that INVITE timestamp vs the mock's wall-clock arrival
#     stamp of the first notification carrying the call's Call-ID (same machine, same clock),
#   - CPU-ms per call of the sipis JVM (/proc/<pid>/stat utime+stime over the SIPp run ÷ calls),
#     also net of the idle rate measured just before, and of its PostgreSQL,
#   - pushes received, pushes the mock rejected, UDP receive errors on the machine.
# Usage: [RATES=200,500,1000] [SECONDS_PER_RATE=20] [WARMUP_RATE=500] [WARMUP_CALLS=15000] [JFR=1] [SIPIS_JAVA_OPTS=...] [SIPIS_JAR=...]
#        [KEEP=1] scripts/bench-calls.sh [N=10000]
# JFR=1 records the highest rate (settings=profile) into sipis-server/target/bench-calls.jfr.
# Needs kamailio, sipp (Debian sip-tester), python3. Every wait has a deadline; all traffic is on
# 127.0.0.1 (every process is bound there, except Pushy's MockApnsServer, which has no bind
# address and listens on all; only the sipis process on 127.0.0.1 is pointed at it).
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-10000}"
RATES="${RATES:-200,500,1000}"
SECS="${SECONDS_PER_RATE:-20}"
EXPIRES=600
. scripts/lib/bench-common.sh
command -v sipp >/dev/null && [ -x "$KAM" ] || { echo "needs kamailio and sipp (.ci/install.d/20-kamailio.sh, 25-sipp.sh)" >&2; exit 2; }

build_sipis_jar
SEED_CP=$(test_classpath sipis-store)
PUSH_CP=$(test_classpath sipis-call)

# per-thread CPU ticks of a process, "name ticks" (digits in names folded), to see who spends it
thread_ticks() { local t; for t in /proc/"$1"/task/*; do
  awk '{n=$0; sub(/^[^(]*\(/,"",n); sub(/\) .*$/,"",n); gsub(/[0-9]+/,"N",n); gsub(/ /,"_",n); sub(/^.*\) /,""); print n, $12+$13}' "$t/stat" 2>/dev/null || true; done; }   # threads come and go
K="$W/kam"
all_registered() { [ "$(kstat "$K" registered_users || echo 0)" -ge "$N" ] 2>/dev/null; }

echo "machine: $(nproc) cores, $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo); N=$N rates=$RATES ${SECS}s each"
echo "uptime before: $(uptime)"

# ---- push endpoint (MockApnsServer over TLS, own JVM)
mkdir -p "$W/push"
java -Xmx256m -cp "$PUSH_CP" org.opensipis.sip.bench.PushEndpoint "$W/push" > "$W/push/out.txt" 2>&1 &
PUSHPID=$!; PIDS+=("$PUSHPID")
deadline_wait 60 test -s "$W/push/port" || { cat "$W/push/out.txt" >&2; exit 1; }
PUSHPORT=$(cat "$W/push/port")

# ---- Kamailio: registrar (digest, passwords in an htable) and proxy for the INVITEs
KPORT=$(free_port)
registrar_db "$K" "$N"
python3 - "$N" "$W/users.csv" <<'PY'
import sys
n = int(sys.argv[1])
with open(sys.argv[2], "w") as f:
    f.write("SEQUENTIAL\n")
    for i in range(n):
        f.write(f"u{i};\n")
PY
registrar_cfg "$K" "$KPORT" 4 proxy
kam_start "$K" 512; KPID=$KAM_PID
kam_wait_up "$K" 30

# ---- sipis run: N seeded instances, APNs route to the mock
S="$W/sipis"
sipis_settings "$S" 1000 "
<NotificationServers>
  <Apns AppId=\"com.example\" Topic=\"com.example.app\" KeyFile=\"$W/push/AuthKey_KEYID12345.p8\" KeyId=\"KEYID12345\"
        TeamId=\"TEAM123456\" Host=\"127.0.0.1\" Port=\"$PUSHPORT\"/>
</NotificationServers>"
java -Xmx1g -cp "$SEED_CP" org.opensipis.store.RestoreSeeder "$S/pgdata" "$S/sipis.key" "$N" "$KPORT" "$EXPIRES" > "$W/seed.txt" 2>&1 || { cat "$W/seed.txt" >&2; exit 1; }
JOPTS="${SIPIS_JAVA_OPTS:-} -Djavax.net.ssl.trustStore=$W/push/trust.p12 -Djavax.net.ssl.trustStorePassword=changeit -Djavax.net.ssl.trustStoreType=PKCS12"
# shellcheck disable=SC2086
java $JOPTS -jar "${SIPIS_JAR:-sipis-server/target/sipis.jar}" run "$S/Settings.xml" > "$S/out.txt" 2>&1 &
SPID=$!; PIDS+=("$SPID")
T0=$(date +%s)
deadline_wait $((120 + N / 100)) all_registered \
  || { echo "not all registered: $(kstat "$K" registered_users)" >&2; tail -20 "$S/out.txt" >&2; exit 1; }
echo "all $N registered $(( $(date +%s) - T0 )) s after start"
PGPID=$(pg_pid "$S")

# ---- the caller's scenario: INVITE, first 180 (timed), 180 Push-Notification-Sent (≤ 2 s), CANCEL
cat > "$W/call.xml" <<'XML'
<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="bench-calls">
  <nop><action><gettimeofday assign_to="is,ius"/><log message="I [call_id] [$is] [$ius]"/></action></nop>
  <send retrans="500">
    <![CDATA[
      INVITE sip:[field0]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=z9hG4bK-[pid]-[call_number]-inv
      From: "Bench Caller" <sip:caller@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[field0]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:caller@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0
      a=rtpmap:0 PCMU/8000

    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180">
    <action><gettimeofday assign_to="rs,rus"/><log message="R [call_id] [$rs] [$rus]"/></action>
  </recv>
  <recv response="180" timeout="2000" ontimeout="1"/>
  <label id="1"/>
  <send>
    <![CDATA[
      CANCEL sip:[field0]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=z9hG4bK-[pid]-[call_number]-inv
      From: "Bench Caller" <sip:caller@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[field0]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 CANCEL
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="180" optional="true"/>
  <recv response="200" optional="true" next="2"/>
  <recv response="487"/>
  <recv response="200" next="3"/>
  <label id="2"/>
  <recv response="487"/>
  <label id="3"/>
  <send>
    <![CDATA[
      ACK sip:[field0]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=z9hG4bK-[pid]-[call_number]-inv
      From: "Bench Caller" <sip:caller@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[field0]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
</scenario>
XML

# idle CPU of the process (registration refreshes, timers) just before the calls
idle_rate() { local a b; a=$(own_ticks "$SPID"); sleep 10; b=$(own_ticks "$SPID"); echo "$(( (b - a) * 1000 / HZ / 10 ))"; }   # CPU-ms per s
sipp_run() {  # rate calls tag
  local rate=$1 calls=$2 tag=$3
  (cd "$W" && sipp "127.0.0.1:$KPORT" -sf call.xml -inf users.csv -i 127.0.0.1 -p "$(free_port)" -t u1 \
     -r "$rate" -m "$calls" -l $((rate * 5)) -recv_timeout 5000 -nostdin -timeout $((calls / rate + 30))s \
     -trace_logs -log_file "$W/$tag.log" -trace_err -error_file "$W/$tag.err" > "$W/$tag.out" 2>&1) || true
}
# warm-up: JIT, the HTTP/2 connection to the mock
WARM_RATE="${WARMUP_RATE:-500}"; WARM_CALLS="${WARMUP_CALLS:-15000}"
sipp_run "$WARM_RATE" "$WARM_CALLS" warmup
echo "warm-up ($WARM_CALLS calls at $WARM_RATE/s): $(grep -E 'Successful call|Failed call' "$W/warmup.out" | tail -2 | tr -s ' |' ' ' | tr '\n' ' ')"
RES="$W/results"; : > "$RES"
IFS=, read -r -a RATE_LIST <<< "$RATES"
HIGHEST=${RATE_LIST[-1]}
for rate in "${RATE_LIST[@]}"; do
  calls=$((rate * SECS))
  idle=$(idle_rate)
  [ -n "${JFR:-}" ] && [ "$rate" = "$HIGHEST" ] && jcmd "$SPID" JFR.start name=calls settings=profile filename="$W/calls.jfr" >/dev/null
  : > "$W/push/mark"; P0=$(wc -l < "$W/push/pushes.txt")
  thread_ticks "$SPID" > "$W/threads0"
  k0=$(tree_ticks "$KPID"); m0=$(own_ticks "$PUSHPID")
  u0=$(udp_errs); c0=$(own_ticks "$SPID"); d0=$(tree_ticks "$PGPID"); t0=$(date +%s%3N)
  sipp_run "$rate" "$calls" "r$rate"
  t1=$(date +%s%3N); c1=$(own_ticks "$SPID"); d1=$(tree_ticks "$PGPID"); u1=$(udp_errs)
  thread_ticks "$SPID" > "$W/threads1"
  k1=$(tree_ticks "$KPID"); m1=$(own_ticks "$PUSHPID")
  awk -v k=$((k1 - k0)) -v m=$((m1 - m0)) -v hz="$HZ" -v n="$calls" \
    'BEGIN{printf "  the other processes, CPU-ms per call: Kamailio (all its processes) %.3f, push mock %.3f\n", k*1000/hz/n, m*1000/hz/n}'
  echo "  JVM CPU-ms per call by thread at $rate/s: $(awk -v hz="$HZ" -v n="$calls" 'FNR==NR{a[$1]-=$2; next} {a[$1]+=$2} END{for(k in a) if(a[k]>0) printf "%s %.3f\n", k, a[k]*1000/hz/n}' "$W/threads0" "$W/threads1" | sort -k2 -rn | head -8 | tr '\n' ' ')"
  [ -n "${JFR:-}" ] && [ "$rate" = "$HIGHEST" ] && { jcmd "$SPID" JFR.stop name=calls >/dev/null; cp "$W/calls.jfr" sipis-server/target/bench-calls.jfr; echo "JFR: sipis-server/target/bench-calls.jfr"; }
  sleep 1   # the mock flushes its stamps every 200 ms
  python3 - "$rate" "$calls" "$W/r$rate.log" "$W/push/pushes.txt" "$P0" "$W/r$rate.out" "$HZ" "$c0" "$c1" "$d0" "$d1" "$t0" "$t1" "$idle" "$u0" "$u1" "$(cat "$W/push/rejected")" "$W/threads0" "$W/threads1" <<'PY' | tee -a "$RES"
import re, sys
rate, calls, log, pushes, p0, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6]
hz, c0, c1, d0, d1, t0, t1, idle, u0, u1, rej = map(int, sys.argv[7:18])
jit = 0   # ticks of the JIT compiler threads in the window (still compiling after the warm-up)
for sign, f in ((-1, sys.argv[18]), (1, sys.argv[19])):
    for line in open(f):
        p = line.split()
        if len(p) == 2 and "CompilerThre" in p[0]:
            jit += sign * int(p[1])
inv, r180 = {}, {}
for line in open(log, errors="replace"):
    p = line.split()
    if len(p) >= 4 and p[0] in ("I", "R"):
        us = int(float(p[2])) * 1_000_000 + int(float(p[3]))
        (inv if p[0] == "I" else r180)[p[1]] = us
push = {}
npush = 0
with open(pushes) as f:
    for i, line in enumerate(f):
        if i < p0: continue
        p = line.split()
        if len(p) == 3:
            npush += 1
            push.setdefault(p[2], int(p[0]))
def pct(v, q):
    if not v: return float("nan")
    v = sorted(v); return v[min(len(v) - 1, int(q * len(v)))] / 1000
a = [r180[c] - inv[c] for c in r180 if c in inv]
b = [push[c] - inv[c] for c in push if c in inv]
txt = open(out, errors="replace").read()
def count(name):
    m = re.findall(name + r"\s*\|\s*\d+\s*\|\s*(\d+)", txt)
    return int(m[-1]) if m else -1
ok, failed = count("Successful call"), count("Failed call")
win = (t1 - t0) / 1000
cpu_ms = (c1 - c0) * 1000 / hz
placed = len(inv)
print(f"rate={rate} placed={placed} ok={ok} failed={failed} window_s={win:.1f} "
      f"first180_n={len(a)} first180_p50_ms={pct(a,.5):.2f} first180_p99_ms={pct(a,.99):.2f} "
      f"push_n={len(b)} push_p50_ms={pct(b,.5):.2f} push_p99_ms={pct(b,.99):.2f} pushes_received={npush} mock_rejected={rej} "
      f"jvm_cpu_ms_per_call={cpu_ms/max(placed,1):.3f} jvm_cpu_ms_per_call_net_of_idle={(cpu_ms - idle*win)/max(placed,1):.3f} "
      f"jvm_cpu_ms_per_call_without_jit={(cpu_ms - jit*1000/hz)/max(placed,1):.3f} "
      f"idle_cpu_ms_per_s={idle} pg_cpu_ms_per_call={(d1-d0)*1000/hz/max(placed,1):.3f} udp_errors={u1-u0}")
PY
done
echo "uptime after: $(uptime)"
grep -c " ERROR \| WARN " "$S/sipis.log" 2>/dev/null | sed 's/^/sipis.log WARN+ERROR lines: /' || true
echo
echo "| calls/s | calls placed | ok / failed | first 180 p50 / p99 | INVITE → push p50 / p99 | JVM CPU-ms per call (net of idle) | JVM without JIT threads | PostgreSQL CPU-ms per call | UDP errors |"
echo "|---|---|---|---|---|---|---|---|---|"
python3 - "$RES" <<'PY'
import sys
for line in open(sys.argv[1]):
    kv = dict(x.split("=", 1) for x in line.split())
    print(f"| {kv['rate']} | {kv['placed']} | {kv['ok']} / {kv['failed']} | {kv['first180_p50_ms']} / {kv['first180_p99_ms']} ms | "
          f"{kv['push_p50_ms']} / {kv['push_p99_ms']} ms | {kv['jvm_cpu_ms_per_call']} ({kv['jvm_cpu_ms_per_call_net_of_idle']}) | "
          f"{kv['jvm_cpu_ms_per_call_without_jit']} | {kv['pg_cpu_ms_per_call']} | {kv['udp_errors']} |")
PY
