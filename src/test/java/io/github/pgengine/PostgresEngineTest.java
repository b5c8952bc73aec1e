package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.LogCapture;
import io.github.pgengine.testing.TestPostgres;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** PostgresEngine against a real PostgreSQL: the seed's usage, queries, types, pool, logging, version. */
class PostgresEngineTest {
    private static TestPostgres pg;
    private final List<PostgresEngine> engines = new ArrayList<>();

    @BeforeAll
    static void database() {
        pg = TestPostgres.get();
        System.out.println("[pgengine-test] PostgresEngineTest runs on " + pg.source());
    }

    @AfterEach
    void closeEngines() {
        engines.forEach(e -> Await.result(e.close()));
    }

    private PostgresEngine engine(PostgresEngine e) {
        engines.add(e);
        return e;
    }

    private PostgresEngine engine() {
        return engine(new PostgresEngine(pg.config()));
    }

    private PostgresEngine pooled(int size) {
        PostgresEngine e = engine();
        Await.result(e.startConnectionPool(PoolOptions.builder().maxSize(size).build()));
        return e;
    }

    @Test
    void runsTheSeedUsage() {
        PostgresEngine e = engine(new PostgresEngine(
                Map.of(
                        "database",
                        pg.database(),
                        "user",
                        pg.user(),
                        "password",
                        pg.password(),
                        "host",
                        pg.host(),
                        "port",
                        pg.port()),
                List.of("uuid-ossp"),
                true,
                true,
                Map.of()));
        Await.result(e.prepDatabase());
        List<Row> rows = Await.result(e.query("select uuid_generate_v4() as id, 'Pythonistas' as name"));

        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).get("id")).isInstanceOf(UUID.class);
        assertThat(rows.get(0).get("name")).isEqualTo("Pythonistas");
        assertThat(e.engineType()).isEqualTo("postgres");
        assertThat(e.minVersionNumber()).isEqualTo(10.0);
    }

    @Test
    void rowsAreReadOnlyMapsInQueryOrderWithTypedGetters() {
        List<Row> rows = Await.result(engine().query(
                        "select 1 as b, 'x' as a, 3000000000 as c, 1.50::numeric as d, true as e, null::text as f"));
        Row row = rows.get(0);

        assertThat(row.keySet()).containsExactly("b", "a", "c", "d", "e", "f");
        assertThat(row.getInt("b")).isEqualTo(1);
        assertThat(row.getLong("b")).isEqualTo(1L);
        assertThat(row.getLong("c")).isEqualTo(3_000_000_000L);
        assertThat(row.getBigDecimal("d")).isEqualByComparingTo("1.5");
        assertThat(row.getBoolean("e")).isTrue();
        assertThat(row.get("f")).isNull();
        assertThat(row.containsKey("f")).isTrue();
        assertThatThrownBy(() -> row.put("z", 1)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> row.getInt("c"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("column 'c'");
        assertThatThrownBy(() -> row.getString("nope"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no column named 'nope'")
                .hasMessageContaining("[b, a, c, d, e, f]");
    }

    @Test
    void acceptsDollarAndQuestionMarkPlaceholders() {
        PostgresEngine e = engine();

        assertThat(Await.result(e.query("select $1::int + $2::int as s", 2, 3))
                        .get(0)
                        .getInt("s"))
                .isEqualTo(5);
        assertThat(Await.result(e.query("select ?::int * ?::int as p", 4, 5))
                        .get(0)
                        .getInt("p"))
                .isEqualTo(20);
        assertThat(Await.result(e.query("select $2::text || $1::text as s", "a", "b"))
                        .get(0)
                        .get("s"))
                .isEqualTo("ba");
    }

    @Test
    void treatsPlaceholdersInsideLiteralsCommentsAndDollarQuotesAsText() {
        PostgresEngine e = engine();
        Row row = Await.result(e.query(
                        "select '?' as q, 'it''s $1' as d, \"?col\".x as i, $$ ? $1 $$ as dq, $1::int as p /* ? $2 */ -- ?\n"
                                + "from (select 1 as x) as \"?col\"",
                        7))
                .get(0);

        assertThat(row.get("q")).isEqualTo("?");
        assertThat(row.get("d")).isEqualTo("it's $1");
        assertThat(row.get("dq")).isEqualTo(" ? $1 ");
        assertThat(row.getInt("p")).isEqualTo(7);
        assertThat(Await.result(e.query("select '{\"a\":1}'::jsonb ? 'a' as has, $1::int as p", 1))
                        .get(0)
                        .get("has"))
                .isEqualTo(true);
    }

    @Test
    void failsWrongParameterCountBeforeSendingAnything() {
        PostgresEngine e = engine(
                PostgresEngine.builder().config(pg.config()).logQueries(true).build());
        try (LogCapture log = LogCapture.of("io.github.pgengine.query", Level.INFO)) {
            Throwable error = Await.failure(e.query("select $1::int, $2::int", 1));

            assertThat(error)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the SQL expects 2 parameters but 1 was given");
            assertThat(Await.failure(e.query("select 1", 1)))
                    .hasMessage("the SQL expects 0 parameters but 1 was given");
            assertThat(log.messages()).isEmpty();
        }
    }

    @Test
    void rejectsSeveralStatementsAndEmptySqlBeforeSendingAnything() {
        PostgresEngine e = engine();

        assertThat(Await.failure(e.query("select 1; drop table x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds 2 statements");
        assertThat(Await.failure(e.query("  -- nothing\n"))).hasMessageContaining("SQL text is empty");
        assertThat(Await.result(e.query("select 1 as one;")).get(0).getInt("one"))
                .isEqualTo(1);
    }

    @Test
    void executeReturnsRowsAffected() {
        PostgresEngine e = engine();
        Await.result(e.runDdl("drop table if exists exec_count"));
        Await.result(e.runDdl("create table exec_count (id int primary key, name text)"));

        assertThat(Await.result(e.execute("insert into exec_count values ($1, $2), ($3, $4)", 1, "a", 2, "b")))
                .isEqualTo(2L);
        assertThat(Await.result(e.execute("update exec_count set name = 'c'"))).isEqualTo(2L);
        assertThat(Await.result(e.execute("delete from exec_count where id = ?", 1)))
                .isEqualTo(1L);
        Await.result(e.runDdl("drop table exec_count"));
    }

    @Test
    void mapsServerErrorsBySqlState() {
        PostgresEngine e = pooled(1);
        Await.result(e.runDdl("drop table if exists err_map"));
        Await.result(e.runDdl("create table err_map (id int primary key)"));
        Await.result(e.execute("insert into err_map values (1)"));
        int pid = Await.result(e.query("select pg_backend_pid() as pid")).get(0).getInt("pid");

        Throwable dup = Await.failure(e.execute("insert into err_map values (1)"));
        assertThat(dup).isInstanceOf(IntegrityViolationException.class);
        IntegrityViolationException ive = (IntegrityViolationException) dup;
        assertThat(ive.sqlState()).isEqualTo("23505");
        assertThat(ive.constraint()).isEqualTo("err_map_pkey");
        assertThat(ive.detail()).isEqualTo("Key (id)=(1) already exists.");
        assertThat(ive.getMessage()).startsWith("ERROR 23505: duplicate key value violates unique constraint");

        Throwable syntax = Await.failure(e.query("selec 1"));
        assertThat(syntax).isInstanceOf(BadSqlException.class);
        assertThat(((EngineException) syntax).sqlState()).isEqualTo("42601");

        assertThat(Await.failure(e.query("select 1/0")))
                .isInstanceOf(BadSqlException.class)
                .extracting(t -> ((EngineException) t).sqlState())
                .isEqualTo("22012");
        // an ordinary SQL error does not cost a reconnect
        assertThat(Await.result(e.query("select pg_backend_pid() as pid"))
                        .get(0)
                        .getInt("pid"))
                .isEqualTo(pid);
        Await.result(e.runDdl("drop table err_map"));
    }

    @Test
    void decodesTypesWhereTheDriverFails() {
        PostgresEngine e = engine();
        Row row = Await.result(e.query("select '2024-06-01 12:00:00+05:30'::timestamptz as ts, "
                        + "'NaN'::numeric as nan, 'infinity'::date as inf, '-infinity'::timestamptz as neginf, "
                        + "'0044-03-15'::date - 0 as d, '12:00:00+05:30'::timetz as tz, '{\"a\": 1}'::jsonb as j, "
                        + "'\\x0102'::bytea as b, array[1,2,3] as arr, 123.45::numeric(10,2) as n"))
                .get(0);

        assertThat(row.getOffsetDateTime("ts")).isEqualTo(OffsetDateTime.of(2024, 6, 1, 6, 30, 0, 0, ZoneOffset.UTC));
        assertThat(row.get("nan")).isEqualTo(Double.NaN);
        assertThatThrownBy(() -> row.getBigDecimal("nan")).hasMessageContaining("NaN");
        assertThat(row.getLocalDate("inf")).isEqualTo(LocalDate.MAX);
        assertThat(row.getOffsetDateTime("neginf")).isEqualTo(OffsetDateTime.MIN);
        assertThat(row.get("tz")).isEqualTo(OffsetTime.of(12, 0, 0, 0, ZoneOffset.ofHoursMinutes(5, 30)));
        assertThat(row.get("j")).isEqualTo("{\"a\": 1}");
        assertThat(row.getBytes("b")).containsExactly(1, 2);
        assertThat(row.getList("arr")).containsExactly(1, 2, 3);
        assertThat(row.getBigDecimal("n")).isEqualTo(new BigDecimal("123.45"));
    }

    @Test
    void keepsTimestamptzCorrectWhateverTheRoleTimeZone() {
        pg.createRole("pgengine_kolkata", "kolkata-pass", false);
        pg.admin("alter role pgengine_kolkata set timezone = 'Asia/Kolkata'");
        PostgresEngine e = engine(new PostgresEngine(pg.config("pgengine_kolkata", "kolkata-pass")));

        Row row = Await.result(e.query("select '2024-06-01 12:00:00+05:30'::timestamptz as ts, "
                        + "current_setting('TimeZone') as zone"))
                .get(0);

        assertThat(row.get("zone")).isEqualTo("UTC");
        assertThat(row.getInstant("ts")).isEqualTo(Instant.parse("2024-06-01T06:30:00Z"));
    }

    @Test
    void sendsJavaTimeAndArrayParameters() {
        PostgresEngine e = engine();
        Instant instant = Instant.parse("2024-02-29T11:14:15.123456Z");
        ZonedDateTime zoned = ZonedDateTime.of(2024, 1, 2, 3, 4, 5, 0, ZoneId.of("Asia/Kolkata"));
        Row row = Await.result(e.query(
                        "select $1::timestamptz as i, $2::timestamptz as z, $3::int[] as a, "
                                + "$4::bigint as l, $5::text as s, $6::uuid as u",
                        instant,
                        zoned,
                        new int[] {1, 2},
                        5,
                        "x",
                        UUID.fromString("00000000-0000-0000-0000-000000000001")))
                .get(0);

        assertThat(row.getInstant("i")).isEqualTo(instant);
        assertThat(row.getInstant("z")).isEqualTo(zoned.toInstant());
        assertThat(row.getList("a")).containsExactly(1, 2);
        assertThat(row.getLong("l")).isEqualTo(5L);
        assertThat(row.getUuid("u")).isEqualTo(UUID.fromString("00000000-0000-0000-0000-000000000001"));
        // the same SQL with other Java integer types still works (no type pinning)
        assertThat(Await.result(e.query("select $1::bigint as v", 3_000_000_000L))
                        .get(0)
                        .getLong("v"))
                .isEqualTo(3_000_000_000L);
    }

    @Test
    void runsFiveHundredConcurrentQueriesThroughAPoolOfFour() {
        PostgresEngine e = pooled(4);
        List<CompletableFuture<List<Row>>> futures = new ArrayList<>();
        Set<Integer> pids = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < 500; i++) {
            futures.add(e.query("select pg_backend_pid() as pid, $1::int as i", i));
        }
        for (int i = 0; i < 500; i++) {
            Row row = Await.result(futures.get(i)).get(0);
            assertThat(row.getInt("i")).isEqualTo(i);
            pids.add(row.getInt("pid"));
        }

        assertThat(pids).hasSizeLessThanOrEqualTo(4);
        Await.until(
                "pool back to idle",
                () -> e.poolStats().isIdle(),
                () -> e.poolStats().toString());
        assertThat(e.poolStats().total()).isLessThanOrEqualTo(4);
    }

    @Test
    void thousandCancelledQueriesLeaveThePoolIdleAndServing() {
        PostgresEngine e = pooled(2);
        List<CompletableFuture<List<Row>>> futures = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            CompletableFuture<List<Row>> f = e.query("select pg_sleep(0.001), $1::int as i", i);
            futures.add(f);
            f.cancel(i % 2 == 0);
        }

        assertThat(futures).allMatch(CompletableFuture::isDone);
        assertThat(futures.stream().filter(CompletableFuture::isCancelled).count())
                .isGreaterThan(900);
        Await.until(
                "pool back to idle",
                () -> e.poolStats().isIdle(),
                () -> e.poolStats().toString());
        assertThat(Await.result(e.query("select 42 as answer")).get(0).getInt("answer"))
                .isEqualTo(42);
        assertThat(e.poolStats().total()).isLessThanOrEqualTo(2);
    }

    @Test
    void withoutAPoolEachCallOpensAndClosesItsOwnConnection() {
        PostgresEngine e = engine();
        int first =
                Await.result(e.query("select pg_backend_pid() as pid")).get(0).getInt("pid");
        int second =
                Await.result(e.query("select pg_backend_pid() as pid")).get(0).getInt("pid");

        assertThat(first).isNotEqualTo(second);
        assertThat(e.poolStats()).isEqualTo(PoolStats.NO_POOL);
        Await.until(
                "the first session to end",
                () -> pg.admin("select count(*) from pg_stat_activity where pid = " + first)
                        .get(0)
                        .get(0)
                        .equals(0L));
    }

    @Test
    void warnsWhenStartingASecondPoolOrClosingNone() {
        PostgresEngine e = engine();
        try (LogCapture log = LogCapture.of("io.github.pgengine", Level.INFO)) {
            Await.result(e.closeConnectionPool());
            Await.result(e.startConnectionPool());
            Await.result(e.startConnectionPool());

            assertThat(log.warnings())
                    .anyMatch(m -> m.startsWith("No pool is running"))
                    .anyMatch(m -> m.startsWith("A pool already exists"));
            assertThat(log.messages()).anyMatch(m -> m.startsWith("Connection pool started for"));
        }
    }

    @Test
    void failsToStartAPoolAgainstANonListeningPortAndLeavesNoPool() {
        Map<String, Object> config = new HashMap<>(pg.config());
        config.put("port", 1);
        config.put("connect_timeout", "2s");
        PostgresEngine e = engine(new PostgresEngine(config));

        Throwable error = Await.failure(e.startConnectionPool());
        assertThat(error)
                .isInstanceOf(ConnectionException.class)
                .hasMessageContaining("cannot connect to")
                .hasMessageNotContaining(pg.password());
        assertThat(e.poolStats()).isEqualTo(PoolStats.NO_POOL);
    }

    @Test
    void logsQueriesAndResponsesWithTheSameId() {
        PostgresEngine e = engine(PostgresEngine.builder()
                .config(pg.config())
                .name("logdb")
                .logQueries(true)
                .logResponses(true)
                .build());
        try (LogCapture log = LogCapture.of("io.github.pgengine", Level.INFO)) {
            Await.result(e.query("select $1::int as answer", 42));
            List<String> lines = log.lines();

            assertThat(lines)
                    .anyMatch(l -> l.matches("INFO io\\.github\\.pgengine\\.query: logdb query #(\\d+): "
                            + "select \\$1::int as answer \\(1 parameter\\)"));
            assertThat(lines)
                    .anyMatch(l -> l.matches("INFO io\\.github\\.pgengine\\.response: logdb query #(\\d+) "
                            + "returned 1 row in [0-9.]+ ms: \\[\\{answer=42\\}\\]"));
        }
    }

    @Test
    void readsTheServerVersion() {
        PostgresEngine e = engine();
        double version = Await.result(e.getVersion());

        assertThat(version).isGreaterThanOrEqualTo(10.0);
        try (LogCapture log = LogCapture.of("io.github.pgengine", Level.INFO)) {
            Await.result(e.checkVersion());
            assertThat(log.warnings()).isEmpty();
        }
    }

    @Test
    void checkVersionWarnsAndCompletesWhenTheServerCannotBeReached() {
        Map<String, Object> config = new HashMap<>(pg.config());
        config.put("port", 1);
        PostgresEngine e = engine(new PostgresEngine(config));
        try (LogCapture log = LogCapture.of("io.github.pgengine", Level.INFO)) {
            assertThat(Await.failure(e.getVersion())).isInstanceOf(ConnectionException.class);
            Await.result(e.checkVersion());

            assertThat(log.warnings()).anyMatch(m -> m.startsWith("Unable to connect to database"));
        }
    }

    @Test
    void warnsWhenAnUnprivilegedUserCannotCreateAnExtension() {
        pg.createRole("pgengine_plain", "plain-pass", false);
        PostgresEngine e = engine(new PostgresEngine(
                pg.config("pgengine_plain", "plain-pass"), List.of("pg_stat_statements"), false, false, Map.of()));
        try (LogCapture log = LogCapture.of("io.github.pgengine", Level.INFO)) {
            Await.result(e.prepDatabase());

            assertThat(log.warnings())
                    .singleElement()
                    .asString()
                    .contains("Unable to create the pg_stat_statements extension")
                    .contains("permission denied")
                    .contains("CREATE EXTENSION IF NOT EXISTS \"pg_stat_statements\"");
        }
        assertThat(Await.result(e.query("select 1 as ok")).get(0).getInt("ok")).isEqualTo(1);
    }

    @Test
    void failsPrepDatabaseForOtherErrors() {
        PostgresEngine e =
                engine(new PostgresEngine(pg.config(), List.of("no_such_extension"), false, false, Map.of()));

        Throwable error = Await.failure(e.prepDatabase());
        assertThat(error).isInstanceOf(EngineException.class);
        // the server's own SQLSTATE: 0A000 "extension is not available" from PostgreSQL 15, 58P01 "could not open
        // extension control file" before
        int server = Integer.parseInt(
                pg.admin("SHOW server_version_num").get(0).get(0).toString());
        assertThat(((EngineException) error).sqlState()).isEqualTo(server >= 150000 ? "0A000" : "58P01");
    }

    @Test
    void rejectsAHostileExtensionNameBeforeAnySql() {
        assertThatThrownBy(
                        () -> new PostgresEngine(pg.config(), List.of("x\"; DROP TABLE t; --"), false, false, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("extension name");
    }

    @Test
    void namesUnknownConfigurationKeys() {
        assertThatThrownBy(() -> new PostgresEngine(Map.of("hots", "localhost")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown configuration key 'hots'")
                .hasMessageContaining("host, port, user, password, passfile, database, service");
        assertThatThrownBy(() -> new PostgresEngine(Map.of("port", 5432.5)))
                .hasMessageContaining("'port' must be an Integer");
    }

    @Test
    void neverShowsThePassword() {
        Map<String, Object> config = new HashMap<>(pg.config());
        config.put("password", "wrong-Secret-123");
        PostgresEngine e = engine(new PostgresEngine(config));

        Throwable error = Await.failure(e.query("select 1"));
        assertThat(error).isInstanceOf(ConnectionException.class);
        assertThat(((EngineException) error).sqlState()).isEqualTo("28P01");
        assertThat(error.getMessage()).doesNotContain("wrong-Secret-123");
        assertThat(e.toString()).doesNotContain("wrong-Secret-123").contains(pg.user() + "@");
    }

    @Test
    void aServerRefusingTheSessionIsAConnectionExceptionWithItsSqlState() {
        pg.createRole("pgengine_nologin", "nologin-pass", false);
        pg.admin("ALTER ROLE pgengine_nologin NOLOGIN");
        pg.createRole("pgengine_limited", "limited-pass", false);
        pg.admin("ALTER ROLE pgengine_limited CONNECTION LIMIT 0");
        Map<String, Object> missingDatabase = new HashMap<>(pg.config());
        missingDatabase.put("database", "pgengine_no_such_database");
        Map<String, Object> wrongPassword = new HashMap<>(pg.config());
        wrongPassword.put("password", "not-the-password");
        record Refusal(String sqlState, String message, Map<String, Object> config) {}
        List<Refusal> refusals = List.of(
                new Refusal("3D000", "database \"pgengine_no_such_database\" does not exist", missingDatabase),
                new Refusal("28P01", "password authentication failed", wrongPassword),
                new Refusal("28000", "not permitted to log in", pg.config("pgengine_nologin", "nologin-pass")),
                new Refusal("53300", "too many connections", pg.config("pgengine_limited", "limited-pass")));
        try {
            for (Refusal r : refusals) {
                PostgresEngine e = engine(new PostgresEngine(r.config()));
                for (CompletableFuture<?> call : List.of(
                        e.query("select 1"),
                        e.transaction(tx -> tx.query("select 1")),
                        e.startConnectionPool(PoolOptions.builder().minIdle(1).build()))) {
                    assertThat(Await.failure(call))
                            .as(r.sqlState())
                            .isInstanceOfSatisfying(ConnectionException.class, x -> {
                                assertThat(x.sqlState()).isEqualTo(r.sqlState());
                                assertThat(x.serverMessage()).contains(r.message());
                                assertThat(x.getMessage()).contains(r.sqlState(), r.message());
                            });
                }
            }
        } finally {
            pg.admin("ALTER ROLE pgengine_limited CONNECTION LIMIT -1");
        }
    }

    @Test
    void reachesExtraNodesByName() {
        PostgresEngine replica = engine();
        PostgresEngine e = engine(new PostgresEngine(pg.config(), List.of(), false, false, Map.of("replica", replica)));

        assertThat(e.node("replica")).isSameAs(replica);
        assertThat(e.extraNodes()).containsOnlyKeys("replica");
        assertThatThrownBy(() -> e.node("primary"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no extra node named 'primary'; known nodes: replica");
        assertThat(Await.result(e.node("replica").query("select 1 as one"))
                        .get(0)
                        .getInt("one"))
                .isEqualTo(1);
    }

    @Test
    void statementTimeoutStopsTheServerAndKeepsTheConnection() {
        Map<String, Object> config = new HashMap<>(pg.config());
        config.put("query_timeout", Duration.ofMillis(300));
        PostgresEngine e = engine(new PostgresEngine(config));
        Await.result(e.startConnectionPool(PoolOptions.builder().maxSize(1).build()));
        int pid = Await.result(e.query("select pg_backend_pid() as pid")).get(0).getInt("pid");

        Throwable error = Await.failure(e.query("select pg_sleep(5)"));

        assertThat(error).isInstanceOf(QueryTimeoutException.class);
        assertThat(((EngineException) error).sqlState()).isEqualTo("57014");
        assertThat(Await.result(e.query("select pg_backend_pid() as pid"))
                        .get(0)
                        .getInt("pid"))
                .isEqualTo(pid);
    }

    @Test
    void failsCallsAfterClose() {
        PostgresEngine e = pooled(2);
        Await.result(e.close());

        assertThat(Await.failure(e.query("select 1"))).isInstanceOf(EngineClosedException.class);
        assertThat(e.isClosed()).isTrue();
    }
}
