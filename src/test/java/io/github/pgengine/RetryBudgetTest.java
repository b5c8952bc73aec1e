package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.TestPostgres;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * One retry budget: {@code maxAttempts} counts every run of a transaction's callback, whether the last run failed
 * with a serialization failure (40001, retried on the same connection) or lost its connection before COMMIT
 * (retried on a new one). Mixed in every order, the callback never runs more than {@code maxAttempts} times.
 */
class RetryBudgetTest {
    private static TestPostgres pg;
    private static PostgresEngine setup;

    @BeforeContainer
    static void start() {
        pg = TestPostgres.get();
        setup = new PostgresEngine(pg.config());
        Await.result(setup.runDdl("CREATE OR REPLACE FUNCTION pgengine_serialization_failure() RETURNS void "
                + "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'could not serialize access' "
                + "USING ERRCODE = '40001'; END $$"));
    }

    @AfterContainer
    static void stop() {
        Await.result(setup.close());
    }

    /**
     * Every run fails, each in one of the two ways (chosen by the generated pattern): the callback runs exactly
     * maxAttempts times, and the error is the last run's.
     */
    @Property(tries = 12)
    void theCallbackRunsAtMostMaxAttemptsTimesWhateverMixOfFailures(
            @ForAll @IntRange(min = 1, max = 4) int maxAttempts, @ForAll @IntRange(min = 0, max = 15) int pattern) {
        PostgresEngine engine = PostgresEngine.builder()
                .config(pg.config())
                .retryPolicy(RetryPolicy.builder()
                        .maxAttempts(maxAttempts)
                        .initialBackoff(Duration.ofMillis(1))
                        .maxBackoff(Duration.ofMillis(2))
                        .build())
                .build();
        try {
            Await.result(
                    engine.startConnectionPool(PoolOptions.builder().maxSize(2).build()));
            // bit k of the pattern: run k + 1 loses its connection (1) or fails with 40001 (0)
            IntPredicate losesConnection = run -> ((pattern >> ((run - 1) % 4)) & 1) == 1;
            AtomicInteger runs = new AtomicInteger();
            Throwable error = Await.failure(engine.transaction(tx -> {
                int run = runs.incrementAndGet();
                CompletableFuture<List<Row>> last = losesConnection.test(run)
                        ? tx.query("SELECT pg_terminate_backend(pg_backend_pid())")
                        : tx.query("SELECT pgengine_serialization_failure()");
                return last.thenApply(r -> "unreachable");
            }));
            assertThat(runs).as("runs of the callback").hasValue(maxAttempts);
            if (losesConnection.test(maxAttempts)) {
                assertThat(error).isInstanceOf(TransactionNotCommittedException.class);
            } else {
                assertThat(error).isInstanceOf(SerializationFailureException.class);
            }
            Await.until("the pool is idle", () -> engine.poolStats().isIdle());
        } finally {
            Await.result(engine.close());
        }
    }

    @Property(tries = 4)
    void aTransactionThatRecoversWithinTheBudgetCommitsOnce(@ForAll @IntRange(min = 2, max = 4) int maxAttempts) {
        PostgresEngine engine = PostgresEngine.builder()
                .config(pg.config())
                .retryPolicy(RetryPolicy.builder()
                        .maxAttempts(maxAttempts)
                        .initialBackoff(Duration.ofMillis(1))
                        .build())
                .build();
        String table = "retry_budget_" + maxAttempts;
        try {
            Await.result(engine.runDdl("DROP TABLE IF EXISTS " + table));
            Await.result(engine.runDdl("CREATE TABLE " + table + " (run int)"));
            AtomicInteger runs = new AtomicInteger();
            Await.result(engine.transaction(tx -> {
                int run = runs.incrementAndGet();
                CompletableFuture<Long> insert = tx.execute("INSERT INTO " + table + " VALUES ($1)", run);
                if (run == maxAttempts) {
                    return insert;
                }
                return insert.thenCompose(n -> tx.query(
                                run % 2 == 1
                                        ? "SELECT pg_terminate_backend(pg_backend_pid())"
                                        : "SELECT pgengine_serialization_failure()"))
                        .thenApply(r -> 0L);
            }));
            assertThat(runs).hasValue(maxAttempts);
            assertThat(Await.result(engine.query("SELECT run FROM " + table)))
                    .extracting(r -> r.getInt("run"))
                    .containsExactly(maxAttempts);
        } finally {
            Await.result(engine.close());
        }
    }
}
