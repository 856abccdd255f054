#!/usr/bin/env bash
# How far one `sipis run` goes on this machine: N instances (default 1,000,000) in one process.
# Seeds N instances into the embedded database (RestoreSeeder: two sealed secrets and two push
# tokens each, expiry EXPIRES), starts a Kamailio registrar (digest, passwords in an htable, usrloc
# in memory) and the real `java -jar sipis.jar run` at RATE REGISTER/s, and prints:
#   - restore: the process's own "Loaded N instances in X ms" line,
#   - cold start: time until all N are registered at the registrar (the throttle allows N / RATE),
#   - idle: the JVM's (and its PostgreSQL's) CPU over IDLE s with every instance registered and no
#     refresh due yet (timers, GC, metrics, the change poll: what N instances cost doing nothing),
#   - heap used after a full GC, per instance and in all, and the JVM's RSS,
#   - refresh: CPU per 10,000 refreshes over WINDOW s once the refreshes of the cold start come due
#     (RATE/s of them: the cold start's pace),
#   - the steady state at the default expiry (3600 s, refreshed at 0.8 of it: N / 2,880 refreshes/s)
#     as idle CPU + that rate x CPU per refresh, in % of one core.
# Usage: [RATE=5000] [EXPIRES=600] [IDLE=60] [WINDOW=120] [KAM_SHM=4096] [KAM_PKG=16+N/2000] [SIPIS_JAVA_OPTS=...] [KEEP=1]
#        scripts/bench-million.sh [N=1000000]
# EXPIRES must leave the idle window between the end of the cold start and the first refresh
# (0.76 x EXPIRES after the first registration): EXPIRES > (N / RATE + IDLE + 30) / 0.76.
# Needs kamailio and python3; about 4 GB of memory for Kamailio and 2 GB for the JVM at 1,000,000.
# Bounded: every wait has a deadline. Nothing leaves 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000000}"
RATE="${RATE:-5000}"
EXPIRES="${EXPIRES:-600}"
IDLE="${IDLE:-60}"
WINDOW="${WINDOW:-120}"
KAM_SHM="${KAM_SHM:-4096}"
# Kamailio's private memory (MB per process): loading N passwords into the htable goes through it
KAM_PKG="${KAM_PKG:-$((16 + N / 2000))}"
LIMIT=$((120 + N / RATE * 2))
. scripts/lib/bench-common.sh
[ -x "$KAM" ] || { echo "needs kamailio (.ci/install.d/20-kamailio.sh)" >&2; exit 2; }
python3 -c "import sys; n,r,e,i=map(int,sys.argv[1:]); sys.exit(0 if e*0.76 > n/r + i + 30 else 1)" "$N" "$RATE" "$EXPIRES" "$IDLE" \
  || { echo "EXPIRES=$EXPIRES leaves no idle window before the first refresh at N=$N RATE=$RATE IDLE=$IDLE" >&2; exit 2; }
build_sipis_jar
SEED_CP=$(test_classpath sipis-store)
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; N=$N rate=$RATE/s expires=${EXPIRES}s; load $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- the registrar
REG="$W/registrar"
REGPORT=$(free_port)
registrar_db "$REG" "$N"
REG_PW=computed registrar_cfg "$REG" "$REGPORT" 4
kam_start "$REG" "$KAM_SHM"
kam_wait_up "$REG" 120

# ---- sipis run
S="$W/sipis"
sipis_settings "$S" "$RATE"
java -Xmx2g -cp "$SEED_CP" org.opensipis.store.RestoreSeeder "$S/pgdata" "$S/sipis.key" "$N" "$REGPORT" "$EXPIRES" | grep seeded
# shellcheck disable=SC2086
java ${SIPIS_JAVA_OPTS:-} -jar "${SIPIS_JAR:-sipis-server/target/sipis.jar}" run "$S/Settings.xml" > "$S/out.txt" 2>&1 &
SPID=$!; PIDS+=("$SPID")
T0=$(now_ms)
users() { kstat "$REG" registered_users; }
COLD=$(wait_until "$N" "$LIMIT" users)
[ "$COLD" != timeout ] || { echo "only $(users) of $N registered after ${LIMIT}s" >&2; tail -5 "$S/out.txt" >&2; exit 1; }
echo "restore: $(grep -h -o "Loaded [0-9]* instance.*" "$S/sipis.log" "$S/out.txt" 2>/dev/null | head -1)"
echo "cold start: all $N registered $((COLD / 1000)).$(( (COLD % 1000) / 100 )) s after process start (the throttle alone needs $((N / RATE)) s)"
PGPID=$(pg_pid "$S")

