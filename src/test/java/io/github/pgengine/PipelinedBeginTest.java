package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.LogCapture;
import io.github.pgengine.testing.ReplicatedPostgres;
import io.github.pgengine.testing.TcpForwarder;
import io.github.pgengine.testing.TestPostgres;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A transaction's BEGIN leaves with its first statement: round trips counted on the wire, a transaction that sends
 * nothing sends neither BEGIN nor COMMIT, a BEGIN the server refuses fails the first statement naming BEGIN and lets
 * nothing run outside the transaction, and serialization-failure retries begin again the same way.
 */
class PipelinedBeginTest {
    private static final AtomicInteger TABLES = new AtomicInteger();
    private static TestPostgres pg;
    private final List<PostgresEngine> engines = new ArrayList<>();
    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeAll
    static void database() {
        pg = TestPostgres.get();
    }

    @AfterEach
    void close() throws Exception {
        for (PostgresEngine e : engines) {
            Await.result(e.close());
        }
        for (AutoCloseable r : resources) {
            r.close();
        }
    }

    private PostgresEngine engine(Map<String, Object> config, int maxSize) {
        PostgresEngine e = new PostgresEngine(config);
        engines.add(e);
        Await.result(e.startConnectionPool(
                PoolOptions.builder().maxSize(maxSize).minIdle(maxSize).build()));
        return e;
    }

    /** An engine whose one connection goes through a forwarder that counts round trips. */
    private PostgresEngine counted(TcpForwarder forwarder) {
        Map<String, Object> config = new HashMap<>(pg.config());
        config.put("host", "127.0.0.1");
        config.put("port", forwarder.port());
        return engine(config, 1);
    }

    private TcpForwarder forwarder() throws Exception {
        TcpForwarder f = TcpForwarder.start(
                "127.0.0.1", 0, "127.0.0.1", ((Number) pg.config().get("port")).intValue());
        resources.add(f);
        return f;
    }

    private static String table() {
        return "pipelined_" + TABLES.incrementAndGet() + "_"
                + ProcessHandle.current().pid();
    }

    /** Runs {@code action} and returns the round trips it cost on the wire. */
    private static long roundTrips(TcpForwarder f, Runnable action) {
        long before = f.roundTrips();
        action.run();
        return f.roundTrips() - before;
    }

    @Test
    void aWriteTransactionCostsOneRoundTripPerStatementPlusCommit() throws Exception {
        TcpForwarder f = forwarder();
        PostgresEngine e = counted(f);
        String t = table();
        Await.result(e.runDdl("CREATE TABLE " + t + " (id int PRIMARY KEY, v int NOT NULL)"));
        Await.result(e.execute("INSERT INTO " + t + " VALUES (1, 0)"));
        Runnable pgbenchShape =
                () -> Await.result(e.transaction(tx -> tx.execute("UPDATE " + t + " SET v = v + $1 WHERE id = $2", 5, 1)
                        .thenCompose(n -> tx.query("SELECT v FROM " + t + " WHERE id = $1", 1))
                        .thenCompose(rows -> tx.execute("INSERT INTO " + t + " VALUES ($1, $2)", 100 + rows.size(), 7))
                        .thenCompose(n -> tx.execute("DELETE FROM " + t + " WHERE id = $1", 101))));
        pgbenchShape.run(); // prepares the statements

        assertThat(roundTrips(f, pgbenchShape)).isEqualTo(5); // four statements (BEGIN rides with the first), COMMIT

        // fired without waiting: still one request per statement, BEGIN with the first
        long unchained = roundTrips(
                f,
                () -> Await.result(e.transaction(tx -> {
                    tx.execute("UPDATE " + t + " SET v = v + $1 WHERE id = $2", 1, 1);
                    tx.execute("UPDATE " + t + " SET v = v + $1 WHERE id = $2", 1, 1);
                    return tx.execute("UPDATE " + t + " SET v = v + $1 WHERE id = $2", 1, 1);
                })));
        assertThat(unchained).isEqualTo(4);
        assertThat(Await.result(e.query("SELECT v FROM " + t + " WHERE id = 1"))
                        .get(0)
                        .get("v"))
                .isEqualTo(13);
        assertThat(e.poolStats().isIdle()).isTrue();
    }

