# Sourced by the A/B scripts of bench/: starts a throwaway PostgreSQL (TestPostgres, from the class path in $1)
# with pgbench's schema at scale 10, and sets URL, PORT, PW and SERVER_PIDS; stop_server ends it.
# Needs pgbench (PostgreSQL's client tools, or the embedded binaries' own).
start_server() {
  local cp=$1 tag=${2:-ab}
  rm -f "/tmp/$tag-pg.fifo"; mkfifo "/tmp/$tag-pg.fifo"
  (sleep 100000 > "/tmp/$tag-pg.fifo") & local hold=$!
  java -cp "$cp" io.github.pgengine.testing.TestPostgres < "/tmp/$tag-pg.fifo" > "/tmp/$tag-pg.out" 2>&1 & local pg=$!
  SERVER_PIDS="$hold $pg"
  for i in $(seq 1 600); do grep -q '^postgresql://' "/tmp/$tag-pg.out" && break; sleep 0.1; done
  URL=$(grep '^postgresql://' "/tmp/$tag-pg.out" | head -1)
  local bin; bin=$(grep -o '/tmp/pgengine-postgres-[0-9a-f]*/bin' "/tmp/$tag-pg.out" | head -1)
  PORT=$(echo "$URL" | sed -E 's|.*:([0-9]+)/.*|\1|'); PW=$(echo "$URL" | sed -E 's|postgresql://[^:]*:([^@]*)@.*|\1|')
  PW=$(python3 -c "import urllib.parse,sys;print(urllib.parse.unquote(sys.argv[1]))" "$PW")
  echo "server $URL bin $bin"
  local pgb; pgb=$(ls /usr/lib/postgresql/*/bin/pgbench "$bin/pgbench" 2>/dev/null | head -1)
  PGPASSWORD="$PW" "$pgb" -h 127.0.0.1 -p "$PORT" -U pgengine -i -q -s 10 --unlogged-tables pgengine_test 2>&1 | tail -1
}

stop_server() {
  kill $SERVER_PIDS 2>/dev/null; wait 2>/dev/null
}
