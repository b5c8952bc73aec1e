package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.ReplicatedPostgres;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A primary that dies under write load and a standby promoted in its place: new work goes to the promoted server
 * with no new engine, every committed write is there exactly once, writes that failed before COMMIT are not, and no
 * caller hangs. Real servers: the pair is set up by {@link ReplicatedPostgres}.
 */
class FailoverTest {
    /** How long writes may stop between the promotion and the first commit on the promoted server. */
    private static final Duration RESUME_BOUND = Duration.ofSeconds(20);

    private final List<PostgresEngine> engines = new ArrayList<>();
    private ReplicatedPostgres pair;

    @AfterEach
    void close() {
        engines.forEach(e -> Await.result(e.close()));
        if (pair != null) {
            pair.close();
        }
    }

    @Test
    void writesMoveToThePromotedStandbyAndNoCommittedWriteIsLost() throws Exception {
        pair = ReplicatedPostgres.start();
        System.out.println("[pgengine-test] FailoverTest: primary "
                + pair.primary().source() + ", standby " + pair.standby().source());
        PostgresEngine e = new PostgresEngine(pair.config("target_session_attrs", "read-write", "connect_timeout", 2));
        engines.add(e);
        Await.result(e.startConnectionPool(PoolOptions.builder()
                .maxSize(4)
                .minIdle(2)
                .acquireTimeout(Duration.ofSeconds(10))
                .build()));
        Await.result(e.runDdl("CREATE TABLE failover_writes (id int PRIMARY KEY, writer int NOT NULL)"));

        Map<Integer, String> outcomes = new ConcurrentHashMap<>();
        AtomicInteger ids = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger committed = new AtomicInteger();
        AtomicLong promotedAt = new AtomicLong(Long.MAX_VALUE);
        AtomicLong firstCommitAfter = new AtomicLong(Long.MAX_VALUE);
        AtomicInteger committedAfter = new AtomicInteger();
        ExecutorService writers = Executors.newFixedThreadPool(4);
        List<Future<?>> running = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int writer = w;
            running.add(writers.submit(() -> {
                while (!stop.get() && ids.get() < 20_000) {
                    int id = ids.incrementAndGet();
                    CompletableFuture<Long> write =
                            e.transaction(tx -> tx.execute("INSERT INTO failover_writes VALUES ($1, $2)", id, writer));
                    try {
                        Await.result(write); // fails the test if a caller hangs past the deadline
                        outcomes.put(id, "committed");
                        committed.incrementAndGet();
                        if (System.nanoTime() > promotedAt.get()) {
                            firstCommitAfter.compareAndSet(Long.MAX_VALUE, System.nanoTime());
                            committedAfter.incrementAndGet();
                        }
                    } catch (AssertionError hang) {
                        throw hang;
                    } catch (RuntimeException t) {
                        outcomes.put(
                                id,
                                t instanceof AmbiguousCommitException
                                        ? "ambiguous"
                                        : t.getClass().getSimpleName());
                    }
                }
                return null;
            }));
        }
        Await.until("50 writes committed on the primary", () -> committed.get() >= 50);
        pair.crashPrimary();
        pair.promoteStandby();
        promotedAt.set(System.nanoTime());
        Await.until("50 writes committed on the promoted standby", () -> committedAfter.get() >= 50);
        stop.set(true);
        for (Future<?> f : running) {
            f.get(60, TimeUnit.SECONDS);
        }
        writers.shutdown();

        long resumeMillis = (firstCommitAfter.get() - promotedAt.get()) / 1_000_000;
        Set<Integer> present = ReplicatedPostgres.admin(pair.standby(), "SELECT id FROM failover_writes").stream()
                .map(r -> ((Number) r.get(0)).intValue())
                .collect(Collectors.toSet());
        Map<String, Long> counts =
                outcomes.values().stream().collect(Collectors.groupingBy(o -> o, Collectors.counting()));
        System.out.println("[pgengine-test] FailoverTest: writes resumed " + resumeMillis + " ms after the promotion; "
                + "outcomes " + counts);

