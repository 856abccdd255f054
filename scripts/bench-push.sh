#!/bin/sh
# Pushes/s and send latency (p50/p99) through the push dispatcher to Pushy's MockApnsServer
# over TLS with token auth, on loopback.
# Usage: scripts/bench-push.sh [pushes=50000] [inFlight=200] [connections=1] [validate]
# ("validate" makes the mock check every token-auth JWT, as the tests do; default: accept all)
set -eu
cd "$(dirname "$0")/.."
mvn -B -q -pl sipis-push -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
CP="sipis-push/target/classes:sipis-push/target/test-classes:$(cat sipis-push/target/bench.cp)"
exec java -Xms512m -Xmx512m -cp "$CP" org.opensipis.push.bench.ApnsPushBench "$@"