    @Test
    void aTransactionThatSendsNothingSendsNeitherBeginNorCommit() throws Exception {
        TcpForwarder f = forwarder();
        PostgresEngine e = counted(f);
        TransactionOptions serializable = TransactionOptions.builder()
                .isolation(IsolationLevel.SERIALIZABLE)
                .readOnly(true)
                .build();

        long trips = roundTrips(f, () -> {
            Integer answer = Await.result(e.transaction(tx -> CompletableFuture.completedFuture(42)));
            String x = Await.result(e.transaction(serializable, tx -> CompletableFuture.completedFuture("x")));
            assertThat(answer).isEqualTo(42);
            assertThat(x).isEqualTo("x");
        });

        assertThat(trips).isZero();
        // nothing was left pending on the connection: the next statement has none of those options
        assertThat(Await.result(e.query("SELECT current_setting('transaction_isolation') AS iso,"
                                + " current_setting('transaction_read_only') AS ro"))
                        .get(0))
                .containsEntry("iso", "read committed")
                .containsEntry("ro", "off");
        assertThat(e.poolStats().isIdle()).isTrue();
    }

    @Test
    void anEmptyTransactionThatFailsSendsNothingAndReportsItsError() throws Exception {
        TcpForwarder f = forwarder();
        PostgresEngine e = counted(f);
        IllegalStateException boom = new IllegalStateException("boom");

        long trips = roundTrips(
                f,
                () -> assertThat(Await.failure(e.transaction(tx -> {
                            throw boom;
                        })))
                        .isSameAs(boom));

        assertThat(trips).isZero();
        assertThat(e.poolStats().isIdle()).isTrue();
    }

    @Test
    void theOptionsOfBeginApplyToTheFirstStatement() {
        PostgresEngine e = engine(pg.config(), 1);
        TransactionOptions options = TransactionOptions.builder()
                .isolation(IsolationLevel.REPEATABLE_READ)
                .readOnly(true)
                .build();

        List<Row> rows = Await.result(e.transaction(
                options,
                tx -> tx.query("SELECT current_setting('transaction_isolation') AS iso,"
                        + " current_setting('transaction_read_only') AS ro")));

        assertThat(rows.get(0).get("iso")).isEqualTo("repeatable read");
        assertThat(rows.get(0).get("ro")).isEqualTo("on");
        Throwable write =
                Await.failure(e.transaction(options, tx -> tx.execute("CREATE TEMP TABLE " + table() + " (id int)")));
        assertThat(write).isInstanceOf(EngineException.class);
        assertThat(((EngineException) write).sqlState()).isEqualTo("25006"); // read_only_sql_transaction
    }

    @Test
    void oneTransactionsStatementsShareOneSnapshotStartedByTheFirst() {
        PostgresEngine e = engine(pg.config(), 2);
        String t = table();
        Await.result(e.runDdl("CREATE TABLE " + t + " (id int)"));
        TransactionOptions repeatable = TransactionOptions.builder()
                .isolation(IsolationLevel.REPEATABLE_READ)
                .build();

        long[] counts = Await.result(e.transaction(
                repeatable,
                tx -> tx.query("SELECT count(*) AS n FROM " + t)
                        .thenCompose(before -> e.execute("INSERT INTO " + t + " VALUES (1)")
                                .thenCompose(n -> tx.query("SELECT count(*) AS n FROM " + t))
                                .thenApply(after -> new long[] {
                                    ((Number) before.get(0).get("n")).longValue(),
                                    ((Number) after.get(0).get("n")).longValue()
                                }))));

        assertThat(counts).containsExactly(0, 0); // the outside insert is not seen: one transaction, one snapshot
        assertThat(Await.result(e.query("SELECT count(*) AS n FROM " + t))
                        .get(0)
                        .get("n"))
                .isEqualTo(1L);
    }

