#!/usr/bin/env bash
# HTTP registration ingest into the real store: HttpServer + embedded PostgreSQL (fsync on) on
# this machine, N clients on loopback. Usage: scripts/bench-ingest.sh [clients=8] [seconds=10]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl sipis-server -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench-cp.txt -Dmdep.includeScope=test
java ${JAVA_OPTS:-} -cp "sipis-server/target/test-classes:sipis-server/target/classes:$(cat sipis-server/target/bench-cp.txt)" \
    org.opensipis.server.bench.IngestBench "${1:-8}" "${2:-10}"
