#!/bin/sh
# Store benchmark: save N instances, load them as a shard, sustained write-behind state writes.
# Usage: scripts/bench-store.sh [instances (100000)] [rounds (3)]
# Uses a zonky PostgreSQL (fsync on) in a temporary directory; set SIPIS_BENCH_OPEN_STRING to
# a libpq open string to measure against an external server instead.
set -eu
cd "$(dirname "$0")/.."
# Built in the reactor (no install), so the classpath points at sipis-core/target/classes.
mvn -B -q -o -pl sipis-store -am test-compile dependency:build-classpath -Denforcer.skip=true \
  -Dmdep.outputFile="$PWD/sipis-store/target/bench.classpath" -Dmdep.includeScope=test
CP="sipis-store/target/test-classes:sipis-store/target/classes:$(cat sipis-store/target/bench.classpath)"
exec java -Xmx1g ${JAVA_OPTS:-} -cp "$CP" -Dsipis.bench.openString="${SIPIS_BENCH_OPEN_STRING:-}" \
  org.opensipis.store.bench.StoreBench "${1:-100000}" "${2:-3}"
