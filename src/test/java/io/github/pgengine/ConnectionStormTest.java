package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.github.pgengine.testing.AcceptRate;
import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.Leftovers;
import io.github.pgengine.testing.LogCapture;
import io.github.pgengine.testing.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A connection storm against a server with few slots: an unpooled engine runs 1,000 transactions at once (every
 * other one cancelled shortly after the call) against {@code max_connections = 300}, with libpq's default
 * {@code sslmode=prefer} (an SSLRequest before the start-up packet). The storm must end fast with the server's own
 * answer ({@code 53300 too many clients}) and leave nothing behind: no client sockets, no server processes, no bytes
 * written after an SSLRequest before the server answered it, and the next engine connects at once.
 *
 * <p>A server takes connections one by one (a process each); where it takes fewer than {@value #FULL_CALLS} in
 * {@link #STORM_SECONDS} seconds (a slow or busy machine), the storm is scaled down to what it takes in that time,
 * with {@code max_connections} at the same share of the calls, so that it asks of each machine what its server can
 * do. The output line says which storm ran; {@code -Dpgengine.test.storm.full=true} runs the full one anyway.
 */
class ConnectionStormTest {
    private static final int FULL_CALLS = 1_000;
    /** {@code max_connections} as a share of the calls: 300 of 1,000. */
    private static final double SLOTS_SHARE = 0.3;
    /** The time the server's share of the storm may take at its measured rate. */
    private static final double STORM_SECONDS = 1.0;
    /** Below this, the machine is too slow for any storm worth the name. */
    private static final int MIN_CALLS = 40;

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** The storm must be over well before {@code connect_timeout} could fire. */
    private static final Duration STORM_BOUND = Duration.ofSeconds(5);
    /** How soon everything the storm opened must be gone once its calls are complete. */
    private static final Duration CLEAN_BOUND = Duration.ofSeconds(3);

    private static TestPostgres pg;

    @BeforeAll
    static void startServer() {
        pg = TestPostgres.startPrivate(
                "connection-storm cluster",
                "max_connections = 300",
                "autovacuum = off",
                "log_connections = on",
                "log_disconnections = on");
    }

    @AfterAll
    static void stopServer() {
        if (pg != null) {
            pg.destroy();
        }
    }

    private static Map<String, Object> config(String applicationName) {
        Map<String, Object> config = new HashMap<>(pg.config());
        config.remove("sslmode"); // libpq's default, prefer: every opening starts with an SSLRequest
        config.put("application_name", applicationName);
        config.put("connect_timeout", CONNECT_TIMEOUT.toSeconds());
        return config;
    }

    /** Returns the number of calls this machine's server can take in {@link #STORM_SECONDS}, at most the full storm. */
    private static int calls() throws IOException {
        double rate = AcceptRate.measure(pg.host(), pg.port(), 200, Await.DEADLINE);
        int calls = Boolean.getBoolean("pgengine.test.storm.full")
                ? FULL_CALLS
                : (int) Math.min(FULL_CALLS, rate * STORM_SECONDS) / 2 * 2;
        System.err.printf("[connection storm] the server takes %.0f connections/s here%n", rate);
        Assumptions.assumeTrue(
                calls >= MIN_CALLS,
                "the server takes " + Math.round(rate) + " connections/s on this machine, too few for a storm");
        return calls;
    }

    @Test
    void stormEndsFastWithTheServersAnswerAndLeavesNothingBehind() throws Exception {
        int calls = calls();
        int slots = (int) Math.round(calls * SLOTS_SHARE);
        if (slots != 300) {
            pg.admin("ALTER SYSTEM SET max_connections = " + slots);
            pg.stop();
            pg.start();
        }
        PostgresEngine engine = PostgresEngine.builder()
                .config(config("storm"))
                .warnWithoutPool(false)
                .build();
        ScheduledExecutorService canceller = Executors.newSingleThreadScheduledExecutor();
        Random random = new Random(18_05);
        List<CompletableFuture<Integer>> kept = new ArrayList<>();
        Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        List<String> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
        // a kept call's session stays open until every kept call has its answer (a session, or the server's
        // refusal): the storm's sessions overlap, as a storm's do, and the server runs out of slots
        int keptCalls = calls / 2;
        AtomicInteger answered = new AtomicInteger();
        CompletableFuture<@Nullable Void> everyoneAnswered = new CompletableFuture<>();
        long start = System.nanoTime();
        try (LogCapture log = LogCapture.of("io.github.pgengine", Level.INFO)) {
            for (int i = 0; i < calls; i++) {
                boolean keep = i % 2 == 0;
                AtomicBoolean hasAnswer = new AtomicBoolean();
                Runnable answer = () -> {
                    if (hasAnswer.compareAndSet(false, true) && answered.incrementAndGet() == keptCalls) {
                        everyoneAnswered.complete(null);
                    }
                };
                CompletableFuture<Integer> call =
                        engine.transaction(tx -> tx.query("select 1").thenCompose(rows -> {
                            if (keep) {
                                answer.run();
                            }
                            return everyoneAnswered.thenApply(v -> rows.size());
                        }));
                if (!keep) {
                    canceller.schedule(() -> call.cancel(false), random.nextInt(60), TimeUnit.MILLISECONDS);
                    continue;
                }
                kept.add(call.whenComplete((v, e) -> {
                    answer.run();
                    String outcome = outcome(e);
                    outcomes.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
                    if (!outcome.equals("ok") && !outcome.startsWith("SQLSTATE ")) {
                        unexpected.add(outcome);
                    }
                }));
            }
            CompletableFuture<?> all = CompletableFuture.allOf(kept.toArray(CompletableFuture[]::new))
                    .exceptionally(e -> null);
            Await.result(all);
            long stormMillis = (System.nanoTime() - start) / 1_000_000;
            Map<String, Integer> counts = new TreeMap<>();
            outcomes.forEach((k, v) -> counts.put(k, v.get()));
            System.err.printf(
                    "[connection storm] %d calls (every other one cancelled) against max_connections = %d: %d ms; "
                            + "outcomes of the %d kept calls: %s%n",
                    calls, slots, stormMillis, kept.size(), counts);

            assertThat(unexpected)
                    .as("every kept call succeeds or fails with the server's own error (%s)", counts)
                    .isEmpty();
            assertThat(counts.getOrDefault("SQLSTATE 53300", 0))
                    .as("the server refused the calls it had no slot for (53300 too many clients)")
                    .isGreaterThanOrEqualTo(keptCalls - slots);
            assertThat(stormMillis)
                    .as("the storm is over well within connect_timeout")
                    .isLessThan(STORM_BOUND.toMillis());
            assertThat(log.warnings())
                    .as("the server's refusals and the cancelled openings are no news")
                    .isEmpty();
        } finally {
            canceller.shutdownNow();
            Await.result(engine.close());
        }

        PostgresEngine next =
                PostgresEngine.builder().config(config("after-storm")).build();
        try {
            long t0 = System.nanoTime();
            assertThat(Await.result(next.query("select 1"))).hasSize(1);
            assertThat((System.nanoTime() - t0) / 1_000_000)
                    .as("a new engine's first connect after the storm is immediate")
                    .isLessThan(2_000);
        } finally {
            Await.result(next.close());
        }

        Await.within(
                CLEAN_BOUND,
                "no client socket of the storm is left open",
                () -> Leftovers.openSockets(pg.port()) == 0,
                () -> "open: " + Leftovers.openSockets(pg.port()));
        Await.within(
                CLEAN_BOUND,
                "no server process is left (backends, or ones waiting for a start-up packet)",
                () -> Leftovers.serverProcesses(pg) == 0,
                () -> "left: " + Leftovers.serverProcessTitles(pg));
        assertThat(pg.admin("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' "
                                + "AND pid <> pg_backend_pid()")
                        .get(0)
                        .get(0))
                .as("client backends in pg_stat_activity")
                .isEqualTo(0L);
        String log = Files.readString(pg.serverLog());
        assertThat(log.lines().filter(l -> l.contains("received unencrypted data after SSL request")))
                .as("nothing is written after an SSLRequest before the server answers it")
                .isEmpty();
    }

    private static String outcome(Throwable e) {
        if (e == null) {
            return "ok";
        }
        Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (t instanceof CancellationException) {
            return "cancelled";
        }
        if (t instanceof EngineException ee && ee.sqlState() != null) {
            return "SQLSTATE " + ee.sqlState();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
