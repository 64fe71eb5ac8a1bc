#!/usr/bin/env bash
# Publishes the three servers (ActorQuotes, B0 Kestrel, B1 SignalR) and the load generator in Release,
# then runs the benchmark. Arguments go to the generator:
#   bench/run.sh                 # every workload, full size (about 49 min on 2 cores)
#   bench/run.sh --quick         # every workload, small, under 3 minutes
#   bench/run.sh W1 --servers B0,SUT
# Results: bench/results/run-<time>.json, .md and .png. W5 needs PostgreSQL 15's server binaries
# (AQ_PG_BIN, default /usr/lib/postgresql/15/bin); without them W5 is reported as skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

out=bench/.out
for p in sut:src/Gateway/Gateway.csproj b0:bench/Baselines.Kestrel/Baselines.Kestrel.csproj \
         b1:bench/Baselines.SignalR/Baselines.SignalR.csproj loadgen:bench/LoadGen/LoadGen.csproj; do
  dotnet publish "${p#*:}" -c Release -o "$out/${p%%:*}" --nologo -v quiet >/dev/null
done

args=("$@")
wants_w5=1
if [ ${#args[@]} -gt 0 ]; then
  wants_w5=0
  for a in "${args[@]}"; do case "$a" in W5|w5|all) wants_w5=1;; W[1-4]|w[1-4]) ;; esac; done
  # Only options, no workload named: all workloads.
  named=0; for a in "${args[@]}"; do case "$a" in [Ww][1-5]|all) named=1;; esac; done
  [ $named -eq 0 ] && wants_w5=1
fi

pg_root=""
cleanup() {
  if [ -n "$pg_root" ]; then
    runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_root/data" stop -m immediate -w >/dev/null 2>&1 || true
    rm -rf "$pg_root"
  fi
}
trap cleanup EXIT

pg_bin="${AQ_PG_BIN:-/usr/lib/postgresql/15/bin}"
if [ $wants_w5 -eq 1 ] && [ -x "$pg_bin/initdb" ]; then
  # W5's two nodes share a throw-away PostgreSQL (initdb refuses root, so it runs as postgres).
  pg_root=$(mktemp -d /tmp/aq-bench-pg-XXXXXX)
  chmod 755 "$pg_root"; mkdir -p "$pg_root/sock"
  pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  as_pg=()
  if [ "$(id -u)" = "0" ]; then chown -R postgres:postgres "$pg_root"; as_pg=(runuser -u postgres --); fi
  "${as_pg[@]}" "$pg_bin/initdb" -D "$pg_root/data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_root/data" -l "$pg_root/log" -w -t 30 \
     -o "-p $pg_port -c listen_addresses=127.0.0.1 -k $pg_root/sock -c max_connections=200" start >/dev/null
  # One database per two-node lane: two clusters must not share a journal (their tickers have the same ids).
  for db in aq_sut_2node aq_sut_2node_split; do
    "${as_pg[@]}" "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres "$db"
  done
  args+=(--postgres "Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres")
fi

dotnet "$out/loadgen/ActorQuotes.Bench.LoadGen.dll" --bin "$out" "${args[@]}"
