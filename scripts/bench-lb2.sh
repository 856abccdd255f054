#!/usr/bin/env bash
# LB2 benchmark: forwarded messages/s and added latency on loopback.
# Usage: scripts/bench-lb2.sh [connections] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl sipis-core,sipis-lb2 -am test-compile dependency:build-classpath -Dmdep.outputFile=target/lb2-bench.cp -Dmdep.includeScope=test >/dev/null
CP="sipis-lb2/target/test-classes:sipis-lb2/target/classes:sipis-core/target/classes:$(cat sipis-lb2/target/lb2-bench.cp)"
exec java -Xms1g -Xmx1g -cp "$CP" org.opensipis.lb2.bench.Lb2Benchmark "${1:-32}" "${2:-10}"
