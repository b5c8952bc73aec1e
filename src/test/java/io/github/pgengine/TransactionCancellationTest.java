package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Cancelling one step of a transaction from Java, at every kind of step: a statement, a batch, a sub-transaction, a
 * commit, a cursor's FETCH; before it is sent, while it runs, and racing its answer. What the server did is checked
 * (pg_stat_activity, the table), never only what the future says: a statement whose caller cancelled it is
 * cancelled on the server at once, and the transaction cannot commit it unless a savepoint rolls it back.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TransactionCancellationTest {
    /** Long enough that only a server-side cancel can end it within {@link #PROMPTLY}. */
    private static final String SLEEP = "SELECT pg_sleep(20)";

    private static final Duration PROMPTLY = Duration.ofSeconds(5);
    private static final AtomicInteger TABLES = new AtomicInteger();

    private static TestPostgres pg;
    private static PostgresEngine engine;
    private String table;

    @BeforeAll
    static void start() {
        pg = TestPostgres.get();
        engine = PostgresEngine.builder().config(pg.config()).build();
        Await.result(engine.startConnectionPool(PoolOptions.builder().maxSize(4).build()));
    }

    @AfterAll
    static void stop() {
        Await.result(engine.close());
    }

    @BeforeEach
    void table() {
        table = "txc_" + TABLES.incrementAndGet();
        Await.result(engine.runDdl("DROP TABLE IF EXISTS " + table));
        Await.result(engine.runDdl("CREATE TABLE " + table + " (id int PRIMARY KEY, v int NOT NULL)"));
        Await.result(engine.execute("INSERT INTO " + table + " VALUES (1, 0)"));
    }

    private int value() {
        return Await.result(engine.query("SELECT v FROM " + table + " WHERE id = 1"))
                .get(0)
                .getInt("v");
    }

    private static int running(String sqlStart) {
        return pg.admin("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '"
                                        + sqlStart.replace("'", "''") + "%'")
                                .get(0)
                                .get(0)
                        instanceof Number n
                ? n.intValue()
                : -1;
    }

    private static void awaitRunning(String sqlStart) {
        Await.until(sqlStart + " runs on the server", () -> running(sqlStart) == 1);
    }

    /** Awaits the statement's end on the server, returning how long it took from {@code since}. */
    private static Duration awaitGone(String sqlStart, long since) {
        Await.until(sqlStart + " no longer runs on the server", () -> running(sqlStart) == 0);
        return Duration.ofNanos(System.nanoTime() - since);
    }

    private String slowUpdate() {
        return "UPDATE " + table + " SET v = 1 WHERE id = 1 AND (SELECT true FROM pg_sleep(20))";
    }

    @Test
    void aRunningStatementCancelledByItsCallerStopsOnTheServerAndTheTransactionCannotCommitIt() {
        AtomicBoolean cancelled = new AtomicBoolean();
        AtomicLong cancelledAt = new AtomicLong();
        CompletableFuture<String> tx = engine.transaction(t -> {
            CompletableFuture<Long> update = t.execute(slowUpdate());
            awaitRunning("UPDATE " + table);
            cancelledAt.set(System.nanoTime());
            cancelled.set(update.cancel(true));
            // the callback catches the cancellation and goes on, as a caught failure would
            return update.handle((n, e) -> "caught " + e.getClass().getSimpleName());
        });
        Throwable failure = Await.failure(tx);
        assertThat(cancelled).isTrue();
        assertThat(awaitGone("UPDATE " + table, cancelledAt.get())).isLessThan(PROMPTLY);
        assertThat(failure).isInstanceOf(TransactionRolledBackException.class).hasMessageContaining("cancel");
        assertThat(value()).as("the cancelled UPDATE was not committed").isZero();
        Await.until("the pool is idle", () -> engine.poolStats().isIdle());
    }

    @Test
    void aStatementCancelledBeforeItWasSentIsNeverSent() {
        Await.result(engine.runDdl("CREATE SEQUENCE IF NOT EXISTS " + table + "_seq"));
        CompletableFuture<String> tx = engine.transaction(t -> {
            CompletableFuture<List<Row>> sleep = t.query("SELECT pg_sleep(0.3)");
            // queued behind the sleep: nextval is not transactional, so it shows whether the statement was sent
            CompletableFuture<List<Row>> queued = t.query("SELECT nextval('" + table + "_seq')");
            assertThat(queued.cancel(true)).isTrue();
            return sleep.thenCompose(r -> t.execute("UPDATE " + table + " SET v = 2 WHERE id = 1"))
                    .thenApply(n -> "done");
        });
        assertThat(Await.failure(tx)).isInstanceOf(TransactionRolledBackException.class);
        assertThat(Await.result(engine.query("SELECT last_value, is_called FROM " + table + "_seq"))
                        .get(0)
                        .getBoolean("is_called"))
                .as("nextval never ran")
                .isFalse();
        assertThat(value()).isZero();
    }

    @Test
    void aCancelledStatementRolledBackToASavepointLetsTheTransactionCommit() {
        // the callback never blocks (it may run on an I/O thread): the test thread cancels from outside
        CompletableFuture<CompletableFuture<Long>> handed = new CompletableFuture<>();
        CompletableFuture<Long> tx =
                engine.transaction(t -> t.savepoint("before").thenCompose(sp -> {
                    CompletableFuture<Long> update = t.execute(slowUpdate());
                    handed.complete(update);
                    return update.handle((n, e) -> null)
                            .thenCompose(x -> t.rollbackTo("before"))
                            .thenCompose(x -> t.execute("UPDATE " + table + " SET v = 3 WHERE id = 1"));
                }));
        CompletableFuture<Long> update = Await.result(handed);
        awaitRunning("UPDATE " + table);
        long at = System.nanoTime();
        assertThat(update.cancel(true)).isTrue();
        assertThat(Await.result(tx)).isEqualTo(1L);
        assertThat(awaitGone("UPDATE " + table, at)).isLessThan(PROMPTLY);
        assertThat(value()).isEqualTo(3);
    }

    @Test
    void orTimeoutOnAStatementIsACancellation() {
        CompletableFuture<String> tx = engine.transaction(t -> {
            CompletableFuture<Long> update = t.execute(slowUpdate()).orTimeout(300, TimeUnit.MILLISECONDS);
            return update.handle((n, e) -> {
                assertThat(e).isInstanceOf(TimeoutException.class);
                return "timed out";
            });
        });
        long start = System.nanoTime();
        assertThat(Await.failure(tx)).isInstanceOf(TransactionRolledBackException.class);
        assertThat(awaitGone("UPDATE " + table, start)).isLessThan(PROMPTLY);
        assertThat(value()).isZero();
    }

    /**
     * The caller's own outcome wins the race with the engine's answer to the stop it caused: an orTimeout is a
     * TimeoutException every time, never the cancellation the server then reports (it was the latter about once in
     * a few hundred before the step future set the caller's outcome before asking the server to stop).
     */
    @Test
    void orTimeoutIsATimeoutExceptionEveryTime() {
        for (int round = 0; round < 40; round++) {
            AtomicReference<Throwable> seen = new AtomicReference<>();
            CompletableFuture<String> tx = engine.transaction(t -> t.query("SELECT pg_sleep(5)")
                    .orTimeout(20, TimeUnit.MILLISECONDS)
                    .handle((rows, e) -> {
                        seen.set(e);
                        return "timed out";
                    }));
            assertThat(Await.failure(tx)).isInstanceOf(TransactionRolledBackException.class);
            assertThat(seen.get()).as("round %d", round).isInstanceOf(TimeoutException.class);
        }
    }

    @Test
    void aCancelledBatchStopsOnTheServerAndTheTransactionCannotCommitIt() throws SQLException {
        // the batch's row 2 waits for a lock another session holds
        try (Connection blocker = jdbc()) {
            blocker.setAutoCommit(false);
            blocker.createStatement().executeUpdate("UPDATE " + table + " SET v = 9 WHERE id = 1");
            CompletableFuture<long[]> batch = new CompletableFuture<>();
            AtomicLong cancelledAt = new AtomicLong();
            CompletableFuture<String> tx = engine.transaction(t -> {
                CompletableFuture<long[]> b = t.executeBatch(
                        "UPDATE " + table + " SET v = v + $1 WHERE id = 1", List.of(List.of(5), List.of(6)));
                batch.complete(null);
                Await.until(
                        "the batch waits for the lock",
                        () -> !pg.admin("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
                                .isEmpty());
                cancelledAt.set(System.nanoTime());
                assertThat(b.cancel(true)).isTrue();
                return b.handle((n, e) -> "caught");
            });
            Throwable failure = Await.failure(tx);
            assertThat(Duration.ofNanos(System.nanoTime() - cancelledAt.get())).isLessThan(PROMPTLY);
            assertThat(failure).isInstanceOf(TransactionRolledBackException.class);
            blocker.rollback();
        }
        assertThat(value()).isZero();
    }

    @Test
    void cancellingASubTransactionStopsItsStatementAndRollsBackToItsSavepoint() {
        AtomicLong cancelledAt = new AtomicLong();
        CompletableFuture<Long> tx = engine.transaction(t -> {
            CompletableFuture<Object> sub = t.transaction(s -> s.execute("INSERT INTO " + table + " VALUES (2, 2)")
                    .thenCompose(n -> s.query(SLEEP))
                    .thenApply(rows -> (Object) rows));
            awaitRunning(SLEEP);
            cancelledAt.set(System.nanoTime());
            assertThat(sub.cancel(true)).isTrue();
            return sub.handle((v, e) -> null).thenCompose(x -> t.execute("INSERT INTO " + table + " VALUES (3, 3)"));
        });
        assertThat(Await.result(tx)).isEqualTo(1L);
        assertThat(awaitGone(SLEEP, cancelledAt.get())).isLessThan(PROMPTLY);
        assertThat(Await.result(engine.query("SELECT id FROM " + table + " ORDER BY id")))
                .extracting(r -> r.getInt("id"))
                .as("the sub-transaction's insert was rolled back; the outer transaction committed")
                .containsExactly(1, 3);
    }

    @Test
    void aCommitCancelledBeforeItWasSentRollsBack() {
        AtomicBoolean cancelled = new AtomicBoolean();
        CompletableFuture<Object> tx = engine.transaction(t -> {
            t.execute("UPDATE " + table + " SET v = 4 WHERE id = 1");
            t.query("SELECT pg_sleep(0.3)");
            CompletableFuture<Void> commit = t.commit();
            cancelled.set(commit.cancel(true));
            return commit.handle((v, e) -> null);
        });
        Throwable failure = Await.failure(tx);
        assertThat(cancelled).isTrue();
        assertThat(failure).isInstanceOf(TransactionRolledBackException.class).hasMessageContaining("cancelled");
        assertThat(value()).isZero();
    }

    @Test
    void aCommitOnTheWireCannotBeCalledBack() {
        // a deferred constraint trigger makes COMMIT itself take a while
        Await.result(engine.runDdl("CREATE OR REPLACE FUNCTION " + table
                + "_slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(1); RETURN NULL; END $$"));
        Await.result(engine.runDdl("CREATE CONSTRAINT TRIGGER slow_commit AFTER UPDATE ON " + table
                + " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION " + table + "_slow()"));
        AtomicReference<CompletableFuture<Void>> commit = new AtomicReference<>();
        CompletableFuture<Object> tx = engine.transaction(t -> t.execute("UPDATE " + table + " SET v = 5 WHERE id = 1")
                .thenCompose(n -> {
                    commit.set(t.commit());
                    return commit.get().thenApply(v -> (Object) "committed");
                }));
        Await.until("COMMIT runs", () -> running("COMMIT") == 1);
        assertThat(commit.get().cancel(true))
                .as("a COMMIT on the wire cannot be called back")
                .isFalse();
        assertThat(Await.result(tx)).isEqualTo("committed");
        assertThat(value()).isEqualTo(5);
    }

    @Test
    void aCursorFetchCancelledWhileItRunsStopsOnTheServerAndGivesTheConnectionBack() {
        Batch batch = Await.result(engine.batch(
                "SELECT g, pg_sleep(CASE WHEN g > 2 THEN 20 ELSE 0 END) FROM generate_series(1, 4) g", List.of(), 2));
        assertThat(Await.result(batch.next())).hasSize(2);
        CompletableFuture<List<Row>> next = batch.next();
        awaitRunning("FETCH");
        long at = System.nanoTime();
        assertThat(next.cancel(true)).isTrue();
        assertThat(awaitGone("FETCH", at)).isLessThan(PROMPTLY);
        Await.until("the pool is idle", () -> engine.poolStats().isIdle());
        assertThat(batch.isClosed()).isTrue();
    }

    /**
     * The race between a caller's cancel and the statement's answer, many times at random moments: the caller's
     * answer and what was committed always agree. {@code cancel} returning true means the UPDATE is not committed;
     * false means the caller gets its outcome, and the transaction commits it.
     */
    @Test
    void aCancelRacingTheAnswerAlwaysAgreesWithWhatWasCommitted() {
        List<String> disagreements = new ArrayList<>();
        for (int round = 0; round < 150; round++) {
            Await.result(engine.execute("UPDATE " + table + " SET v = 0 WHERE id = 1"));
            long delayMicros = ThreadLocalRandom.current().nextLong(0, 3_000);
            AtomicBoolean cancelled = new AtomicBoolean();
            CompletableFuture<String> tx = engine.transaction(t -> {
                CompletableFuture<Long> update = t.execute("UPDATE " + table + " SET v = 7 WHERE id = 1");
                long until = System.nanoTime() + delayMicros * 1_000;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
                cancelled.set(update.cancel(true));
                return update.handle((n, e) -> "ok");
            });
            boolean committed;
            try {
                tx.get(30, TimeUnit.SECONDS);
                committed = true;
            } catch (Exception e) {
                committed = false;
            }
            int v = value();
            if (cancelled.get() == committed || (v == 7) != committed) {
                disagreements.add("round " + round + ": cancel returned " + cancelled.get() + ", transaction "
                        + (committed ? "committed" : "failed") + ", v = " + v);
            }
        }
        assertThat(disagreements).isEmpty();
        Await.until("the pool is idle", () -> engine.poolStats().isIdle());
    }

    @Test
    void aCancelledStatementFutureSaysCancelled() {
        CompletableFuture<Throwable> seen = new CompletableFuture<>();
        CompletableFuture<Object> tx = engine.transaction(t -> {
            CompletableFuture<List<Row>> q = t.query(SLEEP);
            awaitRunning(SLEEP);
            q.cancel(true);
            return q.handle((r, e) -> {
                seen.complete(e);
                return null;
            });
        });
        Await.failure(tx);
        assertThat(Await.result(seen)).isInstanceOf(CancellationException.class);
    }

    private static Connection jdbc() throws SQLException {
        return DriverManager.getConnection(
                "jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/" + pg.database(), pg.user(), pg.password());
    }
}
