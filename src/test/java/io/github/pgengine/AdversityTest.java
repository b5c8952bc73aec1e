package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.LogCapture;
import io.github.pgengine.testing.TestPostgres;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The observations of the correctness issue, each as the test that reproduced it: wrong pairing of answers,
 * success reported for rolled-back writes, lost unchained statements, pool corruption under a commit/cancel race,
 * a throwing stream subscriber, bypasses of the one-statement guard, bad inputs, pool edges, cancellation seen as
 * a timeout, and the default statement limit.
 */
class AdversityTest {
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

    private PostgresEngine pooled(int maxSize) {
        return pooled(Map.of(), PoolOptions.builder().maxSize(maxSize).build());
    }

    private PostgresEngine pooled(Map<String, Object> overrides, PoolOptions options) {
        Map<String, Object> config = new HashMap<>(pg.config());
        config.putAll(overrides);
        PostgresEngine e = new PostgresEngine(config);
        engines.add(e);
        Await.result(e.startConnectionPool(options));
        return e;
    }

    private static String table(String prefix) {
        return prefix + "_" + TABLES.incrementAndGet() + "_"
                + ProcessHandle.current().pid();
    }

    private static void assertIdle(PostgresEngine e) {
        Await.until(
                "pool back to idle",
                () -> e.poolStats().isIdle(),
                () -> e.poolStats().toString());
    }

    // ------------------------------------------------------------------ 1. pairing

    @Test
    void aDeferredConstraintErrorBelongsToItsStatementAndNoAnswerShifts() {
        PostgresEngine e = pooled(1);
        String parent = table("adv_parent");
        String child = table("adv_child");
        Await.result(e.runDdl("CREATE TABLE " + parent + " (id int PRIMARY KEY)"));
        Await.result(e.runDdl("CREATE TABLE " + child + " (id int REFERENCES " + parent
                + " DEFERRABLE INITIALLY DEFERRED, u int UNIQUE DEFERRABLE INITIALLY DEFERRED)"));
        Await.result(e.execute("INSERT INTO " + parent + " VALUES (1)"));
        Await.result(e.execute("INSERT INTO " + child + " VALUES (1, 7)"));

        for (int k = 0; k < 50; k++) {
            int round = k;
            String tag = "mine-" + round;
            Throwable fk = Await.failure(e.execute("INSERT INTO " + child + " VALUES ($1, $2)", 999, round));
            assertThat(fk).isInstanceOf(IntegrityViolationException.class);
            assertThat(((EngineException) fk).sqlState()).isEqualTo("23503");
            assertThat(Await.result(e.query("SELECT $1::text AS v", tag)))
                    .singleElement()
                    .satisfies(r -> assertThat(r.get("v")).isEqualTo(tag));

            Throwable unique = Await.failure(e.query("INSERT INTO " + child + " VALUES (1, 7) RETURNING id"));
            assertThat(((EngineException) unique).sqlState()).isEqualTo("23505");
            Throwable unprepared = Await.failure(e.execute("INSERT INTO " + child + " VALUES (999, NULL)"));
            assertThat(((EngineException) unprepared).sqlState()).isEqualTo("23503");
            assertThat(Await.result(e.query("SELECT $1::int AS n, 'x' AS s", round)))
                    .singleElement()
                    .satisfies(r -> assertThat(r).containsEntry("n", round).containsEntry("s", "x"));
        }
        assertThat(Await.result(e.query("SELECT count(*) AS n FROM " + child))
                        .get(0)
                        .getLong("n"))
                .isEqualTo(1);
        assertIdle(e);
    }

    // ------------------------------------------------------------------ 2. COMMIT answered with ROLLBACK

