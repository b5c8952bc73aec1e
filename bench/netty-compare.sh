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
rm -f /tmp/netty-pg.fifo; mkfifo /tmp/netty-pg.fifo
(sleep 100000 > /tmp/netty-pg.fifo) & HOLD=$!
java -cp "$CP41" io.github.pgengine.testing.TestPostgres < /tmp/netty-pg.fifo > /tmp/netty-pg.out 2>&1 & PG=$!
for i in $(seq 1 600); do grep -q '^postgresql://' /tmp/netty-pg.out && break; sleep 0.1; done
URL=$(grep '^postgresql://' /tmp/netty-pg.out | head -1)
BIN=$(grep -o '/tmp/pgengine-postgres-[0-9a-f]*/bin' /tmp/netty-pg.out | head -1)
PORT=$(echo "$URL" | sed -E 's|.*:([0-9]+)/.*|\1|'); PW=$(echo "$URL" | sed -E 's|postgresql://[^:]*:([^@]*)@.*|\1|')
PW=$(python3 -c "import urllib.parse,sys;print(urllib.parse.unquote(sys.argv[1]))" "$PW")
echo "server $URL bin $BIN"
PGB=$(ls /usr/lib/postgresql/*/bin/pgbench "$BIN/pgbench" 2>/dev/null | head -1)
PGPASSWORD="$PW" "$PGB" -h 127.0.0.1 -p "$PORT" -U pgengine -i -q -s 10 --unlogged-tables pgengine_test 2>&1 | tail -1
for callers in ${CALLERS:-1 8 64}; do
  for r in $(seq 1 "$ROUNDS"); do
    for n in 41 42; do
      cp=CP$n
      line=$(PGENGINE_TEST_POSTGRES_URL="$URL" java -Xmx1g -cp "${!cp}" io.github.pgengine.bench.PeerBenchmark client pgengine select "$callers" "$SECS" "$SECS" | grep '^RESULT')
      echo "netty4.${n#4} callers=$callers round=$r $line"
    done
  done
done
kill $HOLD $PG 2>/dev/null; wait 2>/dev/null
