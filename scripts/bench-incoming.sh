#!/bin/sh
# Incoming calls: INVITE → first 180 and INVITE → APNs request received by Pushy's
# MockApnsServer (TLS, token auth), p50/p99, at fixed call rates, on loopback.
# Usage: [JAVA_OPTS=...] scripts/bench-incoming.sh [seconds-per-rate=10] [rates=50,200]
set -eu
cd "$(dirname "$0")/.."
mvn -B -q -pl sipis-call -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
CP="sipis-call/target/classes:sipis-call/target/test-classes:$(cat sipis-call/target/bench.cp)"
exec java -Xms512m -Xmx512m ${JAVA_OPTS:-} -Dlogback.configurationFile=sipis-call/src/test/resources/logback-test.xml \
    -cp "$CP" org.opensipis.sip.bench.IncomingCallBench "$@"