    @Test
    void aCommitTheServerAnswersWithRollbackFailsTheTransaction() {
        PostgresEngine e = pooled(2);
        String t = table("adv_commit");
        Await.result(e.runDdl("CREATE TABLE " + t + " (id int PRIMARY KEY)"));

        Throwable error = Await.failure(e.transaction(tx -> tx.execute("INSERT INTO " + t + " VALUES (1)")
                .thenCompose(n -> tx.execute("INSERT INTO " + t + " VALUES (1)"))
                .exceptionally(duplicate -> -1L)));

        assertThat(error)
                .isInstanceOf(TransactionRolledBackException.class)
                .hasMessageContaining("rolled back")
                .hasCauseInstanceOf(IntegrityViolationException.class);
        assertThat(((EngineException) error).sqlState()).isEqualTo("25P02");
        assertThat(Await.result(e.query("SELECT count(*) AS n FROM " + t))
                        .get(0)
                        .getLong("n"))
                .isZero();
        assertIdle(e);
    }

    @Test
    void aManualCommitThatWasRolledBackFailsTooAndTheTransactionFutureSaysSo() {
        PostgresEngine e = pooled(2);
        String t = table("adv_manual");
        Await.result(e.runDdl("CREATE TABLE " + t + " (id int PRIMARY KEY)"));
        AtomicReference<Throwable> seenByCallback = new AtomicReference<>();

        Throwable error = Await.failure(e.transaction(tx -> tx.execute("INSERT INTO " + t + " VALUES (1)")
                .thenCompose(n -> tx.execute("INSERT INTO " + t + " VALUES (1)"))
                .exceptionally(duplicate -> -1L)
                .thenCompose(n -> tx.commit())
                .exceptionally(commitError -> {
                    seenByCallback.set(commitError);
                    return null;
                })));

        assertThat(seenByCallback.get())
                .isInstanceOf(java.util.concurrent.CompletionException.class)
                .cause()
                .isInstanceOf(TransactionRolledBackException.class);
        assertThat(error).isInstanceOf(TransactionRolledBackException.class);
        assertThat(Await.result(e.query("SELECT count(*) AS n FROM " + t))
                        .get(0)
                        .getLong("n"))
                .isZero();
    }

    // ------------------------------------------------------------------ 3. statements fired without waiting

    @Test
    void statementsFiredWithoutWaitingAllRunBeforeCommit() {
        PostgresEngine e = pooled(2);
        String t = table("adv_unchained");
        Await.result(e.runDdl("CREATE TABLE " + t + " (id int PRIMARY KEY)"));

        Await.result(e.transaction(tx -> {
            for (int i = 1; i <= 20; i++) {
                tx.execute("INSERT INTO " + t + " VALUES ($1)", i);
            }
            return CompletableFuture.completedFuture(null);
        }));

        assertThat(Await.result(e.query("SELECT count(*) AS n FROM " + t))
                        .get(0)
                        .getLong("n"))
                .isEqualTo(20);
        assertIdle(e);
    }

    @Test
    void anUnchainedStatementThatFailsFailsTheTransaction() {
        PostgresEngine e = pooled(2);
        String t = table("adv_unchained_fail");
        Await.result(e.runDdl("CREATE TABLE " + t + " (id int PRIMARY KEY)"));

        Throwable server = Await.failure(e.transaction(tx -> {
            tx.execute("INSERT INTO " + t + " VALUES (1)");
            tx.execute("INSERT INTO " + t + " VALUES (1)");
            tx.execute("INSERT INTO " + t + " VALUES (3)");
            return CompletableFuture.completedFuture("done");
        }));
        Throwable client = Await.failure(e.transaction(tx -> {
            tx.execute("INSERT INTO " + t + " VALUES (10)");
            tx.execute("INSERT INTO " + t + " VALUES ($1)", new Object());
            return CompletableFuture.completedFuture("done");
        }));

        assertThat(server)
                .isInstanceOf(TransactionRolledBackException.class)
                .hasCauseInstanceOf(IntegrityViolationException.class);
        assertThat(client)
                .isInstanceOf(TransactionRolledBackException.class)
                .hasCauseInstanceOf(IllegalArgumentException.class);
        assertThat(Await.result(e.query("SELECT count(*) AS n FROM " + t))
                        .get(0)
                        .getLong("n"))
                .isZero();
        assertIdle(e);
    }

