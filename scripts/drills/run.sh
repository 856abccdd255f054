#!/usr/bin/env bash
# Runs fault drills against real processes and prints their figures (a Markdown table).
#
#   scripts/drills/run.sh DRILL... [--instances N] [--full] [--keep DIR]
#
# DRILL: kill9 sigterm db-down failover patroni registrar push lb2 sigstop clock multihost, or all.
# Without --full: the short CI version (2,000 instances, outages shortened). --full: the issue's
# durations (PostgreSQL 60 s, registrar 2 min, SIGSTOP 30 s, ...) and 20,000 instances unless
# --instances says otherwise. --keep DIR copies each drill's directory (settings, logs, SIPp and
# Kamailio logs) to DIR. Needs root (PostgreSQL runs as the postgres user; namespaces) and the
# packages of .ci/install.d/. Figures: sipis-drills/target/drill-figures.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
declare -A IT=([kill9]=Kill9IT [sigterm]=SigtermIT [db-down]=DatabaseOutageIT [failover]=FailoverIT
  [registrar]=RegistrarOutageIT [push]=PushOutageIT [lb2]=Lb2BackendIT [sigstop]=SigstopIT
  [clock]=ClockStepIT [multihost]=MultiHostIT [patroni]=PatroniFailoverIT)
tests=() instances="" full=false keep=""
while [ $# -gt 0 ]; do
  case "$1" in
    --instances) instances=$2; shift 2 ;;
    --full) full=true; shift ;;
    --keep) keep=$2; shift 2 ;;
    all) tests+=("*IT"); shift ;;
    -h|--help) sed -n 2,11p "$0"; exit 0 ;;
    *) [ -n "${IT[$1]:-}" ] || { echo "unknown drill $1 (known: ${!IT[*]} all)" >&2; exit 2; }
       tests+=("${IT[$1]}"); shift ;;
  esac
done
[ ${#tests[@]} -gt 0 ] || { sed -n 2,11p "$0"; exit 2; }
if [ -z "$instances" ]; then if $full; then instances=20000; else instances=2000; fi; fi
list=$(IFS=,; echo "${tests[*]}")
rm -f sipis-drills/target/drill-figures.md
# -am builds the server jar the drills start; unit tests of the other modules are skipped.
nice mvn -B -pl sipis-drills -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.failIfNoSpecifiedTests=false -Dit.test="$list" -Ddrills.instances="$instances" -Ddrills.full="$full" ${keep:+-Ddrills.keep="$keep"} || rc=$?
echo
echo "| Drill | Checked | Figure | Limit | Result | Instances | When |"
echo "|---|---|---|---|---|---|---|"
cat sipis-drills/target/drill-figures.md 2>/dev/null || true
exit "${rc:-0}"
