package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.TestPostgres;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The code samples of README.md and docs/, compiled and run against the test PostgreSQL. */
class DocsExamplesTest {

    @Test
    void theGettingStartedSampleRuns() {
        TestPostgres pg = TestPostgres.get();
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
                false,
                false,
                Map.of());
        engine.prepDatabase()
                .thenCompose(v -> engine.checkVersion())
                .thenCompose(v -> engine.startConnectionPool(
                        PoolOptions.builder().maxSize(8).build()))
                .join();
        Await.result(engine.runDdl("DROP TABLE IF EXISTS doc_band"));
        Await.result(engine.runDdl("CREATE TABLE doc_band (id serial PRIMARY KEY, name text, popularity int)"));

        long inserted = engine.execute(
                        "INSERT INTO doc_band (name, popularity) VALUES ($1, $2), ($3, $4)",
                        "Pythonistas",
                        1000,
                        "Rustaceans",
                        50)
                .join();
        List<Row> rows = engine.query("SELECT id, name FROM doc_band WHERE popularity > $1", 100)
                .join();
        long changed = engine.execute("UPDATE doc_band SET popularity = 0 WHERE name = ?", "Pythonistas")
                .join();
        CompletableFuture<Long> count =
                engine.transaction(tx -> tx.execute("INSERT INTO doc_band (name) VALUES ($1)", "C-Sharps")
                        .thenCompose(n -> tx.query("SELECT count(*) AS n FROM doc_band"))
                        .thenApply(r -> r.get(0).getLong("n")));
        long counted = Await.result(count); // before the atomic batch below adds a row
        Await.result(engine.atomic()
                .add("INSERT INTO doc_band (name) VALUES ($1)", "Gophers")
                .add("UPDATE doc_band SET popularity = popularity + 1")
                .run());
        Batch batch = engine.batch("SELECT * FROM doc_band WHERE popularity >= $1", List.of(0), 500)
                .join();
        int read = 0;
        for (List<Row> b = batch.next().join(); !b.isEmpty(); b = batch.next().join()) {
            read += b.size();
        }

        assertThat(inserted).isEqualTo(2);
        assertThat(rows).singleElement().extracting(r -> r.getString("name")).isEqualTo("Pythonistas");
        assertThat(changed).isEqualTo(1);
        assertThat(counted).isEqualTo(3L);
        assertThat(read).isEqualTo(2); // rows with a popularity (two were inserted without one)
        Await.result(engine.runDdl("DROP TABLE doc_band"));
        engine.close().join();
    }

    @Test
    void theConfigurationAndRetrySamplesBuild() {
        PostgresEngine e = PostgresEngine.builder()
                .url("postgresql://app@db1/app?sslmode=verify-full")
                .build();
        PostgresEngine f =
                new PostgresEngine(Map.of("dsn", "postgres://app:pw@db1/app", "application_name", "billing"));
        RetryPolicy policy = RetryPolicy.builder()
                .maxAttempts(10)
                .initialBackoff(Duration.ofMillis(50))
                .maxBackoff(Duration.ofSeconds(5))
                .multiplier(2.0)
                .jitter(0.5)
                .build();
        CockroachEngine crdb = CockroachEngine.builder()
                .url("postgresql://root@localhost:26257/defaultdb?sslmode=disable")
                .retryPolicy(policy)
                .build();
        TransactionOptions options = TransactionOptions.builder()
                .isolation(IsolationLevel.SERIALIZABLE)
                .readOnly(true)
                .deferrable(true)
                .allowNested(false)
                .retryPolicy(RetryPolicy.defaults())
                .build();

        assertThat(e.toString()).contains("app@db1:5432/app");
        assertThat(f.name()).isEqualTo("app@db1:5432/app");
        assertThat(crdb.retryPolicy()).isEqualTo(policy);
        assertThat(options.isolation()).isEqualTo(IsolationLevel.SERIALIZABLE);
    }
}
