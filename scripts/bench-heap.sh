#!/usr/bin/env bash
# Heap per instance of the whole process: seeds N instances into the embedded database, starts a
# Kamailio registrar (digest, passwords in an htable, usrloc in memory; the accounts RestoreSeeder
# stores) and `java -jar sipis.jar run`, waits until all N are registered and then EXPIRES s more
# (into the refresh cycle), runs a full GC and prints the heap used / N and the class histogram
# (jcmd GC.class_histogram, itself after a full GC) as bytes per instance per class, top TOP.
# Over the WAIT window it also counts the JVM's CPU time (and its embedded PostgreSQL's) per 10,000
# accepted REGISTERs at the registrar and samples the JVM's RSS, to compare JVM flags
# (SIPIS_JAVA_OPTS); for a window in the refresh cycle pick EXPIRES so that N / (0.8 * EXPIRES) is
# well under RATE and WAIT >= EXPIRES (e.g. EXPIRES=180 WAIT=180 at 100,000).
# WAIT (default EXPIRES) is how long to stay in the refresh cycle; HISTO=file keeps the raw histogram.
# Usage: [EXPIRES=300] [WAIT=...] [RATE=1000] [TOP=25] [HISTO=file] [SIPIS_JAVA_OPTS=...] [SIPIS_JAR=...] [KEEP=1]
#        scripts/bench-heap.sh [N=100000]
# Needs kamailio and python3. Bounded: every wait has a deadline. Nothing leaves 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"
EXPIRES="${EXPIRES:-300}"
RATE="${RATE:-1000}"
TOP="${TOP:-25}"
WAIT="${WAIT:-$EXPIRES}"
LIMIT=$((120 + N / 100))
KAM=/usr/sbin/kamailio
KAMCMD=/usr/sbin/kamcmd
MODS=/usr/lib/x86_64-linux-gnu/kamailio/modules
[ -x "$KAM" ] || { echo "needs kamailio (.ci/install.d/20-kamailio.sh)" >&2; exit 2; }
[ -n "${SIPIS_JAR:-}" ] || mvn -B -q -o -pl sipis-server -am package -DskipTests -Denforcer.skip=true
mvn -B -q -o -pl sipis-store -am test-compile dependency:build-classpath -Denforcer.skip=true \
  -Dmdep.outputFile="$PWD/sipis-store/target/bench.classpath" -Dmdep.includeScope=test
SEED_CP="sipis-store/target/test-classes:sipis-store/target/classes:$(cat sipis-store/target/bench.classpath)"

W="$(mktemp -d)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  [ -n "${KEEP:-}" ] && echo "kept $W" || rm -rf "$W"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
kstat() { "$KAMCMD" -s "unix:$1/ctl" stats.get_statistics all 2>/dev/null | awk -F' = ' -v k="$2" '$1 ~ k"$" {print $2; exit}'; }

# ---- the registrar (as in scripts/bench-whole.sh)
REG="$W/registrar"; mkdir -p "$REG/db"
REGPORT=$(free_port)
for t in version htable location location_attrs; do cp "/usr/share/kamailio/dbtext/kamailio/$t" "$REG/db/"; done
python3 - "$N" "$REG/db/htable" <<'PY'
import sys
n, out = int(sys.argv[1]), sys.argv[2]
with open(out, "a") as f:
    for i in range(n):
        f.write(f"{i+1}:u{i}:0:0:pw-{i}:0\n")
PY
cat > "$REG/kamailio.cfg" <<CFG
#!KAMAILIO
debug=1
log_stderror=yes
children=2
listen=udp:127.0.0.1:$REGPORT
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
loadmodule "htable.so"
loadmodule "ctl.so"
modparam("ctl", "binrpc", "unix:$REG/ctl")
modparam("usrloc", "db_mode", 0)
modparam("usrloc", "hash_size", 14)
modparam("registrar", "min_expires", 5)
modparam("htable", "db_url", "text://$REG/db")
modparam("htable", "htable", "users=>size=17;dbtable=htable;")
request_route {
    if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
    if (is_method("REGISTER")) {
        if (!pv_auth_check("\$fd", "\$sht(users=>\$fU)", "0", "1")) { auth_challenge("\$fd", "0"); exit; }
        consume_credentials();
        if (!save("location")) { sl_reply_error(); }
        exit;
    }
    sl_send_reply("404", "Not Here");
}
CFG
"$KAM" -DD -E -f "$REG/kamailio.cfg" -m 1024 -M 16 > "$REG/log" 2>&1 &
REGPID=$!; PIDS+=("$REGPID")
for _ in $(seq 1 100); do [ -n "$(kstat "$REG" registered_users)" ] && break; sleep 0.2; done
[ -n "$(kstat "$REG" registered_users)" ] || { cat "$REG/log" >&2; exit 1; }

