#!/usr/bin/env bash
# App leg benchmark: apps on loopback TCP flows loop REGISTER / 401 / REGISTER+digest / 200.
# Usage: scripts/bench-app.sh [clients=50] [seconds=20]
# Prints a Markdown table row for docs/benchmarks.md "## App leg".
set -euo pipefail
cd "$(dirname "$0")/.."
# the app leg lives in sipis-call; -am puts sipis-sip's classes (reactor) on the class path
mvn -B -q -o -pl sipis-call -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test >/dev/null
CP="sipis-call/target/test-classes:sipis-call/target/classes:$(cat sipis-call/target/bench.cp)"
exec java -Xms512m -Xmx1g -XX:+UseG1GC -Dlogback.configurationFile=sipis-call/src/test/resources/logback-test.xml \
  -cp "$CP" org.opensipis.sip.app.bench.AppLegBench "${1:-50}" "${2:-20}"
