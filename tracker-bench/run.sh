#!/usr/bin/env bash
# Runs every benchmark of BENCHMARKS.md, then prints each figure (median and spread), the goals
# as ratios of medians measured in this same run, and the footprint (benchmark 5).
#
#   tracker-bench/run.sh           short JMH settings (those on each benchmark class):
#                                  under 10 minutes on 2 cores
#   tracker-bench/run.sh --long    3 forks, 5 warm-up and 10 measured iterations each
#   tracker-bench/run.sh -- ARGS   ARGS go to JMH, e.g. -- 'LogMetric' -prof stack
#
# Results: tracker-bench/target/results/{jmh.json,jmh.txt,summary.txt,footprint.txt}
set -euo pipefail
cd "$(dirname "$0")/.."

jmh=()
case "${1:-}" in
  "") ;;
  --long) jmh=(-f 3 -wi 5 -i 10) ;;
  --) shift; jmh=("$@") ;;
  *) sed -n '2,10p' "$0" >&2; exit 2 ;;
esac

out=tracker-bench/target/results
./mvnw -B -q -DskipTests -pl tracker-bench -am package
mkdir -p "$out"
jar=tracker-bench/target/benchmarks.jar

{
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | xargs)"
  echo "java:    $(java -version 2>&1 | head -2 | tail -1)"
  echo "load:    $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null) (1, 5, 15 min) before the run"
} | tee "$out/machine.txt"

java -jar "$jar" -prof gc -rf json -rff "$out/jmh.json" "${jmh[@]}" 2>&1 | tee "$out/jmh.txt"
echo
java -cp "$jar" dev.tracker.bench.Summary "$out/jmh.json" | tee "$out/summary.txt"
echo
tracker-bench/footprint.sh | tee "$out/footprint.txt"
