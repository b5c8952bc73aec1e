package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.github.pgengine.micrometer.PgEngineMetrics;
import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.LogCapture;
import io.github.pgengine.testing.TestCockroach;
import io.github.pgengine.testing.TestPostgres;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Micrometer metrics read back from a real registry after real work against the test PostgreSQL. */
class MetricsTest {
    private final TestPostgres pg = TestPostgres.get();
    private final List<PostgresEngine> engines = new ArrayList<>();
    private final MeterRegistry registry = new SimpleMeterRegistry();

    private PostgresEngine engine(Map<String, ?> config) {
        PostgresEngine e = new PostgresEngine(config);
        engines.add(e);
        return e;
    }

    @AfterEach
    void close() {
        engines.forEach(e -> Await.result(e.close()));
    }

    private Search find(String name, PostgresEngine e) {
        return registry.find(name).tag("engine", e.name());
    }

    private long timerCount(String name, PostgresEngine e, String... tags) {
        Timer t = find(name, e).tags(tags).timer();
        return t == null ? 0 : t.count();
    }

    @Test
    void statementsAreTimedByOperationOutcomeAndSqlStateClass() {
        PostgresEngine e = engine(pg.config());
        new PgEngineMetrics(e).bindTo(registry);
        Await.result(e.runDdl("DROP TABLE IF EXISTS metrics_unique"));
        Await.result(e.runDdl("CREATE TABLE metrics_unique (id int PRIMARY KEY)"));
        Await.result(e.execute("INSERT INTO metrics_unique VALUES ($1)", 1));

        Await.result(e.query("SELECT 1"));
        Await.result(e.query("select 2"));
        Throwable duplicate = Await.failure(e.execute("INSERT INTO metrics_unique VALUES ($1)", 1));
        Throwable timeout = Await.failure(e.transaction(
                tx -> tx.execute("SET LOCAL statement_timeout = 50").thenCompose(n -> tx.query("SELECT pg_sleep(5)"))));

        assertThat(duplicate).isInstanceOf(IntegrityViolationException.class);
        assertThat(timeout).isInstanceOf(QueryTimeoutException.class);
        assertThat(timerCount(
                        "pgengine.statements",
                        e,
                        "operation",
                        "select",
                        "outcome",
                        "success",
                        "sqlstate.class",
                        "none",
                        "node",
                        "default",
                        "batch",
                        "false"))
                .isEqualTo(2);
        assertThat(timerCount("pgengine.statements", e, "operation", "insert", "outcome", "success"))
                .isEqualTo(1);
        assertThat(timerCount(
                        "pgengine.statements", e, "operation", "insert", "outcome", "error", "sqlstate.class", "23"))
                .isEqualTo(1);
        assertThat(timerCount(
                        "pgengine.statements", e, "operation", "select", "outcome", "timeout", "sqlstate.class", "57"))
                .isEqualTo(1);
        assertThat(timerCount("pgengine.transactions", e, "outcome", "timeout", "sqlstate.class", "57"))
                .isEqualTo(1);
        Timer selects = find("pgengine.statements", e)
                .tags("operation", "select", "outcome", "success")
                .timer();
        assertThat(selects).isNotNull();
        assertThat(selects.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS)).isPositive();
        assertThat(selects.getId().getTag("pool")).isEqualTo(e.name());
    }

    @Test
    void aCursorCountsAsTheStatementOfItsQuery() {
        PostgresEngine e = engine(pg.config());
        new PgEngineMetrics(e).bindTo(registry);
        CompletableFuture<Void> streamed = new CompletableFuture<>();
        e.stream("SELECT g FROM generate_series(1, 10) g", List.of(), 4).subscribe(new Flow.Subscriber<Row>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(Row item) {}

            @Override
            public void onError(Throwable t) {
                streamed.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                streamed.complete(null);
            }
        });
        Await.result(streamed);
        Batch batch = Await.result(e.batch("WITH t AS (SELECT 1 AS one) SELECT one FROM t", List.of(), 10));
        assertThat(Await.result(batch.next())).hasSize(1);
        Await.result(batch.close());

        assertThat(timerCount("pgengine.statements", e, "operation", "select", "outcome", "success"))
                .isEqualTo(1);
        assertThat(timerCount("pgengine.statements", e, "operation", "with", "outcome", "success"))
                .isEqualTo(1);
        assertThat(find("pgengine.statements", e).tag("operation", "declare").timers())
                .isEmpty();
    }

    @Test
    void poolGaugesFollowThePoolAndAcquireTimesCarryTheirOutcome() {
        PostgresEngine e = engine(pg.config());
        new PgEngineMetrics(e).bindTo(registry);
        Await.result(e.startConnectionPool(PoolOptions.builder()
                .maxSize(1)
                .minIdle(1)
                .acquireTimeout(Duration.ofMillis(200))
                .build()));

        CompletableFuture<Void> release = new CompletableFuture<>();
        CompletableFuture<Void> inside = new CompletableFuture<>();
        CompletableFuture<Void> held = e.transaction(tx -> {
            inside.complete(null);
            return release;
        });
        Await.result(inside);
        assertThat(gauge("pgengine.connections.active", e)).isEqualTo(1.0);
        assertThat(gauge("pgengine.connections.idle", e)).isEqualTo(0.0);
        assertThat(gauge("pgengine.connections", e)).isEqualTo(1.0);
        assertThat(gauge("pgengine.connections.max", e)).isEqualTo(1.0);
        CompletableFuture<List<Row>> waiting = e.query("SELECT 1");
        Await.until("a caller waits", () -> gauge("pgengine.connections.pending", e) == 1.0);
        assertThat(Await.failure(waiting)).isInstanceOf(PoolTimeoutException.class);
        release.complete(null);
        Await.result(held);

        Await.until("pool idle", () -> e.poolStats().isIdle());
        assertThat(gauge("pgengine.connections.active", e)).isEqualTo(0.0);
        assertThat(gauge("pgengine.connections.pending", e)).isEqualTo(0.0);
        assertThat(timerCount("pgengine.connections.acquire", e, "outcome", "success"))
                .isEqualTo(1);
        assertThat(timerCount("pgengine.connections.acquire", e, "outcome", "timeout"))
                .isEqualTo(1);
        assertThat(timerCount("pgengine.transactions", e, "outcome", "success")).isEqualTo(1);
    }

    private double gauge(String name, PostgresEngine e) {
        Gauge g = find(name, e).gauge();
        assertThat(g).as(name).isNotNull();
        return g.value();
    }

    private double counter(String name, PostgresEngine e, String... tags) {
        Counter c = find(name, e).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void connectionsOpenedClosedAndFailedAreCounted() {
        PostgresEngine e = engine(pg.config());
        new PgEngineMetrics(e).bindTo(registry);
        Await.result(e.startConnectionPool(
                PoolOptions.builder().maxSize(2).minIdle(2).build()));
        assertThat(counter("pgengine.connections.opened", e)).isEqualTo(2);

        // the server ends one pooled connection: the pool notices, closes it, and opens a replacement
        long pid = pg
                .admin("SELECT pid FROM pg_stat_activity WHERE application_name = 'pgengine' ORDER BY pid LIMIT 1")
                .stream()
                .map(r -> ((Number) r.get(0)).longValue())
                .findFirst()
                .orElseThrow();
        pg.admin("SELECT pg_terminate_backend(" + pid + ")");
        // a query that borrowed the connection before its FATAL arrived would fail with 57P01: wait for the pool
        Await.until("the pool noticed the ended connection", () -> counter("pgengine.connections.closed", e) == 1);
        for (int i = 0; i < 4; i++) {
            Await.result(e.query("SELECT 1"));
        }
        Await.result(e.closeConnectionPool());
        Await.until(
                "every opened connection closed",
                () -> counter("pgengine.connections.closed", e) == counter("pgengine.connections.opened", e));

        Map<String, Object> nowhere = new HashMap<>(pg.config());
        nowhere.put("port", 1);
        PostgresEngine down = engine(nowhere);
        new PgEngineMetrics(down).bindTo(registry);
        assertThat(Await.failure(down.query("SELECT 1"))).isInstanceOf(ConnectionException.class);
        assertThat(counter("pgengine.connections.failed", down)).isEqualTo(1);
        assertThat(timerCount("pgengine.statements", down)).isZero();
    }

    @Test
    void cursorRowsAreCountedAndExtraNodesCarryTheirName() {
        PostgresEngine replica = new PostgresEngine(pg.config());
        PostgresEngine e = PostgresEngine.builder()
                .config(pg.config())
                .name("primary-engine")
                .extraNodes(Map.of("replica", replica))
                .build();
        engines.add(e);
        engines.add(replica);
        new PgEngineMetrics(e).bindTo(registry);

        List<Row> rows = new ArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        e.node("replica").stream("SELECT g FROM generate_series(1, 1000) g", List.of(), 64)
                .subscribe(new Flow.Subscriber<Row>() {
                    @Override
                    public void onSubscribe(Flow.Subscription s) {
                        s.request(Long.MAX_VALUE);
                    }

                    @Override
                    public void onNext(Row item) {
                        rows.add(item);
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
        Await.result(e.query("SELECT 1"));

        assertThat(rows).hasSize(1000);
        Counter cursorRows = registry.find("pgengine.cursor.rows")
                .tags("engine", "primary-engine", "node", "replica")
                .counter();
        assertThat(cursorRows).isNotNull();
        assertThat(cursorRows.count()).isEqualTo(1000);
        assertThat(registry.find("pgengine.statements")
                        .tags("engine", "primary-engine", "node", "default")
                        .timer()
                        .count())
                .isEqualTo(1);
        assertThat(registry.find("pgengine.connections.max")
                        .tags("node", "replica", "pool", replica.name())
                        .gauge())
                .isNotNull();
    }

    @Test
    void closingTheBinderRemovesItsMetersAndStopsRecording() {
        PostgresEngine e = engine(pg.config());
        PgEngineMetrics metrics = new PgEngineMetrics(e, List.of(io.micrometer.core.instrument.Tag.of("app", "x")));
        metrics.bindTo(registry);
        Await.result(e.query("SELECT 1"));
        assertThat(registry.find("pgengine.statements").tag("app", "x").timer()).isNotNull();

        metrics.close();
        Await.result(e.query("SELECT 1"));

        assertThat(registry.getMeters().stream().map(Meter::getId).map(Meter.Id::getName))
                .noneMatch(n -> n.startsWith("pgengine."));
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> metrics.bindTo(registry)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already bound");
    }

    /**
     * {@code close()} while statements end on the engine's threads, each of them registering a meter of its own
     * (a new SQLSTATE class, operation or outcome): once {@code close()} has returned and the statements are over, no
     * meter of the binder is left in the registry. The registry's filter takes a little time over each new meter, as
     * a user's filters may, which widens the window between deciding to register and having registered.
     */
    @Test
    void closeWhileStatementsEndLeavesNoMeterBehind() {
        PostgresEngine e = engine(pg.config());
        Await.result(e.startConnectionPool(
                PoolOptions.builder().maxSize(8).minIdle(8).build()));
        int rounds = 200;
        List<String> leaks = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            MeterRegistry r = new SimpleMeterRegistry();
            r.config().meterFilter(new MeterFilter() {
                @Override
                public Meter.Id map(Meter.Id id) {
                    long until = System.nanoTime() + 50_000;
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                    return id;
                }
            });
            PgEngineMetrics metrics = new PgEngineMetrics(e);
            metrics.bindTo(r);
            List<CompletableFuture<?>> statements = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                // a SQLSTATE class of its own for each: a new meter per statement
                String state = (char) ('Q' + i / 10) + String.valueOf(i % 10) + "000";
                String raise = "DO $$BEGIN RAISE EXCEPTION 'no' USING ERRCODE = '" + state + "'; END$$";
                statements.add(i % 6 == 0 ? e.transaction(tx -> tx.runDdl(raise)) : e.runDdl(raise));
            }
            statements.add(e.query("SELECT 1"));
            statements.add(e.query("VALUES (1)"));
            statements.add(e.query("SHOW server_version"));
            statements.add(e.query("SELECT 1/0"));
            statements.add(e.executeBatch("SELECT $1::int", List.of(List.of(1), List.of(2))));
            statements.add(e.transaction(tx -> tx.query("EXPLAIN SELECT 1")));
            // close at a different point of each round: after the first, the second, ... statement answered
            Await.result(statements.get(round % statements.size()).handle((v, x) -> null));
            metrics.close();
            statements.forEach(f -> Await.result(f.handle((v, x) -> null)));
            Await.until("pool idle", () -> e.poolStats().isIdle());
            List<String> left = r.getMeters().stream()
                    .map(Meter::getId)
                    .filter(id -> id.getName().startsWith("pgengine."))
                    .map(id -> id.getName() + id.getTags())
                    .toList();
            if (!left.isEmpty()) {
                leaks.add("round " + round + ": " + left);
            }
        }
        assertThat(leaks).as("rounds of " + rounds + " that left meters behind").isEmpty();
    }

    @Test
    void aClosedBinderCannotBeBound() {
        PostgresEngine e = engine(pg.config());
        PgEngineMetrics metrics = new PgEngineMetrics(e);
        metrics.close();

        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> metrics.bindTo(registry)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        Await.result(e.query("SELECT 1"));
        assertThat(registry.getMeters()).isEmpty();
    }

    @Test
    void anObserverThatThrowsNeverBreaksTheCallAndIsLoggedOnce() {
        PostgresEngine e = engine(pg.config());
        AtomicLong ended = new AtomicLong();
        e.addObserver(new EngineObserver() {
            @Override
            public StatementObservation statementStarted(
                    StatementInfo statement, Object captured, TransactionObservation transaction) {
                throw new IllegalStateException("observer bug");
            }
        });
        e.addObserver(new EngineObserver() {
            @Override
            public StatementObservation statementStarted(
                    StatementInfo statement, Object captured, TransactionObservation transaction) {
                return (rows, error) -> ended.incrementAndGet();
            }
        });
        try (LogCapture log = LogCapture.of("io.github.pgengine.observer", Level.WARN)) {
            for (int i = 0; i < 3; i++) {
                assertThat(Await.result(e.query("SELECT $1::int AS v", i))
                                .get(0)
                                .getInt("v"))
                        .isEqualTo(i);
            }
            assertThat(log.warnings()).hasSize(1);
            assertThat(log.warnings().get(0)).contains("threw");
        }
        assertThat(ended).hasValue(3);
    }

    @Test
    void aDetachedObserverSeesNothingMore() {
        PostgresEngine e = engine(pg.config());
        AtomicLong seen = new AtomicLong();
        EngineObserver.Registration r = e.addObserver(new EngineObserver() {
            @Override
            public StatementObservation statementStarted(
                    StatementInfo statement, Object captured, TransactionObservation transaction) {
                seen.incrementAndGet();
                return StatementObservation.NONE;
            }
        });
        Await.result(e.query("SELECT 1"));
        r.close();
        r.close();
        Await.result(e.query("SELECT 1"));
        assertThat(seen).hasValue(1);
    }

    @Test
    void cockroachRetriesAreCountedBySqlState() {
        TestCockroach crdb = TestCockroach.get();
        System.out.println("MetricsTest CockroachDB backend: " + crdb.backend());
        CockroachEngine e = CockroachEngine.builder()
                .config(crdb.adminConfig())
                .retryPolicy(RetryPolicy.builder()
                        .maxAttempts(5)
                        .initialBackoff(Duration.ofMillis(5))
                        .maxBackoff(Duration.ofMillis(20))
                        .build())
                .build();
        engines.add(e);
        new PgEngineMetrics(e).bindTo(registry);
        java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();

        int result = Await.result(e.transaction(tx -> {
            int attempt = attempts.incrementAndGet();
            return attempt <= 2
                    ? tx.query("SELECT crdb_internal.force_retry('1h')").thenApply(r -> attempt)
                    : CompletableFuture.completedFuture(attempt);
        }));

        assertThat(result).isEqualTo(3);
        assertThat(counter("pgengine.transactions.retries", e, "sqlstate", "40001"))
                .isEqualTo(2);
        assertThat(timerCount("pgengine.transactions", e, "outcome", "success")).isEqualTo(1);
        assertThat(timerCount("pgengine.statements", e, "outcome", "error", "sqlstate.class", "40"))
                .isEqualTo(2);
    }
}
