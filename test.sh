#!/usr/bin/env bash
# Builds ActorQuotes with warnings as errors and runs every test. Needs only the .NET SDK of global.json;
# packages restore from NuGet. Prints "N passed, N failed" as its last line.
set -euo pipefail
cd "$(dirname "$0")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! command -v dotnet >/dev/null 2>&1; then
  echo "test.sh: the .NET SDK (see global.json) is required: https://dot.net" >&2
  exit 1
fi

# The durability tests start a real PostgreSQL server (initdb into a temp folder, a free loopback port).
pg_bin="${AQ_PG_BIN:-/usr/lib/postgresql/15/bin}"
if [ ! -x "$pg_bin/initdb" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing the PostgreSQL 15 server for the durability tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
  else
    echo "test.sh: PostgreSQL server binaries not found in $pg_bin (set AQ_PG_BIN, or install postgresql-15)" >&2
    exit 1
  fi
fi
export AQ_PG_BIN="$pg_bin"

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT

dotnet restore ActorQuotes.sln
dotnet build ActorQuotes.sln --no-restore -c Release -warnaserror

status=0
dotnet test ActorQuotes.sln --no-build -c Release \
  --logger "console;verbosity=normal" \
  --logger "trx" --results-directory "$results" || status=$?

passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  p=$(grep -o 'passed="[0-9]*"' "$trx" | head -1 | tr -dc 0-9)
  f=$(grep -o 'failed="[0-9]*"' "$trx" | head -1 | tr -dc 0-9)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "test.sh: no test ran" >&2
  status=1
fi
echo "$passed passed, $failed failed"
exit "$status"
