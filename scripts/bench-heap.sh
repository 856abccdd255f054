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
# It also prints the CPU-s of the JVM's threads in that window, by thread name (THREADS_TOP=12 of them).
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
. scripts/lib/bench-common.sh
[ -x "$KAM" ] || { echo "needs kamailio (.ci/install.d/20-kamailio.sh)" >&2; exit 2; }
build_sipis_jar
SEED_CP=$(test_classpath sipis-store)

# ---- the registrar (as in scripts/bench-whole.sh)
REG="$W/registrar"
REGPORT=$(free_port)
registrar_db "$REG" "$N"
registrar_cfg "$REG" "$REGPORT" 2
kam_start "$REG" 1024
kam_wait_up "$REG" 20

# ---- sipis run
S="$W/sipis"
sipis_settings "$S" "$RATE"
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
PGPID=$(pg_pid "$S")
thread_ticks "$SPID" > "$W/threads0"
C0=$(own_ticks "$SPID"); D0=$([ -n "$PGPID" ] && tree_ticks "$PGPID" || echo 0); A0=$(kstat "$REG" accepted_regs)
sleep "$WAIT"
C1=$(own_ticks "$SPID"); D1=$([ -n "$PGPID" ] && tree_ticks "$PGPID" || echo 0); A1=$(kstat "$REG" accepted_regs)
thread_ticks "$SPID" > "$W/threads1"
echo "registered users: $(kstat "$REG" registered_users), accepted REGISTERs: $A1"
python3 - "$HZ" "$C0" "$C1" "$D0" "$D1" "$A0" "$A1" "$WAIT" <<'PY'
import sys
hz, c0, c1, d0, d1, a0, a1, win = map(int, sys.argv[1:])
ref = max(a1 - a0, 1)
print(f"window {win} s: {a1 - a0} accepted REGISTERs ({(a1 - a0) / win:.0f}/s); JVM {(c1 - c0) / hz:.1f} CPU-s = "
      f"{(c1 - c0) / hz / ref * 10000:.3f} per 10,000; JVM + its PostgreSQL {(c1 - c0 + d1 - d0) / hz / ref * 10000:.3f} per 10,000")
PY
echo "JVM threads' CPU-s in the window (by name, digits as #), busiest first:"
thread_cpu_diff "$W/threads0" "$W/threads1" | head -"${THREADS_TOP:-12}" | sed 's/^/  /'
jcmd "$SPID" GC.run >/dev/null
jcmd "$SPID" GC.heap_info | tee "$W/heap_info"
HEAP_KB=$(heap_kb "$W/heap_info")
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
