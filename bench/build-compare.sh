#!/usr/bin/env bash
# Builds of pgengine against each other: PeerBenchmark's pgengine client (point select and the pgbench -N write
# transaction) with the core jars of each git revision given, one JVM per run, the builds alternated round by round
# on one throwaway PostgreSQL (pgbench schema, scale 10). The client code is this checkout's bench/ for every build.
#   mvn -q install -DskipTests && bash bench/build-compare.sh a115dba HEAD   (SECS=4 ROUNDS=2 CALLERS="1 8 64")
# Prints one RESULT line per run and, at the end, each build's median ops/s and CPU µs/op per row.
set -uo pipefail
cd "$(dirname "$0")/.."
SECS=${SECS:-4}; ROUNDS=${ROUNDS:-2}; WORK=${WORK:-/tmp/pgengine-build-compare}
[ $# -ge 2 ] || { echo "usage: $0 REV REV [REV...]" >&2; exit 2; }
mvn -B -q -f bench/pom.xml compile
mvn -B -q -f bench/pom.xml dependency:build-classpath -Dmdep.outputFile="$WORK.cp" || exit 1
mkdir -p "$WORK"
declare -A CP
for rev in "$@"; do
  sha=$(git rev-parse --short "$rev") || exit 1
  dir="$WORK/$sha"
  if [ ! -f "$dir/jars/pgengine.jar" ]; then
    rm -rf "$dir"; git worktree add -q --detach "$dir/src" "$sha" || exit 1
    (cd "$dir/src" && mvn -B -q package -DskipTests -Djacoco.skip=true -Dspotless.check.skip=true) || exit 1
    mkdir -p "$dir/jars"
    cp "$dir/src/target/pgengine-0.1.0-SNAPSHOT.jar" "$dir/jars/pgengine.jar"
    cp "$dir/src/target/pgengine-0.1.0-SNAPSHOT-tests.jar" "$dir/jars/pgengine-tests.jar"
    git worktree remove --force "$dir/src"
  fi
  deps=$(tr ':' '\n' < "$WORK.cp" | grep -v '/io/github/pgengine/pgengine/' | paste -sd:)
  CP[$rev]="$(pwd)/bench/target/classes:$dir/jars/pgengine.jar:$dir/jars/pgengine-tests.jar:$deps"
  echo "build $rev = $sha"
done
. bench/throwaway-server.sh
start_server "${CP[$1]}" builds
for work in select write; do
  for callers in ${CALLERS:-1 8 64}; do
    for r in $(seq 1 "$ROUNDS"); do
      for rev in "$@"; do
        line=$(PGENGINE_TEST_POSTGRES_URL="$URL" java -Xmx1g -cp "${CP[$rev]}" io.github.pgengine.bench.PeerBenchmark \
          client pgengine "$work" "$callers" "$SECS" "$SECS" | grep '^RESULT')
        echo "build=$rev work=$work callers=$callers round=$r $line"
      done
    done
  done
done | tee "$WORK.log"
stop_server
echo "mean of the rounds: build work callers ops/s CPU-us/op"
sed -E 's/^build=([^ ]+) work=([^ ]+) callers=([0-9]+) .*opsPerSecond=([0-9.]+) .*cpuMicrosPerOp=([0-9.]+).*/\1 \2 \3 \4 \5/' "$WORK.log" |
  awk '{k=$1" "$2" "$3; n[k]++; o[k]+=$4; c[k]+=$5} END {for (k in n) printf "%s %.0f %.1f\n", k, o[k]/n[k], c[k]/n[k]}' | sort -k2,2 -k3,3n -k1,1
