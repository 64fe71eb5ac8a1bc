#!/usr/bin/env bash
# The chaos run of issue 21, longer than CI's: three real nodes on a private PostgreSQL (the cluster test
# fixture), writers with Idempotency-Keys through every gateway, and N cycles of freeze/wake of a watchlists
# node, kill -9 of one, and a rolling restart of all three. Every fault must lose no acknowledged write and a
# downed node must answer no 2xx; the test fails at the first fault that breaks either.
#
#   deploy/chaos.sh [cycles]     default 10; about 3 minutes per cycle on a 2-core machine, plus the build
#
# Builds the test project in Release, runs only ChaosTests through the xunit runner, then prints one row per
# fault and the totals. Environment: AQ_KEEP_NODE_LOGS=1 (keep every node's output even when the run passes),
# AQ_PG_BIN (PostgreSQL 15 server binaries, default
# /usr/lib/postgresql/15/bin), AQ_CHAOS_REPORT (keep the tab-separated rows in this file; default a temp file).
set -euo pipefail
cd "$(dirname "$0")/.."

cycles="${1:-10}"
case "$cycles" in ''|*[!0-9]*|0) echo "chaos: cycles must be a positive number, not '$cycles'" >&2; exit 2 ;; esac

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export AQ_PG_BIN="${AQ_PG_BIN:-/usr/lib/postgresql/15/bin}"
if [ ! -x "$AQ_PG_BIN/initdb" ]; then
  echo "chaos: PostgreSQL 15 server binaries not found in $AQ_PG_BIN (set AQ_PG_BIN, or install postgresql-15)" >&2
  exit 1
fi

report="${AQ_CHAOS_REPORT:-$(mktemp -t aq-chaos.XXXXXX)}"
: > "$report"
export AQ_CHAOS_CYCLES="$cycles" AQ_CHAOS_REPORT="$report"

# Restore apart from the build: restore's NU1603 (LightningDB) is expected and must not fail -warnaserror.
dotnet restore tests/Gateway.Tests >/dev/null
dotnet build tests/Gateway.Tests -c Release -warnaserror --no-restore -nologo -v quiet

started=$(date +%s)
status=0
(cd tests/Gateway.Tests/bin/Release/net10.0 &&
  ./ActorQuotes.Gateway.Tests -class "ActorQuotes.Gateway.Tests.Cluster.ChaosTests" -showLiveOutput) || status=$?
minutes=$(( ($(date +%s) - started + 59) / 60 ))

echo
echo "chaos: $cycles cycle(s), $(wc -l < "$report") fault(s) measured in about $minutes min; seconds are after the fault (report: $report)"
{
  echo -e "cycle\tfault\tvictim\thosted\tunreachable/left\tdowned/removed\twrites back\tlongest gap\texited\tall ready\trequests\tfailed\tvia victim\tacknowledged\tlost\treordered\tlate 2xx\tprobe back"
  cat "$report"
} | column -t -s $'\t'

# Per fault: the worst of each time, and the sums of the counts.
awk -F'\t' '
  function max(a, b) { return (b != "-" && (a == "" || b + 0 > a + 0)) ? b : a }
  { f = $2; n[f]++; det[f] = max(det[f], $5); down[f] = max(down[f], $6); back[f] = max(back[f], $7); probe[f] = max(probe[f], $18); gap[f] = max(gap[f], $8)
    req[f] += $11; fail[f] += $12; ack[f] += $14; lost[f] += $15; reo[f] += $16; late[f] += $17
    tl += $15; tr += $16; tlate += $17; tack += $14 }
  END {
    print ""
    for (f in n) printf "%-16s %2d runs  worst: detected %5s s, downed %5s s, writes back %5s s (probe %5s s), longest gap %5s s;  %d requests, %d failed, %d acknowledged, %d lost, %d reordered, %d late 2xx\n", f, n[f], det[f], down[f], back[f], probe[f], gap[f], req[f], fail[f], ack[f], lost[f], reo[f], late[f]
    printf "total: %d acknowledged writes, %d lost, %d reordered, %d answered 2xx by a downed node\n", tack, tl, tr, tlate
  }' "$report"

if [ "$status" -ne 0 ]; then
  echo "chaos: the test failed (exit $status); the rows above are the faults before the failure" >&2
fi
exit "$status"
