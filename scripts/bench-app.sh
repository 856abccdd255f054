#!/usr/bin/env bash
# App leg benchmark: apps on loopback TCP flows loop REGISTER / 401 / REGISTER+digest / 200.
# Usage: scripts/bench-app.sh [clients=50] [seconds=20]
# Prints a Markdown table row for docs/benchmarks.md "## App leg".
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -o -pl sipis-sip test-compile
CP_FILE=$(mktemp)
mvn -B -q -o -pl sipis-sip dependency:build-classpath -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=test >/dev/null
CP="sipis-sip/target/test-classes:sipis-sip/target/classes:$(cat "$CP_FILE")"
rm -f "$CP_FILE"
exec java -Xms512m -Xmx1g -XX:+UseG1GC -Dlogback.configurationFile=sipis-sip/src/test/resources/logback-test.xml \
  -cp "$CP" org.opensipis.sip.app.bench.AppLegBench "${1:-50}" "${2:-20}"
