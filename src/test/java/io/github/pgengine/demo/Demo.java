package io.github.pgengine.demo;

import io.github.pgengine.PoolOptions;
import io.github.pgengine.PostgresEngine;
import io.github.pgengine.Row;
import io.github.pgengine.testing.TestPostgres;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The library's main job, end to end, against a throwaway local PostgreSQL: prepare the database, check the
 * version, start the pool, run queries, print what happened, close. Run with {@code mvn -q test-compile exec:java}.
 */
public final class Demo {
    private Demo() {}

    /**
     * Runs the demo.
     *
     * @param args ignored
     * @throws Exception when a step fails
     */
    public static void main(String[] args) throws Exception {
        TestPostgres pg = TestPostgres.get();
        System.out.println("PostgreSQL: " + pg.source());

        PostgresEngine engine = new PostgresEngine(
                Map.of(
                        "host",
                        pg.host(),
                        "port",
                        pg.port(),
                        "user",
                        pg.user(),
                        "password",
                        pg.password(),
                        "database",
                        pg.database()),
                List.of("uuid-ossp"),
                true,
                false,
                Map.of());
        System.out.println("Engine: " + engine);

        engine.prepDatabase().get(30, TimeUnit.SECONDS);
        System.out.println("prepDatabase: extension uuid-ossp is ready");
        engine.checkVersion().get(30, TimeUnit.SECONDS);
        System.out.println("Server version: " + engine.getVersion().get(30, TimeUnit.SECONDS));

        engine.startConnectionPool(PoolOptions.builder().maxSize(4).build()).get(30, TimeUnit.SECONDS);
        System.out.println("Pool started: " + engine.poolStats());

        engine.runDdl("DROP TABLE IF EXISTS demo_band").get(30, TimeUnit.SECONDS);
        engine.runDdl("CREATE TABLE demo_band (id uuid PRIMARY KEY DEFAULT uuid_generate_v4(), name text NOT NULL, "
                        + "popularity int NOT NULL)")
                .get(30, TimeUnit.SECONDS);
        long inserted = engine.execute(
                        "INSERT INTO demo_band (name, popularity) VALUES ($1, $2), ($3, $4), ($5, $6)",
                        "Pythonistas",
                        1000,
                        "Rustaceans",
                        800,
                        "C-Sharps",
                        500)
                .get(30, TimeUnit.SECONDS);
        System.out.println("Inserted " + inserted + " bands");

        List<CompletableFuture<List<Row>>> lookups = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            lookups.add(engine.query(
                    "SELECT name, popularity FROM demo_band WHERE popularity >= ? ORDER BY popularity DESC", i * 10));
        }
        CompletableFuture.allOf(lookups.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
        System.out.println("Ran 20 concurrent queries through a pool of 4; the first returned "
                + lookups.get(0).get());

        List<Row> top = engine.query(
                        "SELECT name, popularity, now() AS at FROM demo_band ORDER BY popularity DESC LIMIT 1")
                .get(30, TimeUnit.SECONDS);
        Row row = top.get(0);
        System.out.println("Most popular: " + row.getString("name") + " (" + row.getInt("popularity") + ") at "
                + row.getOffsetDateTime("at"));
        System.out.println("Pool after the work: " + engine.poolStats());

        engine.runDdl("DROP TABLE demo_band").get(30, TimeUnit.SECONDS);
        engine.close().get(30, TimeUnit.SECONDS);
        System.out.println("Engine closed. Demo finished.");
    }
}
