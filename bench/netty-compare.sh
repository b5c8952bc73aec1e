#!/usr/bin/env bash
# Netty 4.1 (pgengine's pin) against 4.2 (Spring Boot 4's): PeerBenchmark's point-select client for pgengine, one
# JVM per run, the two alternated round by round on one throwaway PostgreSQL (pgbench schema, scale 10).
#   mvn -q install -DskipTests && bash bench/netty-compare.sh      (SECS=4 ROUNDS=3 CALLERS="1 8 64" by default)
# Needs pgbench (PostgreSQL's client tools) for the schema. Prints one RESULT line per run.
set -uo pipefail
cd "$(dirname "$0")/.."
SECS=${SECS:-4}; ROUNDS=${ROUNDS:-3}; NETTY42=${NETTY42:-4.2.15.Final}
mvn -B -q -f bench/pom.xml compile
mvn -B -q -f bench/pom.xml dependency:build-classpath -Dmdep.outputFile=/tmp/netty-cp41.txt
mvn -B -q -f bench/pom.xml dependency:build-classpath -Dnetty.version="$NETTY42" -Dmdep.outputFile=/tmp/netty-cp42.txt
CP41="$(pwd)/bench/target/classes:$(cat /tmp/netty-cp41.txt)"
CP42="$(pwd)/bench/target/classes:$(cat /tmp/netty-cp42.txt)"
. bench/throwaway-server.sh
start_server "$CP41" netty
for callers in ${CALLERS:-1 8 64}; do
  for r in $(seq 1 "$ROUNDS"); do
    for n in 41 42; do
      cp=CP$n
      line=$(PGENGINE_TEST_POSTGRES_URL="$URL" java -Xmx1g -cp "${!cp}" io.github.pgengine.bench.PeerBenchmark client pgengine select "$callers" "$SECS" "$SECS" | grep '^RESULT')
      echo "netty4.${n#4} callers=$callers round=$r $line"
    done
  done
done
stop_server
