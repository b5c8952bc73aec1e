package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A bounded soak: 100,000 operations from 256 concurrent callers through a pool, some cancelled at random, some
 * timing out, some failing with SQL errors, while backends are terminated every few hundred milliseconds. At the
 * end every future completed, every committed transaction's ledger row is there exactly once, failed ones left
 * nothing, and the pool is idle and serving. It prints its figures (docs/reliability.md holds the last run's).
 */
class SoakTest {
    private static final int OPERATIONS = Integer.getInteger("pgengine.soak.operations", 100_000);
    private static final int CALLERS = 256;
    private static final Duration LIMIT = Duration.ofMinutes(4);

    private enum Outcome {
        COMMITTED,
        FAILED,
        UNKNOWN
    }

    @Test
    void survivesCancellationsTimeoutsErrorsAndTerminatedBackends() throws Exception {
        TestPostgres pg = TestPostgres.get();
        String app = "pgengine-soak-" + System.nanoTime();
        Map<String, Object> config = new HashMap<>(pg.config());
        config.put("application_name", app);
        PostgresEngine engine = new PostgresEngine(config);
        config.put("query_timeout", "100ms");
        PostgresEngine impatient = new PostgresEngine(config);
        Await.result(
                impatient.startConnectionPool(PoolOptions.builder().maxSize(48).build()));
        Await.result(engine.startConnectionPool(PoolOptions.builder()
                .maxSize(16)
                .maxWaiters(1_000)
                .acquireTimeout(Duration.ofSeconds(20))
                .build()));
        Await.result(engine.runDdl("DROP TABLE IF EXISTS soak_ledger"));
        Await.result(engine.runDdl(
                "CREATE TABLE soak_ledger (op bigint PRIMARY KEY, caller int NOT NULL, amount int NOT NULL)"));
        Await.result(engine.runDdl("CREATE INDEX soak_ledger_caller ON soak_ledger (caller)"));

        Map<Long, Outcome> outcomes = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
        AtomicLong next = new AtomicLong();
        AtomicInteger terminated = new AtomicInteger();
        ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor();
        killer.scheduleWithFixedDelay(
                () -> {
                    List<List<Object>> rows =
                            pg.admin("SELECT pg_terminate_backend(pid) FROM (SELECT pid FROM pg_stat_activity "
                                    + "WHERE application_name = '" + app + "' ORDER BY random() LIMIT 2) AS victims");
                    terminated.addAndGet(rows.size());
                },
                300,
                300,
                TimeUnit.MILLISECONDS);

        long start = System.nanoTime();
        CompletableFuture<?>[] callers = new CompletableFuture<?>[CALLERS];
        for (int c = 0; c < CALLERS; c++) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            callers[c] = done;
            caller(engine, impatient, c, new SplittableRandom(c), next, outcomes, counts, done);
        }
        try {
            CompletableFuture.allOf(callers).get(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            killer.shutdownNow();
            killer.awaitTermination(10, TimeUnit.SECONDS);
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        Await.until(
                "pool idle",
                () -> engine.poolStats().isIdle(),
                () -> engine.poolStats().toString());
        Await.until(
                "pool idle",
                () -> impatient.poolStats().isIdle(),
                () -> impatient.poolStats().toString());
        Set<Long> present = new HashSet<>();
        for (Row r : Await.result(engine.query("SELECT op FROM soak_ledger"))) {
            present.add(r.getLong("op"));
        }
        long committed =
                outcomes.values().stream().filter(o -> o == Outcome.COMMITTED).count();
        long missing = outcomes.entrySet().stream()
                .filter(e -> e.getValue() == Outcome.COMMITTED && !present.contains(e.getKey()))
                .count();
        long ghosts = outcomes.entrySet().stream()
                .filter(e -> e.getValue() == Outcome.FAILED && present.contains(e.getKey()))
                .count();
        long sessions = (Long) pg.admin("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + app + "'")
                .get(0)
                .get(0);
        String figures = String.format(
                "soak: %d operations from %d callers in %.1f s (%.0f ops/s); outcomes %s; "
                        + "ledger transactions committed %d, rows present %d, committed but missing %d, failed but present %d; "
                        + "backends terminated %d; server sessions at the end %d; pool %s",
                next.get() > OPERATIONS ? OPERATIONS : next.get(),
                CALLERS,
                seconds,
                OPERATIONS / seconds,
                new java.util.TreeMap<>(counts),
                committed,
                present.size(),
                missing,
                ghosts,
                terminated.get(),
                sessions,
                engine.poolStats());
        System.out.println("[pgengine-test] " + figures);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "soak-figures.txt"), figures + "\n");

        assertThat(missing).as("committed transactions whose row is missing").isZero();
        assertThat(ghosts).as("failed transactions whose row is present").isZero();
        assertThat(committed).isGreaterThan(OPERATIONS / 10);
        assertThat(sessions)
                .isLessThanOrEqualTo(
                        engine.poolStats().total() + impatient.poolStats().total());
        assertThat(Await.result(engine.query("SELECT count(*) AS n FROM soak_ledger"))
                        .get(0)
                        .getLong("n"))
                .isEqualTo(present.size());
        Await.result(engine.runDdl("DROP TABLE soak_ledger"));
        Await.result(engine.close());
        Await.result(impatient.close());
    }

    private static void caller(
            PostgresEngine engine,
            PostgresEngine impatient,
            int caller,
            SplittableRandom random,
            AtomicLong next,
            Map<Long, Outcome> outcomes,
            Map<String, AtomicInteger> counts,
            CompletableFuture<Void> done) {
        long op = next.incrementAndGet();
        if (op > OPERATIONS) {
            done.complete(null);
            return;
        }
        int dice = random.nextInt(100);
        CompletableFuture<?> f;
        String kind;
        if (dice < 70) {
            kind = "ledger";
            outcomes.put(op, Outcome.UNKNOWN);
            f = engine.transaction(tx -> tx.execute("INSERT INTO soak_ledger VALUES ($1, $2, $3)", op, caller, dice)
                    .thenCompose(n -> tx.query("SELECT count(*) FROM soak_ledger WHERE caller = $1", caller)));
        } else if (dice < 75) {
            kind = "ledger-cancelled";
            outcomes.put(op, Outcome.UNKNOWN);
            f = engine.transaction(tx -> tx.execute("INSERT INTO soak_ledger VALUES ($1, $2, $3)", op, caller, dice)
                    .thenCompose(n -> tx.query("SELECT pg_sleep(0.01)")));
            CompletableFuture<?> target = f;
            io.github.pgengine.internal.runtime.EngineTimer.get()
                    .schedule(() -> target.cancel(true), random.nextInt(10), TimeUnit.MILLISECONDS);
        } else if (dice < 85) {
            kind = "sql-error";
            outcomes.put(op, Outcome.UNKNOWN);
            f = engine.transaction(tx -> tx.execute("INSERT INTO soak_ledger VALUES ($1, $2, $3)", op, caller, dice)
                    .thenCompose(n -> tx.query("SELECT 1 / 0")));
        } else if (dice < 88) {
            kind = "timeout";
            f = impatient.query("SELECT pg_sleep(1)");
        } else if (dice < 90) {
            kind = "cancelled-query";
            f = engine.query("SELECT pg_sleep(0.05)");
            CompletableFuture<?> target = f;
            io.github.pgengine.internal.runtime.EngineTimer.get()
                    .schedule(() -> target.cancel(true), random.nextInt(20), TimeUnit.MILLISECONDS);
        } else {
            kind = "read";
            f = engine.query("SELECT count(*) FROM soak_ledger WHERE caller = $1", caller);
        }
        f.whenComplete((r, e) -> {
            String result = e == null
                    ? "ok"
                    : e instanceof CancellationException
                            ? "cancelled"
                            : unwrap(e).getClass().getSimpleName();
            counts.computeIfAbsent(kind + ":" + result, k -> new AtomicInteger())
                    .incrementAndGet();
            if (outcomes.containsKey(op)) {
                Throwable cause = e == null ? null : unwrap(e);
                if (cause == null) {
                    outcomes.put(op, Outcome.COMMITTED);
                } else if (cause instanceof BadSqlException || cause instanceof IntegrityViolationException) {
                    outcomes.put(op, Outcome.FAILED);
                }
            }
            caller(engine, impatient, caller, random, next, outcomes, counts, done);
        });
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
