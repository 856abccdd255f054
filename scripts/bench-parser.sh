#!/bin/sh
# SIP parser micro-benchmark: ns and bytes allocated per parsed message (a REGISTER 200 with three
# bindings, a 401 challenge, an INVITE, an OPTIONS), one thread, median of 7 rounds.
# Usage: scripts/bench-parser.sh [messages-per-round=400000]
# Prints one line for docs/benchmarks.md "## SIP parser".
set -eu
cd "$(dirname "$0")/.."
mvn -B -q -pl sipis-sip-wire -am test-compile
exec java -Xms256m -Xmx256m -XX:+UseG1GC \
    -cp "sipis-sip-wire/target/classes:sipis-sip-wire/target/test-classes" \
    org.opensipis.sip.message.bench.ParserBench sipis-sip-wire/src/test/resources/sip "${1:-400000}"
