package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.LogCapture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Transactions, savepoints, atomic and cursors: one suite, run on a pool, without one, and on CockroachDB.
 */
abstract class TransactionBehaviour {
    private static final AtomicInteger TABLES = new AtomicInteger();
    protected PostgresEngine engine;
    protected String table;

    /** Returns a new engine for one test, pool started or not. */
    protected abstract PostgresEngine createEngine(boolean logQueries);

    /** Returns true when the engine runs a pool. */
    protected abstract boolean pooled();

    /** Returns how many server sessions the engine holds now (to prove nothing leaks). */
    protected abstract long openSessions();

    @BeforeEach
    void setUp() {
        engine = createEngine(false);
        table = "tx_" + getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT) + "_" + TABLES.incrementAndGet();
        Await.result(engine.runDdl("DROP TABLE IF EXISTS " + table));
        Await.result(engine.runDdl("CREATE TABLE " + table + " (id int PRIMARY KEY, name text)"));
    }

    @AfterEach
    void tearDown() {
        Await.result(engine.runDdl("DROP TABLE IF EXISTS " + table));
        Await.result(engine.close());
    }

    private List<Integer> ids() {
        return Await.result(engine.query("SELECT id FROM " + table + " ORDER BY id")).stream()
                .map(r -> r.getInt("id"))
                .toList();
    }

    protected void assertNothingLeaks() {
        if (pooled()) {
            Await.until(
                    "pool back to idle",
                    () -> engine.poolStats().isIdle(),
                    () -> engine.poolStats().toString());
        }
        Await.until(
                "no session left over",
                () -> openSessions() <= (pooled() ? engine.poolStats().total() : 0),
                () -> "open sessions: " + openSessions());
    }

    /** Returns SQL returning the current transaction's id as column {@code id}. */
    protected String transactionIdSql() {
        return "SELECT txid_current() AS id";
    }

    @Test
    void commitsWhenTheCallbackSucceeds() {
        String result = Await.result(engine.transaction(tx -> tx.execute("INSERT INTO " + table + " VALUES (1, 'a')")
                .thenCompose(n -> tx.execute("INSERT INTO " + table + " VALUES (2, 'b')"))
                .thenApply(n -> "done")));

        assertThat(result).isEqualTo("done");
        assertThat(ids()).containsExactly(1, 2);
        assertNothingLeaks();
    }

    @Test
    void aMalformedStatementLeavesNoTableBehind() {
        String other = table + "_more";
        Throwable error = Await.failure(engine.transaction(tx -> tx.runDdl("CREATE TABLE " + other + " (id int)")
                .thenCompose(r -> tx.runDdl("CREATE TABL oops (id int)"))));

        assertThat(error).isInstanceOf(BadSqlException.class);
        assertThat(Await.result(engine.query("SELECT to_regclass($1) AS t", other))
                        .get(0)
                        .get("t"))
                .isNull();
        assertNothingLeaks();
    }

    @Test
    void rollsBackWhenTheCallbackThrowsInsteadOfReturningAStage() {
        IllegalStateException boom = new IllegalStateException("boom");
        Throwable error = Await.failure(engine.transaction(tx -> {
            tx.execute("INSERT INTO " + table + " VALUES (1, 'a')");
            throw boom;
        }));

        assertThat(error).isSameAs(boom);
        assertThat(ids()).isEmpty();
        assertNothingLeaks();
    }

    @Test
    void keepsOneTransactionIdInsideAndDifferentOnesBetween() {
        List<Object> first = Await.result(engine.transaction(tx -> tx.query(transactionIdSql())
                .thenCombine(
                        tx.query(transactionIdSql()),
                        (a, b) -> List.of(a.get(0).get("id"), b.get(0).get("id")))));
        Object second = Await.result(engine.transaction(tx -> tx.query(transactionIdSql())))
                .get(0)
                .get("id");

        assertThat(first.get(0)).isEqualTo(first.get(1));
        assertThat(second).isNotEqualTo(first.get(0));
    }

    @Test
    void honoursAManualCommitAndRefusesUseAfterIt() {
        AtomicReference<Transaction> kept = new AtomicReference<>();
        Await.result(engine.transaction(tx -> {
            kept.set(tx);
            return tx.execute("INSERT INTO " + table + " VALUES (1, 'a')").thenCompose(n -> tx.commit());
        }));

        assertThat(ids()).containsExactly(1);
        assertThat(kept.get().isActive()).isFalse();
        assertThat(Await.failure(kept.get().query("SELECT 1")))
                .isInstanceOf(TransactionException.class)
                .hasMessageContaining("already committed");
        assertNothingLeaks();
    }

    @Test
    void honoursAManualRollback() {
        Await.result(engine.transaction(
                tx -> tx.execute("INSERT INTO " + table + " VALUES (1, 'a')").thenCompose(n -> tx.rollback())));

        assertThat(ids()).isEmpty();
        assertNothingLeaks();
    }

    @Test
    void rollingBackToASavepointKeepsOnlyTheFirstInsert() {
        Await.result(engine.transaction(tx -> tx.execute("INSERT INTO " + table + " VALUES (1, 'a')")
                .thenCompose(n -> tx.savepoint())
                .thenCompose(sp -> {
                    assertThat(sp.name()).isEqualTo("savepoint_1");
                    return tx.execute("INSERT INTO " + table + " VALUES (2, 'b')")
                            .thenCompose(n -> sp.rollbackTo());
                })));

        assertThat(ids()).containsExactly(1);
    }

    @Test
    void usesNamedSavepoints() {
        Await.result(engine.transaction(tx -> tx.savepoint("before-insert_1")
                .thenCompose(sp -> tx.execute("INSERT INTO " + table + " VALUES (1, 'a')"))
                .thenCompose(n -> tx.rollbackTo("before-insert_1"))
                .thenCompose(v -> tx.execute("INSERT INTO " + table + " VALUES (2, 'b')"))));

        assertThat(ids()).containsExactly(2);
    }

    @Test
    void rejectsAHostileSavepointNameWithNoSqlSent() {
        Await.result(engine.close());
        engine = createEngine(true);
        try (LogCapture log = LogCapture.of("io.github.pgengine.query", Level.INFO)) {
            Throwable error =
                    Await.failure(engine.transaction(tx -> tx.savepoint("x\"; DROP TABLE " + table + "; --")));

            assertThat(error)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("savepoint name may contain only ASCII letters, digits, '-' and '_'");
            assertThat(log.messages()).noneMatch(m -> m.contains("SAVEPOINT \"x") || m.contains("DROP"));
        }
        assertThat(ids()).isEmpty();
    }

    @Test
    void aFailingAtomicLeavesNothingBehindAndClearsItsQueue() {
        Atomic atomic = engine.atomic()
                .add("INSERT INTO " + table + " VALUES ($1, $2)", 1, "a")
                .add("INSERT INTO " + table + " VALUES ($1, $2)", 1, "duplicate");

        Throwable error = Await.failure(atomic.run());

        assertThat(error).isInstanceOf(IntegrityViolationException.class);
        assertThat(atomic.size()).isZero();
        assertThat(ids()).isEmpty();
        Await.result(atomic.add("INSERT INTO " + table + " VALUES (3, 'c')").run());
        assertThat(ids()).containsExactly(3);
        assertNothingLeaks();
    }

    @Test
    void aFailedNestedTransactionRollsBackToItsSavepointAndTheOuterCommits() {
        Await.result(engine.transaction(tx -> tx.execute("INSERT INTO " + table + " VALUES (1, 'outer')")
                .thenCompose(n -> tx.transaction(inner -> inner.execute("INSERT INTO " + table + " VALUES (2, 'inner')")
                        .thenCompose(m -> inner.execute("INSERT INTO " + table + " VALUES (1, 'clash')"))))
                .handle((n, e) -> {
                    assertThat(e)
                            .isInstanceOf(java.util.concurrent.CompletionException.class)
                            .hasCauseInstanceOf(IntegrityViolationException.class);
                    return 0;
                })
                .thenCompose(x -> tx.execute("INSERT INTO " + table + " VALUES (3, 'after')"))));

        assertThat(ids()).containsExactly(1, 3);
        assertNothingLeaks();
    }

    @Test
    void aSucceedingNestedTransactionKeepsItsWork() {
        Await.result(engine.transaction(
                tx -> tx.transaction(inner -> inner.execute("INSERT INTO " + table + " VALUES (1, 'inner')"))));

        assertThat(ids()).containsExactly(1);
    }

    @Test
    void refusesNestingWhenNotAllowed() {
        TransactionOptions noNesting =
                TransactionOptions.builder().allowNested(false).build();
        Throwable error =
                Await.failure(engine.transaction(noNesting, tx -> tx.transaction(inner -> inner.query("SELECT 1"))));

        assertThat(error).isInstanceOf(TransactionException.class).hasMessageContaining("allowNested is false");
        assertNothingLeaks();
    }

    @Test
    void appliesIsolationAndReadOnly() {
        TransactionOptions options = TransactionOptions.builder()
                .isolation(IsolationLevel.SERIALIZABLE)
                .readOnly(true)
                .deferrable(true)
                .build();
        String level = Await.result(engine.transaction(options, tx -> tx.query("SHOW transaction_isolation")))
                .get(0)
                .getString("transaction_isolation");
        Throwable write = Await.failure(
                engine.transaction(options, tx -> tx.execute("INSERT INTO " + table + " VALUES (1, 'a')")));

        assertThat(level).isEqualTo("serializable");
        assertThat(write).isInstanceOf(EngineException.class);
        assertThat(((EngineException) write).sqlState()).isEqualTo("25006");
    }

    @Test
    void readsBatchesInOrderUntilEmpty() {
        Batch batch = Await.result(engine.batch("SELECT g AS n FROM generate_series(1, $1) AS g", List.of(10), 3));
        List<List<Integer>> batches = new ArrayList<>();
        while (true) {
            List<Row> rows = Await.result(batch.next());
            batches.add(rows.stream().map(r -> r.getInt("n")).toList());
            if (rows.isEmpty()) {
                break;
            }
        }

        assertThat(batches)
                .containsExactly(List.of(1, 2, 3), List.of(4, 5, 6), List.of(7, 8, 9), List.of(10), List.of());
        assertThat(batch.isClosed()).isTrue();
        Await.result(batch.close());
        assertNothingLeaks();
    }

    @Test
    void reportsErrorsRaisedWhileFetching() {
        Batch batch =
                Await.result(engine.batch("SELECT 10 / (5 - g) AS n FROM generate_series(1, 10) AS g", List.of(), 2));

        assertThat(Await.result(batch.next())).hasSize(2);
        assertThat(Await.result(batch.next())).hasSize(2);
        Throwable error = Await.failure(batch.next());
        assertThat(error).isInstanceOf(BadSqlException.class);
        assertThat(((EngineException) error).sqlState()).isEqualTo("22012");
        assertNothingLeaks();
    }

    @Test
    void closingABatchEarlyReleasesItsConnection() {
        Batch batch = Await.result(engine.batch("SELECT g FROM generate_series(1, 1000) AS g", List.of(), 10));
        assertThat(Await.result(batch.next())).hasSize(10);

        Await.result(batch.close());
        Await.result(batch.close());
        assertThat(Await.result(batch.next())).isEmpty();
        assertNothingLeaks();
    }

    @Test
    void streamsRowsOnDemand() {
        List<Integer> seen = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        engine.stream("SELECT g FROM generate_series(1, 1000) AS g", List.of(), 64)
                .subscribe(new Flow.Subscriber<>() {
                    private Flow.Subscription subscription;

                    @Override
                    public void onSubscribe(Flow.Subscription s) {
                        subscription = s;
                        s.request(10);
                    }

                    @Override
                    public void onNext(Row row) {
                        seen.add(row.getInt("g"));
                        if (seen.size() % 10 == 0) {
                            subscription.request(10);
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onComplete() {
                        done.complete(null);
                    }
                });

        Await.result(done);
        assertThat(seen).hasSize(1000).startsWith(1, 2, 3).endsWith(999, 1000);
        assertNothingLeaks();
    }

    @Test
    void cancellingAStreamReleasesItsConnection() {
        CompletableFuture<Integer> cancelled = new CompletableFuture<>();
        engine.stream("SELECT g FROM generate_series(1, 100000) AS g", List.of(), 100)
                .subscribe(new Flow.Subscriber<>() {
                    private Flow.Subscription subscription;
                    private int count;

                    @Override
                    public void onSubscribe(Flow.Subscription s) {
                        subscription = s;
                        s.request(Long.MAX_VALUE);
                    }

                    @Override
                    public void onNext(Row row) {
                        if (++count == 250) {
                            subscription.cancel();
                            cancelled.complete(count);
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        cancelled.completeExceptionally(t);
                    }

                    @Override
                    public void onComplete() {
                        cancelled.completeExceptionally(new AssertionError("completed although cancelled"));
                    }
                });

        assertThat(Await.result(cancelled)).isEqualTo(250);
        assertNothingLeaks();
    }

    @Test
    void cancellingATransactionRollsBackAndReleases() {
        CompletableFuture<Long> inserted = new CompletableFuture<>();
        CompletableFuture<Object> tx = engine.transaction(t -> t.execute("INSERT INTO " + table + " VALUES (1, 'a')")
                .thenCompose(n -> {
                    inserted.complete(n);
                    return t.query("SELECT pg_sleep(0.3)");
                })
                .thenCompose(r -> t.execute("INSERT INTO " + table + " VALUES (2, 'b')"))
                .thenApply(n -> (Object) n));
        Await.result(inserted);

        tx.cancel(true);

        assertNothingLeaks();
        assertThat(ids()).isEmpty();
    }

    @Test
    void aThousandFailingOrCancelledTransactionsLeaveNothingBehind() {
        List<CompletableFuture<Object>> all = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            int n = i;
            CompletableFuture<Object> f =
                    engine.transaction(tx -> tx.execute("INSERT INTO " + table + " VALUES ($1, 'x')", n)
                            .thenCompose(r -> tx.query("SELECT 1 / ($1::int % 2) AS boom", n))
                            .thenApply(r -> (Object) r));
            if (i % 3 == 0) {
                f.cancel(true);
            }
            all.add(f);
            if (!pooled() && i % 50 == 49) {
                CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]))
                        .handle((v, e) -> null)
                        .join();
            }
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).handle((v, e) -> null);
        Await.until("every transaction finished", () -> all.stream().allMatch(CompletableFuture::isDone));

        assertNothingLeaks();
        // only odd n survive (even n divide by zero), and only from transactions that were not cancelled
        assertThat(ids()).allMatch(id -> id % 2 == 1);
        assertThat(Await.result(engine.query("SELECT 1 AS ok")).get(0).getInt("ok"))
                .isEqualTo(1);
    }
}
