#!/usr/bin/env bash
# Runs issue 21's partition test for several cycles and prints what each cycle measured.
#
#   deploy/partition.sh [cycles]     default 10
#
# Each cycle (tests/Gateway.Tests/Cluster/Partition/PartitionTests.cs): three nodes, each in a network namespace of
# its own, writers with Idempotency-Keys through all three; the watchlists node hosting more of the writers'
# watchlists loses its cluster link (its clients still reach it), and in even cycles the database too; the other two
# down it and take its watchlists over; the link comes back, the cut-off node has fenced itself and exited, it is
# restarted, and every acknowledged write is checked against each watchlist's history. The table: when the majority saw the node unreachable, when it downed
# it, when writes on every watchlist were acknowledged again (seconds after the cut), how many requests got no 2xx
# after the cut, how many writes the cut-off node answered 2xx after the majority had downed it, and whether any
# acknowledged write is missing. The test (and this script) fails if either of the last two is not 0.
#
# Needs root (network namespaces, veth pairs, a bridge), iproute2, the .NET SDK of global.json and PostgreSQL 15
# server binaries (AQ_PG_BIN, default /usr/lib/postgresql/15/bin). The full log is kept in $AQ_PARTITION_LOG
# (default: a temp file, named at the end).
set -euo pipefail
cd "$(dirname "$0")/.."

cycles="${1:-10}"
if ! [[ "$cycles" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: deploy/partition.sh [cycles]   (a positive number, default 10)" >&2
  exit 2
fi
if [ "$(id -u)" != "0" ]; then
  echo "partition: the partition test makes network namespaces, veth pairs and a bridge, which needs root" >&2
  exit 1
fi
export AQ_PG_BIN="${AQ_PG_BIN:-/usr/lib/postgresql/15/bin}"
if [ ! -x "$AQ_PG_BIN/initdb" ]; then
  echo "partition: PostgreSQL server binaries not found in $AQ_PG_BIN (set AQ_PG_BIN, or install postgresql-15)" >&2
  exit 1
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

log="${AQ_PARTITION_LOG:-$(mktemp /tmp/aq-partition.XXXXXX.log)}"
dotnet build tests/Gateway.Tests -c Release -warnaserror -v quiet -nologo >"$log" 2>&1 \
  || { tail -30 "$log" >&2; echo "partition: the build failed; see $log" >&2; exit 1; }

status=0
(cd tests/Gateway.Tests/bin/Release/net10.0 \
  && AQ_PARTITION_CYCLES="$cycles" ./ActorQuotes.Gateway.Tests \
    -method "ActorQuotes.Gateway.Tests.Cluster.Partition.PartitionTests.Partition_loses_no_acknowledged_write" \
    -showLiveOutput) >>"$log" 2>&1 || status=$?

# The test prints one line per finished cycle (live, after "[OUTPUT]"; a failure repeats them without it):
# PARTITION-CYCLE|cycle|fault|detection|downing|writes back|failed|2xx after downing|lost|probe back
echo
printf '| cycle | fault | detection | downing | writes back (probe) | requests failed | 2xx after downing | writes lost |\n'
printf '|---|---|---|---|---|---|---|---|\n'
grep -o 'OUTPUT\] PARTITION-CYCLE|[^[:cntrl:]]*' "$log" | awk -F'|' '
  { printf "| %s | %s | %s s | %s s | %s s (%s s) | %s | %s | %s |\n", $2, $3, $4, $5, $6, $10, $7, $8, $9; n++ }
  END { if (n == 0) print "| (no cycle finished) | | | | | | | |" }'
echo
done_cycles=$(grep -c 'OUTPUT\] PARTITION-CYCLE|' "$log" || true)
echo "partition: $done_cycles of $cycles cycles measured; log: $log"
if [ "$status" -ne 0 ]; then
  grep -A12 '\[FAIL\]' "$log" | sed 's/\x1b\[[0-9;]*m//g' >&2 || true
  echo "partition: the test failed (exit $status)" >&2
fi
exit "$status"