    @Test
    void aSavepointAsTheFirstStepCarriesBegin() throws Exception {
        TcpForwarder f = forwarder();
        PostgresEngine e = counted(f);
        String t = table();
        Await.result(e.runDdl("CREATE TABLE " + t + " (id int PRIMARY KEY)"));

        long trips = roundTrips(
                f,
                () -> Await.result(e.transaction(tx -> tx.savepoint("first")
                        .thenCompose(sp -> tx.execute("INSERT INTO " + t + " VALUES ($1)", 1))
                        .thenCompose(n -> tx.rollbackTo("first"))
                        .thenCompose(v -> tx.execute("INSERT INTO " + t + " VALUES ($1)", 2)))));

        assertThat(trips).isEqualTo(5); // SAVEPOINT with BEGIN, INSERT, ROLLBACK TO, INSERT, COMMIT
        assertThat(Await.result(e.query("SELECT id FROM " + t)))
                .extracting(r -> r.get("id"))
                .containsExactly(2);
    }

    @Test
    void aFailingFirstStatementRollsBackAndTheConnectionIsClean() {
        PostgresEngine e = engine(pg.config(), 1);
        String t = table();
        Await.result(e.runDdl("CREATE TABLE " + t + " (id int PRIMARY KEY)"));

        Throwable error = Await.failure(e.transaction(tx -> tx.execute("INSERT INTO " + t + " VALUES ($1), ($1)", 1)));

        assertThat(error).isInstanceOf(IntegrityViolationException.class);
        assertThat(error.getMessage()).doesNotContain("sent ahead");
        assertThat(Await.result(e.query("SELECT count(*) AS n FROM " + t))
                        .get(0)
                        .get("n"))
                .isEqualTo(0L);
        // the connection is outside any transaction: a plain insert commits at once, seen from another session
        Await.result(e.execute("INSERT INTO " + t + " VALUES ($1)", 5));
        assertThat(pg.admin("SELECT count(*) FROM " + t).get(0).get(0)).isEqualTo(1L);
        assertThat(e.poolStats().isIdle()).isTrue();
    }

