package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.LogCapture;
import io.github.pgengine.testing.TestPostgres;
import io.github.pgengine.testing.crdb.CockroachEmulator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Faults, cancellation, timeouts and pool limits: nothing hangs, nothing leaks, the engine recovers. */
class ReliabilityTest {
    private static TestPostgres pg;
    private final List<PostgresEngine> engines = new ArrayList<>();
    private final List<CockroachEmulator> proxies = new ArrayList<>();
    private final String applicationName = "pgengine-reliability-" + System.nanoTime();

    @BeforeAll
    static void database() {
        pg = TestPostgres.get();
    }

    @AfterEach
    void close() {
        engines.forEach(e -> Await.result(e.close()));
        proxies.forEach(CockroachEmulator::close);
    }

    private PostgresEngine engine(Map<String, Object> overrides, PoolOptions pool) {
        Map<String, Object> config = new HashMap<>(pg.config());
        config.put("application_name", applicationName);
        config.putAll(overrides);
        PostgresEngine e = new PostgresEngine(config);
        engines.add(e);
        Await.result(e.startConnectionPool(pool));
        return e;
    }

    private CockroachEmulator proxy() throws Exception {
        CockroachEmulator p = CockroachEmulator.passThrough(pg.host(), pg.port());
        proxies.add(p);
        return p;
    }

    private long activeSleeps() {
        return (Long) pg.admin("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + applicationName
                        + "' AND state = 'active' AND query LIKE 'select pg_sleep%'")
                .get(0)
                .get(0);
    }

    @Test
    void cancellingARunningQueryStopsItOnTheServer() {
        PostgresEngine e = engine(Map.of(), PoolOptions.builder().maxSize(1).build());
        CompletableFuture<List<Row>> sleeping = e.query("select pg_sleep(30)");
        Await.until("the query runs on the server", () -> activeSleeps() == 1);

        sleeping.cancel(true);

        Await.until("the server stopped the query", () -> activeSleeps() == 0);
        assertThat(Await.result(e.query("select 1 as ok")).get(0).getInt("ok")).isEqualTo(1);
        Await.until(
                "pool idle", () -> e.poolStats().isIdle(), () -> e.poolStats().toString());
    }

    @Test
    void aConnectionDroppedMidQueryFailsAtOnceAndThePoolRefills() throws Exception {
        CockroachEmulator proxy = proxy();
        PostgresEngine e = engine(
                Map.of("host", proxy.host(), "port", proxy.port()),
                PoolOptions.builder().maxSize(2).build());
        CompletableFuture<List<Row>> sleeping = e.query("select pg_sleep(20)");
        Await.until("the query runs on the server", () -> activeSleeps() == 1);
        long start = System.nanoTime();

        proxy.dropAllConnections();

        Throwable error = Await.failure(sleeping);
        assertThat(error).isInstanceOf(ConnectionException.class).hasMessageContaining("was closed");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(Await.result(e.query("select 2 as ok")).get(0).getInt("ok")).isEqualTo(2);
        Await.until(
                "pool idle", () -> e.poolStats().isIdle(), () -> e.poolStats().toString());
    }

    @Test
    void aServerThatStopsAnsweringTimesOutAndItsConnectionIsDiscarded() throws Exception {
        CockroachEmulator proxy = proxy();
        PostgresEngine e = engine(
                Map.of("host", proxy.host(), "port", proxy.port(), "query_timeout", "500ms", "statement_timeout", 0),
                PoolOptions.builder().maxSize(1).build());
        Await.result(e.query("select 1"));

        proxy.freeze(true);
        Throwable error = Await.failure(e.query("select 1"));
        proxy.freeze(false);

        assertThat(error).isInstanceOf(QueryTimeoutException.class).hasMessageContaining("no answer");
        assertThat(Await.result(e.query("select 3 as ok")).get(0).getInt("ok")).isEqualTo(3);
    }

    @Test
    void refusedConnectionsFailClearlyAndTheEngineRecovers() throws Exception {
        CockroachEmulator proxy = proxy();
        Map<String, Object> config = new HashMap<>(pg.config());
        config.put("host", proxy.host());
        config.put("port", proxy.port());
        config.put("connect_timeout", "2s");
        PostgresEngine e = new PostgresEngine(config);
        engines.add(e);
        proxy.refuseNewConnections(true);

        Throwable error = Await.failure(e.query("select 1"));
        assertThat(error).isInstanceOf(ConnectionException.class).hasMessageContaining("cannot connect");
        assertThat(Await.failure(e.startConnectionPool())).isInstanceOf(ConnectionException.class);

        proxy.refuseNewConnections(false);
        Await.result(e.startConnectionPool(PoolOptions.builder().maxSize(2).build()));
        assertThat(Await.result(e.query("select 4 as ok")).get(0).getInt("ok")).isEqualTo(4);
    }

