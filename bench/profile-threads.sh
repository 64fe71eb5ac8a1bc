#!/usr/bin/env bash
# Per-thread CPU ticks and context switches (from /proc/<pid>/task) of B0 and the SUT, 15 s into a W1 hold.
# usage: bench/profile-threads.sh TICKS_PER_S OUTDIR   (after bench/run.sh has published bench/.out)
rate=$1; out=$(realpath -m "$2"); mkdir -p "$out"
cd "$(dirname "$0")/.."
dotnet bench/.out/loadgen/ActorQuotes.Bench.LoadGen.dll --bin bench/.out W1 --servers B0,SUT --hold $rate > $out/run.log 2>&1 &
runpid=$!
snap() { # pid file
  for t in /proc/$1/task/*; do
    tid=${t##*/}; tname=$(cat $t/comm 2>/dev/null)
    cpu=$(sed 's/.*) //' $t/stat 2>/dev/null | awk '{print $12+$13}')
    v=$(awk '/^voluntary_ctxt_switches/{print $2}' $t/status 2>/dev/null); n=$(awk '/^nonvoluntary_ctxt_switches/{print $2}' $t/status 2>/dev/null)
    echo "$tid|$tname|$cpu|$v|$n"
  done > $2
}
for name in B0 SUT; do
  while ! grep -q "HOLD $name pid" $out/run.log; do sleep 1; kill -0 $runpid 2>/dev/null || exit 1; done
  pid=$(grep "HOLD $name pid" $out/run.log | sed -E 's/.*pid ([0-9]+).*/\1/')
  sleep 8
  snap $pid $out/$name.a; sleep 15; snap $pid $out/$name.b
done
wait $runpid
for name in B0 SUT; do
  echo "== $name (15 s): thread name | cpu ticks | voluntary | involuntary switches"
  join -t'|' <(sort $out/$name.a) <(sort $out/$name.b) | awk -F'|' '{c=$7-$3; v=$8-$4; n=$9-$5; key=$2; C[key]+=c; V[key]+=v; N[key]+=n; K[key]++} END{for(k in C) if(C[k]>0||V[k]>100) printf "%-18s x%-3d cpu %5d  vol %7d  invol %6d\n", k, K[k], C[k], V[k], N[k]}' | sort -k4 -nr
done
