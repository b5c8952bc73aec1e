package io.github.pgengine.bench;

import io.github.pgengine.PoolOptions;
import io.github.pgengine.PostgresEngine;
import io.github.pgengine.testing.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Bulk writes: 100,000 rows ({@code int, text, bigint}) inserted by pgengine's {@code executeBatch} (with its
 * multi-row rewrite, and with it switched off), by one
 * {@code INSERT ... SELECT FROM unnest(...)} through pgengine, and by pgjdbc's {@code executeBatch} without and with
 * {@code reWriteBatchedInserts}; each into an emptied table, alternated in rounds after a warm-up, so machine noise
 * hits all alike. Prints the median time of each and its ratio to pgjdbc with reWriteBatchedInserts; PeerBenchmark
 * runs the same comparison for docs/performance.md. Run:
 * {@code mvn -q install -DskipTests && mvn -q -f bench/pom.xml compile exec:java
 * -Dexec.mainClass=io.github.pgengine.bench.BulkBenchmark -Dexec.args="100000 5"}.
 */
public final class BulkBenchmark {
    private BulkBenchmark() {}

    private interface Writer {
        void write(List<List<Object>> rows) throws Exception;
    }

    /** The writer the others are compared with. */
    static final String ANCHOR = "pgjdbc executeBatch, reWriteBatchedInserts";

    /** pgengine's executeBatch with its multi-row rewrite (the default). */
    static final String EXECUTE_BATCH = "pgengine executeBatch";

    /**
     * Runs the comparison and prints it.
     *
     * @param args {@code [rows] [rounds]}
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Map<String, Double> millis = measure(TestPostgres.get(), n, rounds);
        double anchor = millis.get(ANCHOR);
        System.out.printf(
                "%,d rows (int, text, bigint) into an unlogged table, median of %d alternated rounds, %d cores%n",
                n, rounds, Runtime.getRuntime().availableProcessors());
        System.out.printf("%-45s %10s %12s %10s%n", "writer", "ms", "rows/s", "vs rewrite");
        for (Map.Entry<String, Double> e : millis.entrySet()) {
            double m = e.getValue();
            System.out.printf("%-45s %10.0f %,12.0f %9.2fx%n", e.getKey(), m, n / (m / 1000), anchor / m);
        }
        System.exit(0);
    }

    /**
     * Inserts {@code n} rows with each writer, alternated over {@code rounds} rounds after a warm-up round.
     *
     * @param pg the server
     * @param n rows per write
     * @param rounds measured rounds
     * @return each writer's median milliseconds, in a fixed order
     * @throws Exception on failure
     */
    static Map<String, Double> measure(TestPostgres pg, int n, int rounds) throws Exception {
        PostgresEngine engine = new PostgresEngine(pg.config());
        engine.startConnectionPool(PoolOptions.builder().maxSize(2).build()).get(60, TimeUnit.SECONDS);
        PostgresEngine perRow = PostgresEngine.builder()
                .config(pg.config())
                .rewriteBatchedInserts(false)
                .build();
        perRow.startConnectionPool(PoolOptions.builder().maxSize(1).build()).get(60, TimeUnit.SECONDS);
        engine.runDdl("DROP TABLE IF EXISTS bulk_bench").get(60, TimeUnit.SECONDS);
        engine.runDdl("CREATE UNLOGGED TABLE bulk_bench (id int PRIMARY KEY, name text, amount bigint)")
                .get(60, TimeUnit.SECONDS);
        Connection plain = jdbc(pg, false);
        Connection rewrite = jdbc(pg, true);

        List<List<Object>> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            rows.add(List.of(i, "name " + i, (long) i * 31));
        }
        String insert = "INSERT INTO bulk_bench (id, name, amount) VALUES ($1, $2, $3)";
        Map<String, Writer> writers = new LinkedHashMap<>();
        writers.put(EXECUTE_BATCH, r -> engine.executeBatch(insert, r).get(10, TimeUnit.MINUTES));
        writers.put(
                "pgengine executeBatch, rewrite off",
                r -> perRow.executeBatch(insert, r).get(10, TimeUnit.MINUTES));
        writers.put("pgengine unnest (one statement)", r -> {
            List<Object> ids = new ArrayList<>(r.size());
            List<Object> names = new ArrayList<>(r.size());
            List<Object> amounts = new ArrayList<>(r.size());
            for (List<Object> row : r) {
                ids.add(row.get(0));
                names.add(row.get(1));
                amounts.add(row.get(2));
            }
            engine.execute(
                            "INSERT INTO bulk_bench (id, name, amount) "
                                    + "SELECT * FROM unnest($1::int[], $2::text[], $3::bigint[])",
                            ids,
                            names,
                            amounts)
                    .get(10, TimeUnit.MINUTES);
        });
        writers.put("pgjdbc executeBatch", r -> jdbcBatch(plain, r));
        writers.put(ANCHOR, r -> jdbcBatch(rewrite, r));

        Map<String, List<Double>> millis = new LinkedHashMap<>();
        for (int round = -1; round < rounds; round++) {
            for (Map.Entry<String, Writer> w : writers.entrySet()) {
                engine.runDdl("TRUNCATE bulk_bench").get(60, TimeUnit.SECONDS);
                long start = System.nanoTime();
                w.getValue().write(rows);
                double ms = (System.nanoTime() - start) / 1e6;
                long count = engine.query("SELECT count(*) AS c FROM bulk_bench")
                        .get(60, TimeUnit.SECONDS)
                        .get(0)
                        .getLong("c");
                if (count != n) {
                    throw new IllegalStateException(w.getKey() + " wrote " + count + " rows, not " + n);
                }
                if (round >= 0) {
                    millis.computeIfAbsent(w.getKey(), k -> new ArrayList<>()).add(ms);
                }
            }
        }
        plain.close();
        rewrite.close();
        engine.runDdl("DROP TABLE bulk_bench").get(60, TimeUnit.SECONDS);
        engine.close().get(60, TimeUnit.SECONDS);
        perRow.close().get(60, TimeUnit.SECONDS);
        Map<String, Double> medians = new LinkedHashMap<>();
        millis.forEach((name, list) -> medians.put(name, median(list)));
        return medians;
    }

    private static Connection jdbc(TestPostgres pg, boolean rewrite) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", pg.user());
        p.setProperty("password", pg.password());
        p.setProperty("reWriteBatchedInserts", String.valueOf(rewrite));
        Connection c = DriverManager.getConnection(
                "jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/" + pg.database(), p);
        try (Statement s = c.createStatement()) {
            s.execute("SELECT 1");
        }
        return c;
    }

    private static void jdbcBatch(Connection c, List<List<Object>> rows) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO bulk_bench (id, name, amount) VALUES (?, ?, ?)")) {
            for (List<Object> r : rows) {
                ps.setInt(1, (Integer) r.get(0));
                ps.setString(2, (String) r.get(1));
                ps.setLong(3, (Long) r.get(2));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }
}
