#!/usr/bin/env bash
# A three-node ActorQuotes cluster on this machine, on a private PostgreSQL, all on 127.0.0.1.
#
#   deploy/local-cluster.sh start    build, start PostgreSQL and three nodes, wait until all are ready, print URLs
#   deploy/local-cluster.sh stop     SIGTERM the nodes one by one (each leaves the cluster), then stop PostgreSQL
#   deploy/local-cluster.sh status   which processes run, and each node's /health/ready
#
# Topology (every role on at least two nodes, so losing any one node loses no role):
#   node1  gateway,quotes             http://127.0.0.1:8000   akka 127.0.0.1:4051
#   node2  gateway,watchlists         http://127.0.0.1:8100   akka 127.0.0.1:4052
#   node3  gateway,quotes,watchlists  http://127.0.0.1:8200   akka 127.0.0.1:4053
# State (PostgreSQL data, logs, pids, the shared token key) lives in deploy/.local-cluster (git-ignored).
# Environment: AQ_PG_BIN (PostgreSQL 15 server binaries), AQ_PG_PORT (default 5544), AQ_CLUSTER_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

state="${AQ_CLUSTER_DIR:-$PWD/deploy/.local-cluster}"
pg_bin="${AQ_PG_BIN:-/usr/lib/postgresql/15/bin}"
pg_port="${AQ_PG_PORT:-5544}"
dll="$PWD/src/Gateway/bin/Release/net10.0/ActorQuotes.Gateway.dll"
names=(node1 node2 node3)
roles=(gateway,quotes gateway,watchlists gateway,quotes,watchlists)
http_ports=(8000 8100 8200)
akka_ports=(4051 4052 4053)

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

start_postgres() {
  if [ ! -x "$pg_bin/initdb" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
    else
      echo "local-cluster: PostgreSQL 15 server binaries not found in $pg_bin (set AQ_PG_BIN)" >&2; exit 1
    fi
  fi
  mkdir -p "$state/pg/sock" "$state/logs"
  [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$state/pg" && chmod o+x "$state" "$state/.." 2>/dev/null || true
  if [ ! -f "$state/pg/data/PG_VERSION" ]; then
    as_pg "$pg_bin/initdb" -D "$state/pg/data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
  fi
  if ! as_pg "$pg_bin/pg_ctl" -D "$state/pg/data" status >/dev/null 2>&1; then
    as_pg "$pg_bin/pg_ctl" -D "$state/pg/data" -l "$state/pg/log" -w -t 30 \
      -o "-p $pg_port -c listen_addresses=127.0.0.1 -k $state/pg/sock" start >/dev/null
  fi
  if ! as_pg "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='actorquotes'" | grep -q 1; then
    as_pg "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -qc "CREATE DATABASE actorquotes" >/dev/null
  fi
}

seeds() { local i; for i in 0 1 2; do printf -- '--Node:SeedNodes:%d=akka.tcp://actorquotes@127.0.0.1:%d ' "$i" "${akka_ports[$i]}"; done; }

start_node() {
  local i=$1 name=${names[$1]}
  if [ -f "$state/$name.pid" ] && kill -0 "$(cat "$state/$name.pid")" 2>/dev/null; then return; fi
  # shellcheck disable=SC2046
  nohup dotnet "$dll" --urls="http://127.0.0.1:${http_ports[$i]}" \
    --Node:Hostname=127.0.0.1 --Node:Port="${akka_ports[$i]}" --Node:Roles="${roles[$i]}" $(seeds) \
    --Storage:Provider=postgresql \
    "--Storage:ConnectionString=Host=127.0.0.1;Port=$pg_port;Database=actorquotes;Username=postgres;Timeout=3;Command Timeout=5" \
    --Storage:DataDirectory="$state/$name" \
    --Auth:SigningKey="$(cat "$state/signing.key")" \
    >"$state/logs/$name.log" 2>&1 &
  echo $! >"$state/$name.pid"
}

wait_ready() {
  local i deadline=$((SECONDS + 120))
  for i in 0 1 2; do
    until curl -fsS "http://127.0.0.1:${http_ports[$i]}/health/ready" >/dev/null 2>&1; do
      if ! kill -0 "$(cat "$state/${names[$i]}.pid")" 2>/dev/null; then
        echo "local-cluster: ${names[$i]} exited; see $state/logs/${names[$i]}.log" >&2; tail -20 "$state/logs/${names[$i]}.log" >&2; exit 1
      fi
      if [ $SECONDS -ge $deadline ]; then echo "local-cluster: ${names[$i]} not ready after 120 s" >&2; exit 1; fi
      sleep 0.5
    done
  done
}

stop_node() {
  local pidfile="$state/$1.pid" pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && { echo "local-cluster: $1 ignored SIGTERM for 30 s; killing it" >&2; kill -KILL "$pid"; }
  fi
  rm -f "$pidfile"
}

case "${1:-}" in
  start)
    command -v dotnet >/dev/null || { echo "local-cluster: the .NET SDK is required" >&2; exit 1; }
    mkdir -p "$state/logs"
    dotnet build src/Gateway -c Release -v quiet -nologo >/dev/null
    [ -f "$state/signing.key" ] || head -c 32 /dev/urandom | base64 >"$state/signing.key"
    start_postgres
    # The first seed forms the cluster; the others join it.
    start_node 0; start_node 1; start_node 2
    wait_ready
    echo "ActorQuotes cluster is up (PostgreSQL on 127.0.0.1:$pg_port, logs in $state/logs):"
    for i in 0 1 2; do
      echo "  ${names[$i]}  ${roles[$i]}  http://127.0.0.1:${http_ports[$i]}  (ready: http://127.0.0.1:${http_ports[$i]}/health/ready)  akka.tcp://actorquotes@127.0.0.1:${akka_ports[$i]}"
    done
    echo "Stop it with: deploy/local-cluster.sh stop"
    ;;
  stop)
    for name in node3 node2 node1; do stop_node "$name"; done
    if [ -f "$state/pg/data/PG_VERSION" ]; then as_pg "$pg_bin/pg_ctl" -D "$state/pg/data" -m fast -w stop >/dev/null 2>&1 || true; fi
    echo "ActorQuotes cluster stopped."
    ;;
  status)
    for i in 0 1 2; do
      pid=$(cat "$state/${names[$i]}.pid" 2>/dev/null || echo -)
      ready=$(curl -s "http://127.0.0.1:${http_ports[$i]}/health/ready" 2>/dev/null || echo "not answering")
      echo "${names[$i]} (pid $pid): $ready"
    done
    ;;
  *)
    echo "usage: deploy/local-cluster.sh start|stop|status" >&2; exit 64 ;;
esac
