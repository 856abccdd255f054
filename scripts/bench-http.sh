#!/usr/bin/env bash
# Registration throughput/latency of one sipis-http server on loopback (in-memory store).
# Usage: scripts/bench-http.sh [clients=8] [seconds=10]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl sipis-http -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench-cp.txt -Dmdep.includeScope=test
java -cp "sipis-http/target/test-classes:sipis-http/target/classes:$(cat sipis-http/target/bench-cp.txt)" \
    org.opensipis.http.bench.HttpBench "${1:-8}" "${2:-10}"