# ---- sipis run
S="$W/sipis"; mkdir -p "$S/lb2"
HTTP=$(free_port)
head -c 16 /dev/urandom > "$S/sipis.key"
echo '<LoadBalancer2><Backend><Sipis Name="R" Address="127.0.0.1:1"/></Backend></LoadBalancer2>' > "$S/lb2/Settings.xml"
cat > "$S/Settings.xml" <<XML
<Sipis><Server Name="R" Realm="R" Address="127.0.0.1" Port="$(free_port)" FilterInstancesAccordingToLoadBalancer2BackendSection="Yes"/>
<RegistrarTargets><Allow Network="127.0.0.0/8"/></RegistrarTargets>
<Registration Address="127.0.0.1" Port="$(free_port)" GlobalRate="$RATE" PerRegistrarRate="$RATE"/>
<HttpServer Address="127.0.0.1" Port="$HTTP" AuthenticationMethod="None"/>
<Database EmbeddedDirectory="pgdata"/><Lock FileName="sipis.lock"/><Log FileName="sipis.log"/>
<LoadBalancer2 FileName="lb2/Settings.xml"/></Sipis>
XML
java -Xmx1g -cp "$SEED_CP" org.opensipis.store.RestoreSeeder "$S/pgdata" "$S/sipis.key" "$N" "$REGPORT" "$EXPIRES"
# shellcheck disable=SC2086
java ${SIPIS_JAVA_OPTS:-} -jar "${SIPIS_JAR:-sipis-server/target/sipis.jar}" run "$S/Settings.xml" > "$S/out.txt" 2>&1 &
SPID=$!; PIDS+=("$SPID")
T0=$(date +%s)
while [ "$(kstat "$REG" registered_users)" -lt "$N" ] 2>/dev/null; do
  kill -0 "$SPID" 2>/dev/null || { tail -20 "$S/out.txt" >&2; exit 1; }
  [ $(( $(date +%s) - T0 )) -lt "$LIMIT" ] || { echo "only $(kstat "$REG" registered_users) of $N registered after ${LIMIT}s" >&2; exit 1; }
  sleep 1
done
echo "all $N registered after $(( $(date +%s) - T0 )) s; waiting ${WAIT} s into the refresh cycle"
HZ=$(getconf CLK_TCK)
cpu_ticks() { awk '{sub(/^.*\) /,""); print $12+$13}' "/proc/$1/stat" 2>/dev/null || echo 0; }
tree_ticks() { local t=0 p; for p in "$1" $(pgrep -P "$1" || true); do t=$((t + $(cpu_ticks "$p"))); done; echo "$t"; }
PGPID=$(head -1 "$(find "$S/pgdata" -name postmaster.pid | head -1)" 2>/dev/null || echo "")
C0=$(cpu_ticks "$SPID"); D0=$([ -n "$PGPID" ] && tree_ticks "$PGPID" || echo 0); A0=$(kstat "$REG" accepted_regs)
sleep "$WAIT"
C1=$(cpu_ticks "$SPID"); D1=$([ -n "$PGPID" ] && tree_ticks "$PGPID" || echo 0); A1=$(kstat "$REG" accepted_regs)
echo "registered users: $(kstat "$REG" registered_users), accepted REGISTERs: $A1"
python3 - "$HZ" "$C0" "$C1" "$D0" "$D1" "$A0" "$A1" "$WAIT" <<'PY'
import sys
hz, c0, c1, d0, d1, a0, a1, win = map(int, sys.argv[1:])
ref = max(a1 - a0, 1)
print(f"window {win} s: {a1 - a0} accepted REGISTERs ({(a1 - a0) / win:.0f}/s); JVM {(c1 - c0) / hz:.1f} CPU-s = "
      f"{(c1 - c0) / hz / ref * 10000:.3f} per 10,000; JVM + its PostgreSQL {(c1 - c0 + d1 - d0) / hz / ref * 10000:.3f} per 10,000")
PY
jcmd "$SPID" GC.run >/dev/null
jcmd "$SPID" GC.heap_info | tee "$W/heap_info"
# used of the whole heap: G1 has one line, Serial and Parallel one per generation
HEAP_KB=$(awk '/garbage-first heap|def new generation|tenured generation|PSYoungGen|ParOldGen/{for(i=1;i<=NF;i++) if($i=="used"){v=$(i+1); sub(/K,?/,"",v); t+=v}} END{print t+0}' "$W/heap_info")
echo "heap used after full GC: ${HEAP_KB} KB = $((HEAP_KB * 1024 / N)) B per instance"
echo "RSS (JVM): $(awk '/VmRSS/{print $2}' /proc/$SPID/status) KB; committed heap: $(awk '/garbage-first heap|def new generation|tenured generation|PSYoungGen|ParOldGen/{for(i=1;i<=NF;i++) if($i=="total"){v=$(i+1); sub(/K,?/,"",v); t+=v}} END{print t+0}' "$W/heap_info") KB"
jcmd "$SPID" GC.class_histogram > "$W/histo"
[ -z "${HISTO:-}" ] || cp "$W/histo" "$HISTO"
python3 - "$W/histo" "$N" "$TOP" <<'PY'
import sys
path, n, top = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rows, total = [], 0
for line in open(path):
    p = line.split()
    if len(p) >= 4 and p[0].endswith(":"):
        rows.append((int(p[2]), int(p[1]), p[3]))
    elif p and p[0] == "Total":
        total = int(p[2])
print(f"\nclass histogram: {total:,} B in all = {total / n:,.0f} B per instance\n")
print("| class | instances per instance | B per instance |\n|---|---|---|")
for b, c, name in sorted(rows, reverse=True)[:top]:
    print(f"| `{name}` | {c / n:.2f} | {b / n:,.1f} |")
PY
