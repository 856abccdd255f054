#!/bin/sh
# Restart benchmark: the real `sipis run` process (child JVM) with N instances registered at a
# real Kamailio (digest, usrloc) over loopback, then kill -9 + restart, SIGTERM + restart, and a
# restart with an edited Registration[Port]. Kamailio's usrloc counters and REGISTER counter are
# sampled every 200 ms. Prints one line per restart: the store's load time from the log, when the
# process served again, the fewest registered users and most surplus (duplicate) contacts seen,
# REGISTERs Kamailio received and its busiest 1-s window against the throttle (1000/s), WARN lines.
# Usage: scripts/bench-restart.sh [instances (100000)]
# Needs kamailio (.ci/install.d/20-kamailio.sh). The database is a zonky PostgreSQL owned by the
# benchmark and passed by Database[OpenString].
set -eu
cd "$(dirname "$0")/.."
N="${1:-100000}"
OUT="$PWD/sipis-server/target/restart-figures.txt"
rm -f "$OUT"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
mvn -B -q -o -pl sipis-server -am verify -Denforcer.skip=true -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=RestartKeepsBindingsIT -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dsipis.it.restartUsers="$N" -Dsipis.it.restartFigures="$OUT" >/dev/null || {
  echo "the run failed: see sipis-server/target/failsafe-reports" >&2; cat "$OUT" 2>/dev/null; exit 1; }
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$OUT"
