#!/usr/bin/env bash
# Benchmark 5 (footprint): the size of each module's jar, and what an application pulls in with
# tracker-http (its runtime dependency tree and the jars' sizes), next to MLflow's Java client,
# org.mlflow:mlflow-client:2.17.2 (one jar with its dependencies shaded inside).
set -euo pipefail
cd "$(dirname "$0")/.."
MVN=${MVN:-./mvnw}

# the library modules of the build: every <module> of the parent pom but the benchmarks and demo
modules=$(sed -n 's|^ *<module>\(tracker-[a-z]*\)</module>.*|\1|p' pom.xml \
  | grep -v -e '^tracker-bench$' -e '^tracker-examples$' | paste -sd, -)

"$MVN" -B -q -DskipTests -pl "$modules" -am package
if ! grep -q '^ *<module>tracker-http</module>' pom.xml; then
  echo "tracker-http is not a module of this build: nothing to compare" >&2
  exit 1
fi
"$MVN" -B -q -DskipTests -pl tracker-http -am package \
  dependency:tree -Dscope=runtime -DoutputFile=target/dependency-tree.txt \
  dependency:build-classpath -DincludeScope=runtime \
  -Dmdep.outputFile=target/runtime-classpath.txt
"$MVN" -B -q -N dependency:copy -Dartifact=org.mlflow:mlflow-client:2.17.2 \
  -DoutputDirectory=target/footprint

size() { stat -c %s "$1"; }
kb() { awk -v b="$1" 'BEGIN { printf "%9.1f kB", b / 1000 }'; }

echo "== jar of each module"
for m in ${modules//,/ }; do
  for jar in "$m"/target/"$m"-*.jar; do
    case "$jar" in *-tests.jar|*-sources.jar|*-javadoc.jar) continue ;; esac
    [ -f "$jar" ] && printf '  %-50s %s\n' "$(basename "$jar")" "$(kb "$(size "$jar")")"
  done
done

echo
echo "== tracker-http and its runtime dependencies"
http_jar=$(ls tracker-http/target/tracker-http-*.jar | grep -v -e '-tests.jar' -e '-sources.jar' | head -1)
total=$(size "$http_jar")
printf '  %-50s %s\n' "$(basename "$http_jar")" "$(kb "$total")"
for jar in $(tr ':' ' ' < tracker-http/target/runtime-classpath.txt); do
  s=$(size "$jar")
  total=$((total + s))
  printf '  %-50s %s\n' "$(basename "$jar")" "$(kb "$s")"
done
printf '  %-50s %s  (%.1f MB)\n' "total" "$(kb "$total")" "$(awk -v b="$total" 'BEGIN { print b / 1e6 }')"

mlflow=target/footprint/mlflow-client-2.17.2.jar
echo
echo "== MLflow's Java client"
printf '  %-50s %s  (and slf4j-api)\n' "$(basename "$mlflow")" "$(kb "$(size "$mlflow")")"
awk -v a="$total" -v b="$(size "$mlflow")" \
  'BEGIN { printf "\ntracker-http with its dependencies is %.2fx the size of mlflow-client alone\n", a / b }'

echo
echo "== mvn dependency:tree -Dscope=runtime -pl tracker-http"
cat tracker-http/target/dependency-tree.txt