    @Test
    void aFailureUndoneByRollingBackToASavepointDoesNotFailTheTransaction() {
        PostgresEngine e = pooled(2);
        String t = table("adv_savepoint");
        Await.result(e.runDdl("CREATE TABLE " + t + " (id int PRIMARY KEY)"));

        Await.result(e.transaction(tx -> tx.execute("INSERT INTO " + t + " VALUES (1)")
                .thenCompose(n -> tx.savepoint("before"))
                .thenCompose(sp -> tx.execute("INSERT INTO " + t + " VALUES (1)"))
                .exceptionally(duplicate -> -1L)
                .thenCompose(n -> tx.rollbackTo("before"))
                .thenCompose(v -> tx.execute("INSERT INTO " + t + " VALUES (2)"))));
        Await.result(e.transaction(tx -> tx.transaction(inner -> {
                    inner.execute("INSERT INTO " + t + " VALUES (3)");
                    inner.execute("INSERT INTO " + t + " VALUES (1)"); // fails: the sub-transaction rolls back
                    return CompletableFuture.completedFuture(null);
                })
                .exceptionally(x -> null)
                .thenCompose(x -> tx.execute("INSERT INTO " + t + " VALUES (4)"))));

        assertThat(Await.result(e.query("SELECT id FROM " + t + " ORDER BY id")))
                .extracting(r -> r.getInt("id"))
                .containsExactly(1, 2, 4);
    }

    // ------------------------------------------------------------------ 4. commit/cancel race