    @Test
    void aCursorsBeginTravelsWithItsDeclare() throws Exception {
        TcpForwarder f = forwarder();
        PostgresEngine e = counted(f);
        List<Object> seen = new ArrayList<>();

        long trips = roundTrips(f, () -> {
            CompletableFuture<Void> done = new CompletableFuture<>();
            e.stream("SELECT g FROM generate_series(1, $1) g", List.of(10), 100).subscribe(new Flow.Subscriber<Row>() {
                @Override
                public void onSubscribe(Flow.Subscription s) {
                    s.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(Row row) {
                    seen.add(row.get("g"));
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
            Await.until("the cursor's connection is back", () -> e.poolStats().isIdle());
        });

        assertThat(seen).hasSize(10);
        // DECLARE with BEGIN READ ONLY, FETCH (10 rows), FETCH (none: the end), the end of the transaction
        assertThat(trips).isLessThanOrEqualTo(4);
    }

    @Test
    void logsShowBeginAsSentWithTheNextStatement() {
        PostgresEngine e =
                PostgresEngine.builder().config(pg.config()).logQueries(true).build();
        engines.add(e);

        try (LogCapture log = LogCapture.of("io.github.pgengine.query", Level.INFO)) {
            Await.result(e.transaction(tx -> tx.query("SELECT 1 AS one")));
            List<String> lines = log.messages();
            int begin = indexOf(lines, "BEGIN (sent with the next statement)");
            int select = indexOf(lines, "SELECT 1 AS one");
            int commit = indexOf(lines, "COMMIT");
            assertThat(begin).isNotNegative();
            assertThat(select).isGreaterThan(begin);
            assertThat(commit).isGreaterThan(select);
        }
    }

    private static int indexOf(List<String> lines, String part) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(part)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void aSerializationFailureIsRetriedAndEachAttemptBeginsAgain() {
        PostgresEngine e = engine(pg.config(), 2);
        String t = table();
        Await.result(e.runDdl("CREATE TABLE " + t + " (id int PRIMARY KEY, who text NOT NULL)"));
        TransactionOptions serializable = TransactionOptions.builder()
                .isolation(IsolationLevel.SERIALIZABLE)
                .retryPolicy(RetryPolicy.builder().maxAttempts(5).build())
                .build();
        CompletableFuture<Void> bothRead = new CompletableFuture<>();
        AtomicInteger reads = new AtomicInteger();
        AtomicInteger attempts = new AtomicInteger();

        // write skew: each reads the table, then inserts the count; one of the two must fail with 40001 and run again
        List<CompletableFuture<Long>> writers = new ArrayList<>();
        for (String who : List.of("a", "b")) {
            writers.add(e.transaction(serializable, tx -> {
                attempts.incrementAndGet();
                return tx.query("SELECT count(*) AS n FROM " + t).thenCompose(rows -> {
                    if (reads.incrementAndGet() == 2) {
                        bothRead.complete(null);
                    }
                    long n = ((Number) rows.get(0).get("n")).longValue();
                    return bothRead.thenCompose(v -> tx.execute("INSERT INTO " + t + " VALUES ($1, $2)", (int) n, who));
                });
            }));
        }
        for (CompletableFuture<Long> w : writers) {
            assertThat(Await.result(w)).isEqualTo(1L);
        }

        assertThat(attempts.get()).isGreaterThanOrEqualTo(3);
        assertThat(Await.result(e.query("SELECT id, who FROM " + t + " ORDER BY id")))
                .extracting(r -> r.get("id"))
                .containsExactly(0, 1);
        Await.until("the pool is idle", () -> e.poolStats().isIdle());
    }

    @Test
    void aBeginTheServerRefusesFailsTheFirstStatementAndNothingRunsOutsideTheTransaction() {
        ReplicatedPostgres pair = ReplicatedPostgres.start();
        resources.add(pair);
        System.out.println(
                "[pgengine-test] PipelinedBeginTest: standby " + pair.standby().source());
        PostgresEngine e = engine(pair.standby().config(), 1);
        TransactionOptions serializable = TransactionOptions.builder()
                .isolation(IsolationLevel.SERIALIZABLE)
                .build();
        AtomicInteger afterwards = new AtomicInteger();
        List<Throwable> errors = new ArrayList<>();

        Throwable error = Await.failure(e.transaction(
                serializable,
                tx -> tx.query("SELECT 1 AS one").exceptionallyCompose(first -> {
                    errors.add(first);
                    // the caller carries on: this must not run as a statement of its own outside the transaction
                    return tx.query("SELECT pg_is_in_recovery()").whenComplete((r, second) -> {
                        if (second != null) {
                            errors.add(second);
                        } else {
                            afterwards.incrementAndGet();
                        }
                    });
                })));

        assertThat(errors).hasSize(2);
        Throwable first = errors.get(0);
        assertThat(first).isInstanceOf(EngineException.class);
        assertThat(((EngineException) first).sqlState()).isEqualTo("0A000");
        assertThat(first.getMessage())
                .contains("cannot use serializable mode in a hot standby")
                .contains("BEGIN ISOLATION LEVEL SERIALIZABLE");
        assertThat(errors.get(1))
                .isInstanceOf(TransactionException.class)
                .hasMessageContaining("the transaction did not begin");
        assertThat(afterwards.get()).isZero();
        assertThat(error).isInstanceOf(TransactionException.class);
        assertThat(e.poolStats().isIdle()).isTrue();
        // the connection is fine: a default transaction on the standby works
        assertThat(Await.result(e.transaction(tx -> tx.query("SELECT pg_is_in_recovery() AS r")))
                        .get(0)
                        .get("r"))
                .isEqualTo(true);
    }
}
