#!/usr/bin/env bash
# Builds ActorQuotes with warnings as errors and runs every test: the .NET tests, then the web client's
# Vitest tests and its end-to-end tests in Debian's Chromium against the real gateway. Needs the .NET SDK of
# global.json and Node.js 20.19+ with npm; NuGet and npm packages restore on first use, and the PostgreSQL
# server, Chromium and iptables (partition tests) are installed with apt-get when missing (as root). The
# partition tests need root. Prints "N passed, N failed" as its last line, counting all three.
set -euo pipefail
cd "$(dirname "$0")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! command -v dotnet >/dev/null 2>&1; then
  echo "test.sh: the .NET SDK (see global.json) is required: https://dot.net" >&2
  exit 1
fi

# Installs Debian package $1 ("installing $2") when run as root with apt-get, waiting up to 5 min for the
# dpkg lock (a fresh machine's apt-daily jobs can hold it); otherwise prints $3 and stops.
apt_install() {
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing $2"
    local apt=(apt-get -o DPkg::Lock::Timeout=300)
    "${apt[@]}" update -qq && DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -qq "$1" >/dev/null
  else
    echo "test.sh: $3" >&2
    exit 1
  fi
}

# The durability tests start a real PostgreSQL server (initdb into a temp folder, a free loopback port).
pg_bin="${AQ_PG_BIN:-/usr/lib/postgresql/15/bin}"
if [ ! -x "$pg_bin/initdb" ]; then
  apt_install postgresql-15 "the PostgreSQL 15 server for the durability tests" \
    "PostgreSQL server binaries not found in $pg_bin (set AQ_PG_BIN, or install postgresql-15)"
fi
export AQ_PG_BIN="$pg_bin"

# The partition tests (tests/Gateway.Tests/Cluster/Partition) run nodes in network namespaces with iproute2 and slow
# the cluster links with iptables (NFQUEUE, statistic). They need root and fail saying what is missing without it.
if [ "$(id -u)" = "0" ]; then
  if ! command -v ip >/dev/null 2>&1; then
    apt_install iproute2 "Debian's iproute2 for the partition tests" "ip (iproute2) not found"
  fi
  if ! command -v iptables-legacy >/dev/null 2>&1; then
    apt_install iptables "Debian's iptables for the partition tests' slow, lossy network" "iptables-legacy not found"
  fi
fi

# The web client (web/) is built by the gateway's build with npm; its end-to-end tests drive Debian's
# Chromium (never a browser that Playwright would download).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "test.sh: Node.js 20.19+ and npm are required to build and test the web client (web/)" >&2
  exit 1
fi
chromium_bin="${AQ_CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium_bin" ]; then
  apt_install chromium "Debian's chromium for the web client's end-to-end tests" \
    "Chromium not found at $chromium_bin (set AQ_CHROMIUM, or install Debian's chromium)"
fi
export AQ_CHROMIUM="$chromium_bin"
if [ ! web/node_modules/.package-lock.json -nt web/package-lock.json ]; then
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
fi

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

# The web client: Vitest (the hook against a fake socket, formatting, error messages), then Playwright
# against the gateway just built (web/e2e starts it on a free loopback port). Each writes a JSON report;
# a runner that fails without one counts as one failure.
web_counts() { # report.json kind -> "passed failed"
  node -e '
    const fs = require("fs");
    try {
      const r = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
      if (process.argv[2] === "vitest") console.log(r.numPassedTests, r.numFailedTests + (r.numTotalTests === 0 ? 1 : 0));
      else console.log(r.stats.expected + r.stats.flaky, r.stats.unexpected + (r.errors || []).length + (r.stats.expected + r.stats.unexpected === 0 ? 1 : 0));
    } catch { console.log(0, 1); }' "$1" "$2"
}
web_status=0
(cd web && npx vitest run --reporter=default --reporter=json --outputFile="$results/vitest.json") || web_status=$?
read -r p f <<<"$(web_counts "$results/vitest.json" vitest)"
passed=$((passed + p)); failed=$((failed + f))
(cd web && rm -f test-results/e2e-results.json && npx playwright test) || web_status=$?
read -r p f <<<"$(web_counts web/test-results/e2e-results.json playwright)"
passed=$((passed + p)); failed=$((failed + f))
if [ "$web_status" -ne 0 ] && [ "$status" -eq 0 ]; then
  status=$web_status
fi
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "test.sh: no test ran" >&2
  status=1
fi
# CI keeps only the tail of this output: name each failed .NET test with the start of its message there.
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  node -e '
    const xml = require("fs").readFileSync(process.argv[1], "utf8");
    const unescape = s => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, "\"").replace(/&apos;/g, "\x27").replace(/&amp;/g, "&");
    for (const m of xml.matchAll(/<UnitTestResult\b[^>]*?(?:\/>|>[\s\S]*?<\/UnitTestResult>)/g)) {
      const head = m[0].slice(0, m[0].indexOf(">"));
      if (!/outcome="Failed"/.test(head)) continue;
      const name = unescape((/testName="([^"]*)"/.exec(head) || [, "?"])[1]);
      const message = unescape((/<Message>([\s\S]*?)<\/Message>/.exec(m[0]) || [, ""])[1]);
      const stack = unescape((/<StackTrace>([\s\S]*?)<\/StackTrace>/.exec(m[0]) || [, ""])[1]);
      console.log("FAILED: " + name);
      console.log(message.split("\n").slice(0, 20).map(l => "    " + l).join("\n"));
      console.log(stack.split("\n").slice(0, 6).map(l => "    " + l).join("\n"));
    }' "$trx"
done
echo "$passed passed, $failed failed"
exit "$status"
