#!/usr/bin/env bash
# Restore at scale in the real process: seeds N instances into the embedded database of a fresh
# settings directory, starts `java -jar sipis.jar run` on it and prints its "Loaded … in N ms"
# line and the time until HTTP answered, then stops it. The instances register at 127.0.0.1:9
# (nothing listens there; loopback only). Usage: scripts/bench-restore.sh [instances=100000]
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"
mvn -B -q -o -pl sipis-server -am package -DskipTests -Denforcer.skip=true
mvn -B -q -o -pl sipis-store -am test-compile dependency:build-classpath -Denforcer.skip=true \
  -Dmdep.outputFile="$PWD/sipis-store/target/bench.classpath" -Dmdep.includeScope=test
CP="sipis-store/target/test-classes:sipis-store/target/classes:$(cat sipis-store/target/bench.classpath)"
DIR="$(mktemp -d)"
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -rf "$DIR"' EXIT
PID=""
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
HTTP=$(free_port)
head -c 16 /dev/urandom > "$DIR/sipis.key"
mkdir -p "$DIR/lb2"
echo '<LoadBalancer2><Backend><Sipis Name="R" Address="127.0.0.1:1"/></Backend></LoadBalancer2>' > "$DIR/lb2/Settings.xml"
cat > "$DIR/Settings.xml" <<XML
<Sipis><Server Name="R" Realm="R" Address="127.0.0.1" Port="$(free_port)" FilterInstancesAccordingToLoadBalancer2BackendSection="Yes"/>
<HttpServer Address="127.0.0.1" Port="$HTTP" AuthenticationMethod="None"/>
<Database EmbeddedDirectory="pgdata"/><Lock FileName="sipis.lock"/><Log FileName="sipis.log"/>
<LoadBalancer2 FileName="lb2/Settings.xml"/></Sipis>
XML
java -Xmx1g -cp "$CP" org.opensipis.store.RestoreSeeder "$DIR/pgdata" "$DIR/sipis.key" "$N" 9
echo "load average before start: $(cut -d' ' -f1-3 /proc/loadavg)"
START=$(date +%s%N)
java ${JAVA_OPTS:-} -jar sipis-server/target/sipis.jar run "$DIR/Settings.xml" > "$DIR/out.txt" 2>&1 &
PID=$!
for _ in $(seq 1 600); do
  if curl -fsS "http://127.0.0.1:$HTTP/about" > /dev/null 2>&1; then break; fi
  if ! kill -0 "$PID" 2>/dev/null; then cat "$DIR/out.txt"; exit 1; fi
  sleep 0.1
done
UP=$(( ($(date +%s%N) - START) / 1000000 ))
grep -h "Loaded .* instance" "$DIR/sipis.log" "$DIR/out.txt" 2>/dev/null | head -1
echo "HTTP answered ${UP} ms after the process was started (JVM start, embedded PostgreSQL start, restore)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
