package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.TestPostgres;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code close(grace)}: work that has a connection finishes within the grace, work still running after it is
 * cancelled on the server, nothing new starts, and the future completes when every connection is closed.
 */
class GracefulCloseTest {
    private static final String APP = "pgengine-graceful-close";
    private static final AtomicInteger TABLES = new AtomicInteger();

    private final TestPostgres pg = TestPostgres.get();
    private final String table = "graceful_" + TABLES.incrementAndGet();
    private PostgresEngine engine;
    private PostgresEngine admin;

    @BeforeEach
    void start() {
        Map<String, Object> config = new LinkedHashMap<>(pg.config());
        config.put("application_name", APP);
        engine = PostgresEngine.builder().config(config).build();
        Await.result(engine.startConnectionPool(PoolOptions.builder().maxSize(4).build()));
        admin = new PostgresEngine(pg.config());
        Await.result(admin.runDdl("DROP TABLE IF EXISTS " + table));
        Await.result(admin.runDdl("CREATE TABLE " + table + " (id int PRIMARY KEY, v int NOT NULL)"));
        Await.result(admin.execute("INSERT INTO " + table + " VALUES (1, 0)"));
    }

    @AfterEach
    void stop() {
        Await.result(engine.close());
        Await.result(admin.runDdl("DROP TABLE IF EXISTS " + table));
        Await.result(admin.close());
    }

    @Test
    void aStatementThatEndsWithinTheGraceFinishesAndTheCloseWaitsForIt() {
        CompletableFuture<List<Row>> running = engine.query("SELECT pg_sleep(0.5), 42 AS answer");
        awaitActive("pg_sleep(0.5)");
        long start = System.nanoTime();
        Await.result(engine.close(Duration.ofSeconds(10)));
        long tookMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(Await.result(running).get(0).getInt("answer")).isEqualTo(42);
        assertThat(tookMs).as("waited for the statement, not for the grace").isLessThan(8_000);
        assertThat(engine.poolStats().total()).isZero();
        assertThat(backends()).isZero();
    }

    @Test
    void aStatementStillRunningAfterTheGraceIsCancelledOnTheServer() {
        CompletableFuture<List<Row>> running = engine.query("SELECT pg_sleep(30)");
        awaitActive("pg_sleep(30)");
        long start = System.nanoTime();
        Await.result(engine.close(Duration.ofMillis(300)));
        long tookMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(tookMs).as("the grace, then a cancel's round trip").isBetween(250L, 10_000L);
        Throwable failure = Await.failure(running);
        assertThat(failure).isInstanceOfAny(QueryTimeoutException.class, ConnectionException.class);
        Await.until("no backend of the engine is left", () -> backends() == 0);
        assertThat(engine.poolStats().total()).isZero();
    }

    @Test
    void aTransactionStillRunningAfterTheGraceIsRolledBack() {
        CompletableFuture<List<Row>> tx =
                engine.transaction(t -> t.execute("UPDATE " + table + " SET v = 1 WHERE id = 1")
                        .thenCompose(n -> t.query("SELECT pg_sleep(30)")));
        awaitActive("SELECT pg_sleep(30)");
        Await.result(engine.close(Duration.ofMillis(200)));

        assertThat(Await.failure(tx)).isInstanceOf(EngineException.class);
        Await.until("no backend of the engine is left", () -> backends() == 0);
        assertThat(value()).as("the update was not committed").isZero();
    }

    @Test
    void aTransactionWithAConnectionGoesOnWithinTheGraceAndCommits() {
        CompletableFuture<Void> firstStepDone = new CompletableFuture<>();
        CompletableFuture<Void> closing = new CompletableFuture<>();
        CompletableFuture<Long> tx = engine.transaction(t -> t.execute("UPDATE " + table + " SET v = 1 WHERE id = 1")
                .thenCompose(n -> {
                    firstStepDone.complete(null);
                    return closing;
                })
                .thenCompose(v -> t.execute("UPDATE " + table + " SET v = v + 1 WHERE id = 1")));
        Await.result(firstStepDone);
        CompletableFuture<Void> closed = engine.close(Duration.ofSeconds(10));
        assertThat(engine.isClosed()).isTrue();
        assertThatThrownBy(() -> Await.result(engine.query("SELECT 1")))
                .as("a new call after the close starts")
                .isInstanceOf(EngineClosedException.class);
        closing.complete(null);

        assertThat(Await.result(tx)).isEqualTo(1L);
        Await.result(closed);
        assertThat(value()).as("both updates committed").isEqualTo(2);
        assertThat(backends()).isZero();
    }

    @Test
    void callersWaitingForAConnectionFailAtOnce() {
        List<CompletableFuture<List<Row>>> busy = List.of(
                engine.query("SELECT pg_sleep(1)"),
                engine.query("SELECT pg_sleep(1)"),
                engine.query("SELECT pg_sleep(1)"),
                engine.query("SELECT pg_sleep(1)"));
        CompletableFuture<List<Row>> waiting = engine.query("SELECT 1");
        Await.until("a caller waits for a connection", () -> engine.poolStats().waiting() == 1);
        CompletableFuture<Void> closed = engine.close(Duration.ofSeconds(10));

        assertThat(Await.failure(waiting)).isInstanceOf(EngineClosedException.class);
        Await.result(closed);
        // the connections were given back, so their statements ended (their futures complete right after)
        busy.forEach(f -> assertThat(Await.result(f)).hasSize(1));
        assertThat(backends()).isZero();
    }

    @Test
    void aGracefulCloseAfterAPlainCloseStillCancelsWhatRuns() {
        CompletableFuture<List<Row>> running = engine.query("SELECT pg_sleep(30)");
        awaitActive("pg_sleep(30)");
        Await.result(engine.close());
        assertThat(running).isNotDone();

        Await.result(engine.close(Duration.ZERO));
        assertThat(Await.failure(running)).isInstanceOfAny(QueryTimeoutException.class, ConnectionException.class);
        Await.until("no backend of the engine is left", () -> backends() == 0);
    }

    @Test
    void aNegativeGraceIsRefused() {
        assertThatThrownBy(() -> engine.close(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("grace");
        assertThat(engine.isClosed()).isFalse();
    }

    private void awaitActive(String text) {
        Await.until(
                "'" + text + "' runs on the server",
                () -> count(
                                "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1 "
                                        + "AND state = 'active' AND position($2 in query) > 0",
                                APP,
                                text)
                        == 1);
    }

    private long backends() {
        return count("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1", APP);
    }

    private long count(String sql, Object... params) {
        return Await.result(admin.query(sql, params)).get(0).getLong("n");
    }

    private int value() {
        return Await.result(admin.query("SELECT v FROM " + table + " WHERE id = 1"))
                .get(0)
                .getInt("v");
    }
}