    @Test
    void terminatedBackendsAreReplaced() {
        PostgresEngine e =
                engine(Map.of(), PoolOptions.builder().maxSize(3).minIdle(3).build());
        List<CompletableFuture<List<Row>>> busy = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            busy.add(e.query("select pg_sleep(20)"));
        }
        Await.until("three queries run", () -> activeSleeps() == 3);

        pg.admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '" + applicationName
                + "'");

        for (CompletableFuture<List<Row>> f : busy) {
            Throwable error = Await.failure(f);
            assertThat(error).isInstanceOf(ConnectionException.class);
        }
        for (int i = 0; i < 10; i++) {
            assertThat(Await.result(e.query("select $1::int as i", i)).get(0).getInt("i"))
                    .isEqualTo(i);
        }
        Await.until(
                "pool idle", () -> e.poolStats().isIdle(), () -> e.poolStats().toString());
    }

    @Test
    void survivesAPostgresRestart() {
        if (!pg.canRestart()) {
            System.out.println(
                    "[pgengine-test] survivesAPostgresRestart needs the local cluster; backend is " + pg.source());
            return;
        }
        PostgresEngine e = engine(
                Map.of("connect_timeout", "2s"),
                PoolOptions.builder()
                        .maxSize(2)
                        .acquireTimeout(Duration.ofSeconds(5))
                        .build());
        Await.result(e.query("select 1"));

        pg.stop();
        try {
            Throwable error = Await.failure(e.query("select 1"));
            assertThat(error).isInstanceOf(ConnectionException.class);
        } finally {
            pg.start();
        }
        Await.until(
                "queries succeed again",
                () -> e.query("select 1").handle((r, x) -> x == null).join());
        Await.until(
                "pool idle", () -> e.poolStats().isIdle(), () -> e.poolStats().toString());
    }

    @Test
    void waitingPastTheAcquireTimeoutFailsWithThePoolsCounters() {
        PostgresEngine e = engine(
                Map.of(),
                PoolOptions.builder()
                        .maxSize(1)
                        .acquireTimeout(Duration.ofMillis(200))
                        .build());
        CompletableFuture<List<Row>> holder = e.query("select pg_sleep(1)");

        Throwable error = Await.failure(e.query("select 1"));

        assertThat(error)
                .isInstanceOf(PoolTimeoutException.class)
                .hasMessageContaining("within 200 ms (acquireTimeout)")
                .hasMessageContaining("inUse=1");
        assertThat(((PoolTimeoutException) error).stats().inUse()).isEqualTo(1);
        Await.result(holder);
        Await.until(
                "pool idle", () -> e.poolStats().isIdle(), () -> e.poolStats().toString());
    }

    @Test
    void pastTheMaximumOfWaitersCallsFailAtOnce() {
        PostgresEngine e =
                engine(Map.of(), PoolOptions.builder().maxSize(1).maxWaiters(2).build());
        CompletableFuture<List<Row>> holder = e.query("select pg_sleep(0.5)");
        CompletableFuture<List<Row>> w1 = e.query("select 1");
        CompletableFuture<List<Row>> w2 = e.query("select 2");

        Throwable error = Await.failure(e.query("select 3"));

        assertThat(error)
                .isInstanceOf(PoolExhaustedException.class)
                .hasMessageContaining("2 waiting callers (maxWaiters)");
        Await.result(holder);
        Await.result(w1);
        Await.result(w2);
        Await.until(
                "pool idle", () -> e.poolStats().isIdle(), () -> e.poolStats().toString());
    }

    @Test
    void warnsWithTheBorrowersStackWhenAConnectionIsHeldTooLong() {
        PostgresEngine e = engine(
                Map.of(),
                PoolOptions.builder()
                        .maxSize(1)
                        .leakDetectionThreshold(Duration.ofMillis(100))
                        .build());
        try (LogCapture log = LogCapture.of("io.github.pgengine.pool", Level.WARN)) {
            Await.result(e.transaction(tx -> tx.query("select pg_sleep(0.4)")));

            assertThat(log.messages())
                    .anyMatch(m -> m.contains("has been held for more than 100 ms (leakDetectionThreshold)"));
        }
    }

    @Test
    void authenticatesWithScramSha256() {
        Object stored = pg.admin(
                        "SELECT rolpassword LIKE 'SCRAM-SHA-256$%' FROM pg_authid WHERE rolname = '" + pg.user() + "'")
                .get(0)
                .get(0);
        PostgresEngine e = engine(Map.of(), PoolOptions.builder().maxSize(1).build());

        assertThat(stored).isEqualTo(true);
        assertThat(Await.result(e.query("select current_user as u")).get(0).getString("u"))
                .isEqualTo(pg.user());
    }
}
