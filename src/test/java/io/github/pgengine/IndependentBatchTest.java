package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.LogCapture;
import io.github.pgengine.testing.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * executeBatch with {@link BatchOptions#independent()}: each row commits on its own. Which rows end up in the table,
 * each row's count and each failed row's SQLSTATE against pgjdbc with autocommit running the same statements one by
 * one (differential, with the engine's insert rewrite on and off); the exception's counts and errors; 10,000 rows
 * with failures sprinkled over several windows; an error at a row's own commit; cancellation in the middle; a lost
 * connection; bad rows refused before a connection is borrowed; refused inside a transaction; the query log; the pool
 * idle afterwards.
 */
class IndependentBatchTest {
    private static final String QUERY_LOG = "io.github.pgengine.query";

    private static TestPostgres pg;
    /** Rewrites plain inserts in atomic batches (the default) and logs its statements. */
    private static PostgresEngine engine;
    /** Never rewrites. */
    private static PostgresEngine perRow;

    private static Connection jdbc;

    @BeforeContainer
    static void setUp() throws SQLException {
        pg = TestPostgres.get();
        engine = PostgresEngine.builder().config(pg.config()).logQueries(true).build();
        perRow = PostgresEngine.builder()
                .config(pg.config())
                .rewriteBatchedInserts(false)
                .build();
        Await.result(engine.startConnectionPool(PoolOptions.builder().maxSize(2).build()));
        Await.result(perRow.startConnectionPool(PoolOptions.builder().maxSize(1).build()));
        Properties p = new Properties();
        p.setProperty("user", pg.user());
        p.setProperty("password", pg.password());
        jdbc = DriverManager.getConnection("jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/" + pg.database(), p);
        jdbc.setAutoCommit(true);
    }

    @AfterContainer
    static void tearDown() throws SQLException {
        jdbc.close();
        Await.result(engine.close());
        Await.result(perRow.close());
    }

    private static void table(String name) {
        Await.result(engine.runDdl("DROP TABLE IF EXISTS " + name));
        Await.result(
                engine.runDdl("CREATE TABLE " + name + " (id int PRIMARY KEY, name text, n bigint CHECK (n >= 0))"));
    }

    private static List<List<Object>> contents(String name) {
        List<List<Object>> out = new ArrayList<>();
        for (Row r : Await.result(engine.query("SELECT id, name, n FROM " + name + " ORDER BY id"))) {
            out.add(Arrays.asList(r.get("id"), r.get("name"), r.get("n")));
        }
        return out;
    }

    /** What happened to each row: its count, or the SQLSTATE it failed with. */
    private record Outcome(List<Long> counts, Map<Integer, String> failed) {
        Outcome(long[] counts, Map<Integer, String> failed) {
            this(Arrays.stream(counts).boxed().toList(), failed);
        }
    }

    /** Runs the statement once per row through pgjdbc with autocommit on: the oracle. */
    private static Outcome oneByOne(String sql, List<List<Object>> rows) throws SQLException {
        long[] counts = new long[rows.size()];
        Map<Integer, String> failed = new TreeMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$(\\d)").matcher(sql);
        List<Integer> order = new ArrayList<>();
        while (m.find()) {
            order.add(Integer.parseInt(m.group(1)) - 1);
        }
        try (PreparedStatement ps = jdbc.prepareStatement(sql.replaceAll("\\$\\d", "?"))) {
            for (int i = 0; i < rows.size(); i++) {
                for (int v = 0; v < order.size(); v++) {
                    ps.setObject(v + 1, rows.get(i).get(order.get(v)));
                }
                try {
                    counts[i] = ps.executeUpdate();
                } catch (SQLException e) {
                    counts[i] = java.sql.Statement.EXECUTE_FAILED;
                    failed.put(i, e.getSQLState());
                }
            }
        }
        return new Outcome(counts, failed);
    }

    /** Runs the batch independently on an engine and reads the outcome from its counts or its exception. */
    private static Outcome independently(PostgresEngine on, String sql, List<List<Object>> rows) {
        CompletableFuture<long[]> f = on.executeBatch(sql, rows, BatchOptions.independent());
        try {
            return new Outcome(Await.result(f), Map.of());
        } catch (BatchPartiallyFailedException e) {
            Map<Integer, String> failed = new TreeMap<>();
            e.errors().forEach((row, error) -> failed.put(row, String.valueOf(error.sqlState())));
            assertThat(e.failedRows()).isEqualTo(failed.size()).isPositive();
            assertThat(e.sqlState())
                    .isEqualTo(e.errors().get(e.errors().firstKey()).sqlState());
            return new Outcome(e.counts(), failed);
        }
    }

    @Property(tries = 40)
    void rowsCommitOneByOneAsPgjdbcWithAutocommitRunsThem(
            @ForAll @Size(min = 1, max = 120) List<@IntRange(min = -15, max = 40) Integer> values,
            @ForAll @IntRange(min = 0, max = 3) int kind)
            throws SQLException {
        // duplicate ids (23505) and negative n (23514, the CHECK) come from the drawn values
        String sql = switch (kind) {
            case 0 -> "INSERT INTO %s VALUES ($1, $2, $3)"; // a plain insert: atomic batches rewrite it
            case 1 -> "INSERT INTO %s (n, id, name) VALUES ($3, $1, $2) ON CONFLICT DO NOTHING";
            case 2 -> "UPDATE %s SET n = $3, name = $2 WHERE id = $1";
            // several rows per row; earlier rows matter
            default -> "UPDATE %s SET n = n + $3, name = coalesce($2, name) WHERE id <= $1";
        };
        List<List<Object>> rows = new ArrayList<>();
        for (Integer v : values) {
            rows.add(Arrays.asList(Math.abs(v), v % 4 == 0 ? null : "name-" + v, (long) v));
        }
        List<String> tables = List.of("indep_ours", "indep_per_row", "indep_jdbc");
        for (String t : tables) {
            table(t);
            if (kind >= 2) {
                Await.result(
                        engine.execute("INSERT INTO " + t + " SELECT g, 'seed', 10 FROM generate_series(0, 40, 2) g"));
            }
        }

        Outcome ours = independently(engine, sql.formatted(tables.get(0)), rows);
        Outcome notRewriting = independently(perRow, sql.formatted(tables.get(1)), rows);
        Outcome theirs = oneByOne(sql.formatted(tables.get(2)), rows);

        assertThat(ours.counts()).isEqualTo(theirs.counts());
        assertThat(ours.failed()).isEqualTo(theirs.failed());
        assertThat(notRewriting.counts()).isEqualTo(theirs.counts());
        assertThat(notRewriting.failed()).isEqualTo(theirs.failed());
        assertThat(contents(tables.get(0))).isEqualTo(contents(tables.get(2))).isEqualTo(contents(tables.get(1)));
        assertThat(engine.poolStats().isIdle()).isTrue();
        assertThat(perRow.poolStats().isIdle()).isTrue();
    }

    @Property(tries = 1)
    void theExceptionCarriesEveryRowsCountAndEachFailedRowsMappedError() {
        table("indep_errors");
        List<List<Object>> rows = List.of(
                Arrays.asList(1, "a", 1L),
                Arrays.asList(2, "b", 2L),
                Arrays.asList(1, "again", 3L), // duplicate id
                Arrays.asList(4, "d", -4L), // CHECK (n >= 0)
                Arrays.asList(5, "e", 5L));

        Throwable failure = Await.failure(
                engine.executeBatch("INSERT INTO indep_errors VALUES ($1, $2, $3)", rows, BatchOptions.independent()));

        assertThat(failure).isInstanceOf(BatchPartiallyFailedException.class);
        BatchPartiallyFailedException e = (BatchPartiallyFailedException) failure;
        assertThat(e.counts()).containsExactly(1, 1, PostgresEngine.EXECUTE_FAILED, PostgresEngine.EXECUTE_FAILED, 1);
        assertThat(e.errors()).containsOnlyKeys(2, 3);
        assertThat(e.errors().get(2))
                .isInstanceOf(IntegrityViolationException.class)
                .hasMessageContaining("row 3 of 5 of the batch");
        assertThat(e.errors().get(2).sqlState()).isEqualTo("23505");
        assertThat(e.errors().get(2).constraint()).isEqualTo("indep_errors_pkey");
        assertThat(e.errors().get(3))
                .isInstanceOf(IntegrityViolationException.class)
                .hasMessageContaining("row 4 of 5");
        assertThat(e.errors().get(3).sqlState()).isEqualTo("23514");
        assertThat(e)
                .hasMessageStartingWith("2 of 5 rows of the batch failed (the others committed); the first, row 3: ")
                .hasCause(e.errors().get(2));
        assertThat(e.sqlState()).isEqualTo("23505");
        assertThat(contents("indep_errors"))
                .containsExactly(Arrays.asList(1, "a", 1L), Arrays.asList(2, "b", 2L), Arrays.asList(5, "e", 5L));

        // without a failure: the counts, as an atomic batch gives them (but never rewritten: exact)
        long[] counts = Await.result(engine.executeBatch(
                "INSERT INTO indep_errors VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                List.of(Arrays.asList(5, "e", 5L), Arrays.asList(6, "f", 6L)),
                BatchOptions.independent()));
        assertThat(counts).containsExactly(0, 1);
        assertThat(Await.result(engine.executeBatch(
                        "INSERT INTO indep_errors VALUES ($1)", List.of(), BatchOptions.independent())))
                .isEmpty();
        assertThat(engine.poolStats().isIdle()).isTrue();
    }

    @Property(tries = 1)
    void anErrorAtARowsOwnCommitBelongsToThatRow() {
        Await.result(engine.runDdl("DROP TABLE IF EXISTS indep_deferred"));
        Await.result(engine.runDdl("CREATE TABLE indep_deferred (id int, "
                + "CONSTRAINT indep_deferred_unique UNIQUE (id) DEFERRABLE INITIALLY DEFERRED)"));
        List<List<Object>> rows = List.of(List.of(1), List.of(2), List.of(1), List.of(3));

        BatchPartiallyFailedException e = (BatchPartiallyFailedException) Await.failure(
                engine.executeBatch("INSERT INTO indep_deferred VALUES ($1)", rows, BatchOptions.independent()));

        // the row's INSERT completed; its own commit failed, answered before the next row's ReadyForQuery
        assertThat(e.counts()).containsExactly(1, 1, PostgresEngine.EXECUTE_FAILED, 1);
        assertThat(e.errors()).containsOnlyKeys(2);
        assertThat(e.errors().get(2)).hasMessageContaining("row 3 of 4 of the batch, at its commit");
        assertThat(e.errors().get(2).sqlState()).isEqualTo("23505");
        assertThat(Await.result(engine.query("SELECT count(*) AS c FROM indep_deferred"))
                        .get(0)
                        .getLong("c"))
                .isEqualTo(3L);
    }

    @Property(tries = 1)
    void tenThousandRowsWithFailuresSprinkledRunInWindowsAndTheLogSaysTheMode() {
        table("indep_big");
        List<List<Object>> rows = new ArrayList<>();
        Map<Integer, String> expectedFailures = new TreeMap<>();
        for (int i = 0; i < 10_000; i++) {
            if (i % 97 == 96) {
                rows.add(Arrays.asList(i - 1, "dup", 1L)); // the row before's id
                expectedFailures.put(i, "23505");
            } else if (i % 331 == 0) {
                rows.add(Arrays.asList(i, "negative", -1L));
                expectedFailures.put(i, "23514");
            } else {
                rows.add(Arrays.asList(i, "row " + i, (long) i));
            }
        }

        BatchPartiallyFailedException e;
        try (LogCapture log = LogCapture.of(QUERY_LOG, Level.INFO)) {
            e = (BatchPartiallyFailedException) Await.failure(
                    engine.executeBatch("INSERT INTO indep_big VALUES ($1, $2, $3)", rows, BatchOptions.independent()));
            assertThat(log.messages())
                    .anyMatch(m -> m.endsWith("INSERT INTO indep_big VALUES ($1, $2, $3) [batch of 10000 rows, "
                            + "independent: one statement per row, each committing on its own]"));
        }

        Map<Integer, String> failed = new TreeMap<>();
        e.errors().forEach((row, error) -> failed.put(row, error.sqlState()));
        assertThat(failed).isEqualTo(expectedFailures);
        long[] counts = e.counts();
        for (int i = 0; i < counts.length; i++) {
            assertThat(counts[i])
                    .as("row %d", i)
                    .isEqualTo(expectedFailures.containsKey(i) ? PostgresEngine.EXECUTE_FAILED : 1);
        }
        assertThat(e).hasMessageStartingWith(expectedFailures.size() + " of 10000 rows of the batch failed");
        Row r = Await.result(engine.query("SELECT count(*) AS c, sum(id) AS s FROM indep_big"))
                .get(0);
        assertThat(r.getLong("c")).isEqualTo(10_000L - expectedFailures.size());
        long sum = 0;
        for (int i = 0; i < 10_000; i++) {
            sum += expectedFailures.containsKey(i) ? 0 : i;
        }
        assertThat(r.getLong("s")).isEqualTo(sum);
        assertThat(engine.poolStats().isIdle()).isTrue();
    }

    @Property(tries = 1)
    void cancellingWritesNoFurtherRowsCancelsTheRunningOneAndGivesTheConnectionBack() throws SQLException {
        table("indep_cancel");
        int blocked = 1_500;
        List<List<Object>> rows = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            rows.add(Arrays.asList(i, "x", (long) i));
        }
        int batchPid;
        try (Connection blocker = DriverManager.getConnection(
                "jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/" + pg.database(), pg.user(), pg.password())) {
            blocker.setAutoCommit(false);
            try (var st = blocker.createStatement()) {
                st.executeUpdate("INSERT INTO indep_cancel VALUES (" + blocked + ", 'blocker', 0)");
            }

            CompletableFuture<long[]> f = engine.executeBatch(
                    "INSERT INTO indep_cancel VALUES ($1, $2, $3)", rows, BatchOptions.independent());
            // row 1,501 waits for the blocker's uncommitted row with the same key
            String waiting = "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    + "AND query LIKE 'INSERT INTO indep_cancel%'";
            Await.until(
                    "the batch waits for the blocker",
                    () -> Await.result(engine.query(waiting)).size() == 1);
            batchPid = Await.result(engine.query(waiting)).get(0).getInt("pid");
            f.cancel(true);
            Await.until("the connection is back", () -> engine.poolStats().inUse() == 0);
            blocker.rollback();
        }

        List<Integer> ids = new ArrayList<>();
        for (List<Object> row : contents("indep_cancel")) {
            ids.add((Integer) row.get(0));
        }
        // a prefix of the batch ran: the rows written before the cancel, but for the one it cancelled
        assertThat(ids).hasSizeGreaterThan(blocked).doesNotContain(blocked);
        int end = ids.get(ids.size() - 1) + 1;
        assertThat(end).isLessThan(10_000);
        List<Integer> missing = new ArrayList<>();
        for (int id = 0; id < end; id++) {
            if (!ids.contains(id)) {
                missing.add(id);
            }
        }
        assertThat(missing).as("rows missing below the last written, %d", end).containsExactly(blocked);
        assertThat(engine.poolStats().isIdle()).isTrue();
        // the batch's connection was not closed: its session is still there (idle, or running this query)
        assertThat(Await.result(engine.query(
                        "SELECT pid = pg_backend_pid() OR state = 'idle' AS fine FROM pg_stat_activity "
                                + "WHERE pid = $1",
                        batchPid)))
                .extracting(r -> r.getBoolean("fine"))
                .containsExactly(true);
        assertThat(Await.result(engine.query("SELECT 1 AS one"))).hasSize(1);
    }

    @Property(tries = 1)
    void aLostConnectionFailsTheBatchAfterTheRowsBeforeItCommitted() throws SQLException {
        table("indep_lost");
        int blocked = 1_500;
        List<List<Object>> rows = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            rows.add(Arrays.asList(i, "x", (long) i));
        }
        try (Connection blocker = DriverManager.getConnection(
                "jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/" + pg.database(), pg.user(), pg.password())) {
            blocker.setAutoCommit(false);
            try (var st = blocker.createStatement()) {
                st.executeUpdate("INSERT INTO indep_lost VALUES (" + blocked + ", 'blocker', 0)");
            }
            CompletableFuture<long[]> f =
                    engine.executeBatch("INSERT INTO indep_lost VALUES ($1, $2, $3)", rows, BatchOptions.independent());
            String waiting = "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    + "AND query LIKE 'INSERT INTO indep_lost%'";
            Await.until(
                    "the batch waits for the blocker",
                    () -> Await.result(engine.query(waiting)).size() == 1);
            int pid = Await.result(engine.query(waiting)).get(0).getInt("pid");
            pg.admin("SELECT pg_terminate_backend(" + pid + ")");

            // the server's FATAL error reaches every row still waiting: the call fails with it, not row by row
            assertThat(Await.failure(f))
                    .isInstanceOf(ConnectionException.class)
                    .isNotInstanceOf(BatchPartiallyFailedException.class);
            blocker.rollback();
        }
        assertThat(Await.result(engine.query("SELECT count(*) AS c, max(id) AS m FROM indep_lost")))
                .extracting(r -> r.getLong("c"), r -> r.getLong("m"))
                .containsExactly(org.assertj.core.groups.Tuple.tuple((long) blocked, (long) blocked - 1));
        Await.until("the pool is idle", () -> engine.poolStats().isIdle());
        assertThat(Await.result(engine.executeBatch(
                        "INSERT INTO indep_lost VALUES ($1, $2, $3)",
                        List.of(Arrays.asList(blocked, "after", 1L)),
                        BatchOptions.independent())))
                .containsExactly(1);
    }

    @Property(tries = 1)
    void badRowsAreRefusedBeforeAConnectionIsBorrowed() {
        Map<String, Object> config = new java.util.HashMap<>(pg.config());
        config.put("port", 1);
        PostgresEngine nowhere = new PostgresEngine(config);
        try {
            assertThat(Await.failure(nowhere.executeBatch(
                            "INSERT INTO t VALUES ($1, $2)",
                            List.of(List.of(1, "a"), List.of(2)),
                            BatchOptions.independent())))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("row 2 of the batch has 1 value but the SQL expects 2");
            assertThat(Await.failure(nowhere.executeBatch(
                            "INSERT INTO t VALUES ($1)",
                            List.of(List.of(1), List.of(new Object())),
                            BatchOptions.independent())))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("row 2 of the batch: ");
            assertThat(Await.result(
                            nowhere.executeBatch("INSERT INTO t VALUES ($1)", List.of(), BatchOptions.independent())))
                    .isEmpty();
            @SuppressWarnings("NullAway") // a Java caller may pass null anyway
            CompletableFuture<long[]> noOptions = nowhere.executeBatch("INSERT INTO t VALUES ($1)", List.of(), null);
            assertThat(Await.failure(noOptions))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessage("options must not be null");
        } finally {
            Await.result(nowhere.close());
        }
    }

    @Property(tries = 1)
    void insideATransactionIndependentIsRefusedBeforeSendingAndAtomicWorks() {
        table("indep_tx");
        List<List<Object>> rows = List.of(Arrays.asList(1, "a", 1L), Arrays.asList(2, "b", 2L));

        Throwable refused = Await.failure(engine.transaction(tx -> tx.execute("INSERT INTO indep_tx VALUES (9, 'z', 9)")
                .thenCompose(n -> tx.executeBatch(
                        "INSERT INTO indep_tx VALUES ($1, $2, $3)", rows, BatchOptions.independent()))));
        assertThat(refused)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("BatchOptions.independent() cannot run inside a transaction");
        assertThat(contents("indep_tx")).isEmpty(); // the transaction rolled back

        long[] counts = Await.result(engine.transaction(
                tx -> tx.executeBatch("INSERT INTO indep_tx VALUES ($1, $2, $3)", rows, BatchOptions.atomic())));
        assertThat(counts).containsExactly(1, 1);
        assertThat(Await.failure(engine.executeBatch(
                        "INSERT INTO indep_tx VALUES ($1, $2, $3)",
                        List.of(Arrays.asList(3, "c", 3L), Arrays.asList(3, "c", 3L)),
                        BatchOptions.atomic())))
                .isInstanceOf(IntegrityViolationException.class); // all or nothing, as without options
        assertThat(contents("indep_tx")).hasSize(2);
        assertThat(engine.poolStats().isIdle()).isTrue();
    }
}