        assertThat(resumeMillis).isLessThan(RESUME_BOUND.toMillis());
        List<Integer> lost = outcomes.entrySet().stream()
                .filter(o -> o.getValue().equals("committed") && !present.contains(o.getKey()))
                .map(Map.Entry::getKey)
                .toList();
        List<Integer> phantom = outcomes.entrySet().stream()
                .filter(o -> !o.getValue().equals("committed") && !o.getValue().equals("ambiguous"))
                .filter(o -> present.contains(o.getKey()))
                .map(Map.Entry::getKey)
                .toList();
        assertThat(lost).as("committed writes missing after the failover").isEmpty();
        assertThat(phantom)
                .as("writes reported as failed that are there anyway")
                .isEmpty();
        assertThat(ReplicatedPostgres.admin(pair.standby(), "SELECT count(*) = count(DISTINCT id) FROM failover_writes")
                        .get(0)
                        .get(0))
                .isEqualTo(true);
        assertThat(outcomes.values())
                .filteredOn(o -> !o.equals("committed") && !o.equals("ambiguous"))
                .allMatch(o -> o.equals("TransactionNotCommittedException")
                        || o.equals("ConnectionException")
                        || o.equals("PoolTimeoutException"));
        Await.until("pool back to idle", () -> e.poolStats().isIdle());
    }

    @Test
    void aTransactionThatLosesItsConnectionBeforeCommitSaysItIsSafeToRetry() {
        pair = ReplicatedPostgres.start();
        PostgresEngine e = new PostgresEngine(pair.primary().config());
        engines.add(e);
        Await.result(e.runDdl("CREATE TABLE lost_before_commit (id int)"));

        Throwable error = Await.failure(e.transaction(tx -> tx.execute("INSERT INTO lost_before_commit VALUES (1)")
                .thenCompose(n -> tx.query("SELECT pg_terminate_backend(pg_backend_pid())"))));

        assertThat(error).isInstanceOf(TransactionNotCommittedException.class);
        assertThat(error).isInstanceOf(ConnectionException.class);
        assertThat(error.getMessage()).contains("safe to run again");
        assertThat(Await.result(e.query("SELECT count(*) AS n FROM lost_before_commit"))
                        .get(0)
                        .getLong("n"))
                .isZero();
    }

    @Test
    void aRetryPolicyRunsATransactionThatLostItsConnectionAgainOnANewOne() {
        pair = ReplicatedPostgres.start();
        Map<String, Object> config = new HashMap<>(pair.primary().config());
        PostgresEngine e = PostgresEngine.builder()
                .config(config)
                .retryPolicy(RetryPolicy.builder()
                        .maxAttempts(3)
                        .initialBackoff(Duration.ofMillis(5))
                        .maxBackoff(Duration.ofMillis(20))
                        .build())
                .build();
        engines.add(e);
        Await.result(e.runDdl("CREATE TABLE rerun_after_loss (id int)"));
        AtomicInteger runs = new AtomicInteger();

        long n = Await.result(e.transaction(tx -> {
            int run = runs.incrementAndGet();
            CompletableFuture<Long> insert = tx.execute("INSERT INTO rerun_after_loss VALUES ($1)", run);
            return run == 1
                    ? insert.thenCompose(x -> tx.query("SELECT pg_terminate_backend(pg_backend_pid())"))
                            .thenApply(r -> 0L)
                    : insert;
        }));

        assertThat(n).isEqualTo(1);
        assertThat(runs).hasValue(2);
        assertThat(Await.result(e.query("SELECT id FROM rerun_after_loss")))
                .extracting(r -> r.getInt("id"))
                .containsExactly(2);
    }

    @Test
    void aStandbyPoolLetsGoOfAServerOnceItIsPromoted() {
        pair = ReplicatedPostgres.start();
        PostgresEngine e =
                new PostgresEngine(pair.config("target_session_attrs", "standby", "host_recheck_interval", 0));
        engines.add(e);
        Await.result(e.startConnectionPool(
                PoolOptions.builder().maxSize(2).minIdle(2).build()));
        assertThat(Await.result(e.query("SELECT pg_is_in_recovery() AS r"))
                        .get(0)
                        .getBoolean("r"))
                .isTrue();

        pair.promoteStandby();

        // the first call on a connection to the promoted server does not run there (the standby check fails it),
        // the pool replaces its connections, and with no standby left the call fails naming each host
        Await.until("the pool stops handing out the promoted server", () -> {
            CompletableFuture<List<Row>> q = e.query("SELECT pg_is_in_recovery() AS r");
            try {
                Await.result(q);
                return false;
            } catch (ConnectionException expected) {
                return expected.getMessage().contains("not standby");
            }
        });
        Await.until("pool idle", () -> e.poolStats().inUse() == 0);
    }
}