# ---- idle: everything registered, no refresh due yet
window() {   # SECONDS -> "jvm_ticks db_ticks accepted"
  local c0 d0 a0
  c0=$(own_ticks "$SPID"); d0=$([ -n "$PGPID" ] && tree_ticks "$PGPID" || echo 0); a0=$(kstat "$REG" accepted_regs)
  sleep "$1"
  echo "$(( $(own_ticks "$SPID") - c0 )) $(( $([ -n "$PGPID" ] && tree_ticks "$PGPID" || echo 0) - d0 )) $(( $(kstat "$REG" accepted_regs) - a0 ))"
}
read -r IC ID IA <<< "$(window "$IDLE")"
echo "idle ${IDLE} s: JVM $(python3 -c "print(f'{$IC/$HZ/$IDLE*100:.1f}')") % of one core, its PostgreSQL $(python3 -c "print(f'{$ID/$HZ/$IDLE*100:.1f}')") %, $IA REGISTERs accepted meanwhile"

# ---- heap after a full GC
jcmd "$SPID" GC.run >/dev/null
jcmd "$SPID" GC.heap_info > "$W/heap_info"
HEAP_KB=$(heap_kb "$W/heap_info")
echo "heap used after full GC: $((HEAP_KB / 1024)) MB = $((HEAP_KB * 1024 / N)) B per instance; RSS (JVM) $(( $(rss_kb "$SPID") / 1024 )) MB"

# ---- refreshes: wait until they come (RATE/s, the cold start's pace), then measure
FIRST=$(( (T0 + EXPIRES * 1000 * 76 / 100) ))
A_BEFORE=$(kstat "$REG" accepted_regs)
rate_now() { local a; a=$(kstat "$REG" accepted_regs); [ $((a - A_BEFORE)) -ge $((RATE * 5)) ]; }
deadline_wait $(( (FIRST - $(now_ms)) / 1000 + EXPIRES / 5 + 60 )) rate_now || { echo "no refreshes came" >&2; exit 1; }
read -r RC RD RA <<< "$(window "$WINDOW")"
echo "refresh window ${WINDOW} s: $RA refreshes ($((RA / WINDOW))/s)"
python3 - "$HZ" "$N" "$IDLE" "$IC" "$ID" "$WINDOW" "$RC" "$RD" "$RA" <<'PY'
import sys
hz, n, idle, ic, idb, win, rc, rdb, ra = map(int, sys.argv[1:])
ra = max(ra, 1)
per = (rc / hz) / ra            # JVM CPU-s per refresh, idle share included
per_db = (rc + rdb) / hz / ra
idle_core, idle_db = ic / hz / idle, (ic + idb) / hz / idle
# marginal cost of a refresh: the window's CPU minus what the same span costs idle
marg = max((rc / hz - idle_core * win) / ra, 0)
marg_db = max(((rc + rdb) / hz - idle_db * win) / ra, 0)
steady = n / (3600 * 0.8)
print(f"CPU per 10,000 refreshes: JVM {per * 1e4:.3f} CPU-s ({marg * 1e4:.3f} beyond idle); with its PostgreSQL {per_db * 1e4:.3f} ({marg_db * 1e4:.3f})")
print(f"steady state at the default expiry ({steady:.0f} refreshes/s): JVM {100 * (idle_core + steady * marg):.1f} % of one core, "
      f"with its PostgreSQL {100 * (idle_db + steady * marg_db):.1f} %")
PY
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
