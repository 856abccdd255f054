#!/usr/bin/env bash
# Registration benchmark against a real Kamailio on loopback (needs the kamailio package, see
# .ci/install.d/20-kamailio.sh). Usage: scripts/bench-registration.sh [instances for the big heap run]
# Prints a Markdown table for docs/benchmarks.md "## Registration". Extra JVM options come from
# BENCH_JAVA_OPTS, e.g. BENCH_JAVA_OPTS=-Dbench.phases=cpu for one phase (see RegistrationBench).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -o -pl sipis-sip -am install -DskipTests >/dev/null 2>&1 || mvn -B -q -pl sipis-sip -am install -DskipTests
mvn -B -q -o -pl sipis-sip test-compile
CP_FILE=$(mktemp)
mvn -B -q -o -pl sipis-sip dependency:build-classpath -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=test >/dev/null
CP="sipis-sip/target/test-classes:sipis-sip/target/classes:$(cat "$CP_FILE")"
rm -f "$CP_FILE"
exec java ${BENCH_JAVA_OPTS:-} -Xms1g -Xmx2g -XX:+UseG1GC -Dlogback.configurationFile=sipis-sip/src/test/resources/logback-test.xml \
  -cp "$CP" org.opensipis.sip.bench.RegistrationBench "${1:-100000}"