    @Test
    void aCommitRacingACancelNeverReleasesAConnectionTwice() throws Exception {
        PostgresEngine e = pooled(2);
        String t = table("adv_race");
        Await.result(e.runDdl("CREATE TABLE " + t + " (id int)"));
        ExecutorService completer = Executors.newSingleThreadExecutor();
        ExecutorService canceller = Executors.newSingleThreadExecutor();
        List<String> broken = new CopyOnWriteArrayList<>();
        try {
            List<CompletableFuture<?>> all = new ArrayList<>();
            for (int i = 0; i < 3_000; i++) {
                int id = i;
                CountDownLatch inCallback = new CountDownLatch(1);
                CompletableFuture<Object> stage = new CompletableFuture<>();
                CompletableFuture<Object> tx = e.transaction(x -> {
                    x.execute("INSERT INTO " + t + " VALUES ($1)", id);
                    inCallback.countDown();
                    return stage;
                });
                all.add(tx);
                completer.execute(() -> {
                    await(inCallback);
                    stage.complete("done");
                });
                canceller.execute(() -> {
                    await(inCallback);
                    tx.cancel(true);
                });
                PoolStats s = e.poolStats();
                if (s.inUse() < 0 || s.idle() < 0 || s.total() > 2 || s.idle() + s.inUse() > s.total() + 1) {
                    broken.add(s.toString());
                }
            }
            for (CompletableFuture<?> f : all) {
                try {
                    f.get(30, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException | CancellationException ignored) {
                    // either outcome is fine; the pool is what is checked
                }
            }
        } finally {
            completer.shutdown();
            canceller.shutdown();
        }

        assertIdle(e);
        assertThat(broken).as("pool counters seen during the race").isEmpty();
        PoolStats end = e.poolStats();
        assertThat(end.total()).isLessThanOrEqualTo(2);
        assertThat(end.inUse()).isZero();
        assertThat(end.idle()).isLessThanOrEqualTo(end.total());
        Set<Integer> pids = new HashSet<>();
        List<CompletableFuture<List<Row>>> six = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            six.add(e.query("SELECT pg_backend_pid() AS pid, pg_sleep(0.05)"));
        }
        for (CompletableFuture<List<Row>> f : six) {
            pids.add(Await.result(f).get(0).getInt("pid"));
        }
        assertThat(pids).hasSizeLessThanOrEqualTo(2);
        assertIdle(e);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ 5. throwing subscriber

    @Test
    void aStreamSubscriberThatThrowsGetsItsStreamCancelledAndTheConnectionBack() {
        PostgresEngine e = pooled(1);
        AtomicInteger delivered = new AtomicInteger();
        try (LogCapture log = LogCapture.of("io.github.pgengine", Level.WARN)) {
            e.stream("SELECT g FROM generate_series(1, 1000) g", List.of(), 10).subscribe(new Flow.Subscriber<Row>() {
                @Override
                public void onSubscribe(Flow.Subscription s) {
                    s.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(Row item) {
                    if (delivered.incrementAndGet() == 3) {
                        throw new IllegalStateException("subscriber bug");
                    }
                }

                @Override
                public void onError(Throwable t) {}

                @Override
                public void onComplete() {}
            });
            assertIdle(e);
            assertThat(log.warnings()).anySatisfy(w -> assertThat(w).contains("onNext threw"));
        }
        assertThat(delivered).hasValue(3);
        assertThat(Await.result(e.query("SELECT 1 AS one")).get(0).getInt("one"))
                .isEqualTo(1);
    }

    // ------------------------------------------------------------------ 6. wrong values

    private static Object one(PostgresEngine e, String sql, Object... params) {
        return Await.result(e.query(sql, params)).get(0).get(0);
    }

    @Test
    void theValuesOfTheReportComeBackRight() {
        PostgresEngine e = pooled(1);
        String t = table("adv_values");
        Await.result(e.runDdl("CREATE TABLE " + t + " (c int)"));
        Await.result(e.execute("INSERT INTO " + t + " VALUES (1), (NULL)"));

        assertThat(Await.result(e.query("SELECT count(*) AS n FROM " + t + " WHERE c = $1 OR $1 IS NULL", 1))
                        .get(0)
                        .getLong("n"))
                .isEqualTo(1);
        assertThat(Await.result(e.query(
                                "SELECT count(*) AS n FROM " + t + " WHERE c = $1 OR $1 IS NULL", (Object) null))
                        .get(0)
                        .getLong("n"))
                .isEqualTo(2);
        assertThat(one(e, "SELECT $1::numeric * 2", 1.5d)).isEqualTo(new java.math.BigDecimal("3.0"));
        assertThat(one(e, "SELECT $1::numeric * 2", new java.math.BigInteger("123456789012345678901234567890")))
                .isEqualTo(new java.math.BigDecimal("246913578024691357802469135780"));
        assertThat(one(e, "SELECT $1", java.time.LocalTime.of(10, 0))).isEqualTo(java.time.LocalTime.of(10, 0));
        java.time.Instant instant = java.time.Instant.parse("2024-06-01T12:34:56.123456Z");
        assertThat(one(e, "SELECT $1", instant)).isEqualTo(instant.atOffset(java.time.ZoneOffset.UTC));

        java.time.LocalDate bc = java.time.LocalDate.of(-43, 3, 15);
        assertThat(one(e, "SELECT $1::date", bc)).isEqualTo(bc);
        assertThat(one(e, "SELECT $1::date::text", bc)).isEqualTo("0044-03-15 BC");
        java.time.LocalDateTime bcTime = java.time.LocalDateTime.of(-43, 3, 15, 12, 0);
        assertThat(one(e, "SELECT $1::timestamp", bcTime)).isEqualTo(bcTime);
        java.time.OffsetDateTime bcZoned = java.time.OffsetDateTime.of(bcTime, java.time.ZoneOffset.UTC);
        assertThat(one(e, "SELECT $1::timestamptz", bcZoned)).isEqualTo(bcZoned);
        assertThat(one(e, "SELECT $1::timestamptz", bcZoned.toInstant())).isEqualTo(bcZoned);
        for (java.time.LocalDate d :
                List.of(java.time.LocalDate.of(12345, 6, 7), java.time.LocalDate.MAX, java.time.LocalDate.MIN)) {
            assertThat(one(e, "SELECT $1::date", d)).isEqualTo(d);
        }
        assertThat(one(e, "SELECT $1::date::text", java.time.LocalDate.MAX)).isEqualTo("infinity");
        java.time.ZoneOffset lmt = java.time.ZoneOffset.ofHoursMinutesSeconds(5, 21, 10);
        java.time.OffsetTime tz = java.time.OffsetTime.of(10, 0, 0, 0, lmt);
        assertThat(one(e, "SELECT $1::timetz", tz)).isEqualTo(tz);
        java.time.OffsetDateTime lmtTime = java.time.OffsetDateTime.of(1900, 1, 1, 0, 0, 0, 0, lmt);
        assertThat(((java.time.OffsetDateTime) one(e, "SELECT $1::timestamptz", lmtTime)).toInstant())
                .isEqualTo(lmtTime.toInstant());
        assertThat(one(e, "SELECT $1::interval", java.time.Duration.ofNanos(1000)))
                .isEqualTo(org.threeten.extra.PeriodDuration.of(java.time.Duration.ofNanos(1000)));
        assertThat(one(e, "SELECT '24:00:00'::time")).isEqualTo(java.time.LocalTime.MAX);
        assertThat(one(e, "SELECT $1::time::text", java.time.LocalTime.MAX)).isEqualTo("24:00:00");
        assertThat(one(e, "SELECT '192.168.0.1/24'::inet")).isEqualTo("192.168.0.1/24");
        assertThat(one(e, "SELECT '::ffff:1.2.3.4'::inet")).isEqualTo("::ffff:1.2.3.4");
        assertThat(one(e, "SELECT 'a'::\"char\"")).isEqualTo("a");
        assertThat(one(e, "SELECT 'é'::\"char\"")).isInstanceOf(String.class);
        assertThat(one(e, "SELECT '-1 day -02:00:00'::interval"))
                .isEqualTo(org.threeten.extra.PeriodDuration.of(
                        java.time.Period.ofDays(-1), java.time.Duration.ofHours(-2)));
        assertThat(one(e, "SELECT ARRAY['NaN'::numeric, 1.5]"))
                .isEqualTo(List.of(Double.NaN, new java.math.BigDecimal("1.5")));
        assertThat(one(e, "SELECT ARRAY['infinity'::date, '0044-03-15 BC']"))
                .isEqualTo(List.of(java.time.LocalDate.MAX, bc));
        assertThat(one(e, "SELECT ARRAY['10:00:00+05:21:10'::timetz]")).isEqualTo(List.of(tz));
        assertThat(one(e, "SELECT ARRAY['1 day -01:00'::interval, '-1 mon'::interval]"))
                .isEqualTo(List.of(
                        org.threeten.extra.PeriodDuration.of(
                                java.time.Period.ofDays(1), java.time.Duration.ofHours(-1)),
                        org.threeten.extra.PeriodDuration.of(java.time.Period.ofMonths(-1))));
        assertThat(one(e, "SELECT ARRAY['{\"a\": 1}'::jsonb]")).isEqualTo(List.of("{\"a\": 1}"));
        assertThat(one(e, "SELECT ARRAY['{\"a\": 1}'::json]")).isEqualTo(List.of("{\"a\": 1}"));
        assertThat((List<?>) one(e, "SELECT ARRAY['\\x0102'::bytea]"))
                .singleElement()
                .isEqualTo(new byte[] {1, 2});
        assertThat(one(e, "SELECT '[0:2]={1,2,3}'::int[]")).isEqualTo(List.of(1, 2, 3));
        assertIdle(e);
    }

    // ------------------------------------------------------------------ 7. one-statement guard

    @Test
    void theOneStatementGuardCannotBeBypassedWithLexerTricks() {
        PostgresEngine e = pooled(1);
        String victim = table("adv_victim");
        Await.result(e.runDdl("CREATE TABLE " + victim + " (id int)"));

        for (String sql : List.of(
                "SELECT 1 AS one; --\rDROP TABLE " + victim,
                "SELECT 1 AS x€$a$; DROP TABLE " + victim + "; SELECT 2 AS y$a$",
                "SELECT 1 AS a$b; DROP TABLE " + victim,
                "SELECT 'a\\'; DROP TABLE " + victim + "; SELECT '")) {
            assertThat(Await.failure(e.query(sql)))
                    .as(sql)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("statements");
            assertThat(Await.failure(e.execute(sql))).as(sql).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(Await.result(e.query("SELECT count(*) AS n FROM " + victim))
                        .get(0)
                        .getLong("n"))
                .isZero();
    }

    // ------------------------------------------------------------------ 8. bad input

    @Test
    @SuppressWarnings("UnnecessaryStringBuilder") // a StringBuilder is one of the values that cannot be sent
    void valuesThatCannotBeSentFailClearlyBeforeAnythingIsSent() {
        PostgresEngine e = pooled(1);
        for (Object bad : List.of(
                new File("/tmp/x"),
                new Object(),
                Map.of("a", 1),
                new StringBuilder("sb"),
                java.nio.file.Path.of("/tmp"),
                new AtomicInteger(3))) {
            Throwable error = Await.failure(e.query("SELECT $1::text", bad));
            assertThat(error)
                    .as(bad.getClass().getName())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("parameter $1 cannot be sent: pgengine cannot send a "
                            + bad.getClass().getName());
        }
        assertThat(Await.failure(e.query("SELECT $1::text", "a\ud800b")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lone UTF-16 surrogate (\\ud800) at index 1");
        assertThat(Await.failure(e.query("SELECT 'a\udc00'")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lone UTF-16 surrogate");
        assertThat(Await.failure(e.query("SELECT " + "?,".repeat(70_000) + "1", new Object[70_000])))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("65535");
        assertThat(Await.failure(e.transaction(tx -> tx.query(null))))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("sql must not be null");
        assertThat(Await.result(e.query("SELECT $1::text AS v", "\ud83d\ude00"))
                        .get(0)
                        .get("v"))
                .isEqualTo("\ud83d\ude00");
        assertIdle(e);
    }

    @Test
    void aFiftyMegabyteByteaComesBackWhole() {
        PostgresEngine e = pooled(1);
        byte[] big = Await.result(e.query("SELECT decode(repeat('ab', 50 * 1024 * 1024), 'hex') AS b"))
                .get(0)
                .getBytes("b");

        assertThat(big).hasSize(50 * 1024 * 1024);
        assertThat(big[0]).isEqualTo((byte) 0xab);
        assertThat(Await.result(e.query("SELECT 2 AS two")).get(0).getInt("two"))
                .isEqualTo(2);
    }

    @Test
    void aMessageOverTheLimitFailsClearlyAndThePoolRecovers() {
        PostgresEngine e = pooled(
                Map.of("max_message_size", 1 << 20),
                PoolOptions.builder().maxSize(1).build());

        Throwable error = Await.failure(e.query("SELECT repeat('x', 2 * 1024 * 1024) AS big"));

        assertThat(error)
                .isInstanceOf(ConnectionException.class)
                .hasMessageContaining("max_message_size")
                .hasMessageContaining("1048576");
        assertThat(Await.result(e.query("SELECT 3 AS three")).get(0).getInt("three"))
                .isEqualTo(3);
        assertIdle(e);
    }

    // ------------------------------------------------------------------ 9. pool edges

    @Test
    void maxWaitersBoundsWaitingNotOpening() {
        PostgresEngine e = pooled(
                Map.of(),
                PoolOptions.builder().maxSize(4).minIdle(0).maxWaiters(0).build());
        List<CompletableFuture<List<Row>>> four = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            four.add(e.query("SELECT pg_sleep(0.2), $1::int AS i", i));
        }
        Throwable fifth = Await.failure(e.query("SELECT 5"));

        for (int i = 0; i < 4; i++) {
            assertThat(Await.result(four.get(i)).get(0).getInt("i")).isEqualTo(i);
        }
        assertThat(fifth).isInstanceOf(PoolExhaustedException.class).hasMessageContaining("maxWaiters");
    }

    @Test
    void aServerThatGoesSilentOrHangsUpDuringSetUpFailsWithinTheConnectTimeout() throws Exception {
        for (boolean hangUp : new boolean[] {false, true}) {
            ServerSocket server = new ServerSocket(0, 50, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}));
            resources.add(server);
            Thread acceptor = new Thread(() -> acceptAndMisbehave(server, hangUp), "misbehaving-server");
            acceptor.setDaemon(true);
            acceptor.start();
            PostgresEngine e = new PostgresEngine(Map.of(
                    "host",
                    "127.0.0.1",
                    "port",
                    server.getLocalPort(),
                    "user",
                    "x",
                    "password",
                    "y",
                    "database",
                    "z",
                    "sslmode",
                    "disable",
                    "connect_timeout",
                    Duration.ofSeconds(1)));
            engines.add(e);
            Await.result(e.startConnectionPool(PoolOptions.builder()
                    .maxSize(1)
                    .minIdle(0)
                    .acquireTimeout(Duration.ofSeconds(20))
                    .build()));
            long start = System.nanoTime();

            Throwable error = Await.failure(e.query("SELECT 1"));

            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(error).as(hangUp ? "hang up" : "silent").isInstanceOf(ConnectionException.class);
            assertThat(error.getMessage()).contains(hangUp ? "closed the connection during set-up" : "connect_timeout");
            assertThat(millis).as("failed within the connect timeout").isLessThan(hangUp ? 900 : 2_500);
            Await.until(
                    "no connection left",
                    () -> e.poolStats().total() == 0,
                    () -> e.poolStats().toString());
        }
    }

    private static void acceptAndMisbehave(ServerSocket server, boolean hangUp) {
        List<Socket> held = new ArrayList<>();
        try {
            while (!server.isClosed()) {
                Socket s = server.accept();
                if (hangUp) {
                    InputStream in = s.getInputStream();
                    in.read(new byte[8]); // the start-up message
                    s.close();
                } else {
                    held.add(s); // never answer
                }
            }
        } catch (IOException closed) {
            // the test is over
        } finally {
            for (Socket s : held) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }
    }

    // ------------------------------------------------------------------ 10. cancellation is cancellation

    @Test
    void aStatementCancelledWithItsTransactionCompletesAsCancelledNotAsATimeout() {
        PostgresEngine e = pooled(1);
        AtomicReference<CompletableFuture<List<Row>>> inner = new AtomicReference<>();
        CountDownLatch running = new CountDownLatch(1);
        CompletableFuture<List<Row>> tx = e.transaction(t -> {
            CompletableFuture<List<Row>> sleep = t.query("SELECT pg_sleep(30)");
            inner.set(sleep);
            running.countDown();
            return sleep;
        });
        await(running);
        Await.until(
                "the sleep runs on the server",
                () -> (Long) pg.admin("SELECT count(*) FROM pg_stat_activity WHERE "
                                        + "query = 'SELECT pg_sleep(30)' AND state = 'active'")
                                .get(0)
                                .get(0)
                        == 1L);

        tx.cancel(true);

        Throwable error = Await.failure(inner.get());
        assertThat(error).isInstanceOf(CancellationException.class).isNotInstanceOf(QueryTimeoutException.class);
        assertIdle(e);
        assertThat(Await.result(e.query("SELECT 1 AS one")).get(0).getInt("one"))
                .isEqualTo(1);
    }

    // ------------------------------------------------------------------ 11. no default statement limit

    @Test
    void statementsAreUnboundedByDefault() {
        PostgresEngine e = pooled(1);

        assertThat(Await.result(e.query("SHOW statement_timeout")).get(0).get(0))
                .isEqualTo("0");
        assertThat(Await.result(e.query("SELECT pg_sleep(1.5), 'slow' AS s"))
                        .get(0)
                        .get("s"))
                .isEqualTo("slow");
        assertThatThrownBy(() -> new PostgresEngine(Map.of("keepalives_idle", 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("keepalives_idle must be positive (was 0)");
    }
}
