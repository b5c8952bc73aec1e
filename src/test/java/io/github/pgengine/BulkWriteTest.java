package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.LogCapture;
import io.github.pgengine.testing.TestPostgres;
import java.math.BigDecimal;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.jspecify.annotations.Nullable;

/**
 * executeBatch: counts and table contents against pgjdbc's executeBatch with and without reWriteBatchedInserts
 * (differential), plain inserts rewritten into multi-row inserts for any spelling and nothing else rewritten, the
 * parameter limit, SUCCESS_NO_INFO, all or nothing, 100,000 rows, inside transactions, cancellation without a lost
 * connection, bad rows named before anything is sent.
 */
class BulkWriteTest {
    private static final String QUERY_LOG = "io.github.pgengine.query";

    private static TestPostgres pg;
    /** Rewrites plain inserts (the default) and logs its statements. */
    private static PostgresEngine engine;
    /** Runs every statement once per row. */
    private static PostgresEngine perRow;

    private static Connection jdbc;
    private static Connection jdbcRewriting;

    @BeforeContainer
    static void setUp() throws SQLException {
        pg = TestPostgres.get();
        engine = PostgresEngine.builder().config(pg.config()).logQueries(true).build();
        perRow = PostgresEngine.builder()
                .config(pg.config())
                .logQueries(true)
                .rewriteBatchedInserts(false)
                .build();
        Await.result(engine.startConnectionPool(PoolOptions.builder().maxSize(2).build()));
        Await.result(perRow.startConnectionPool(PoolOptions.builder().maxSize(1).build()));
        Properties p = new Properties();
        p.setProperty("user", pg.user());
        p.setProperty("password", pg.password());
        String url = "jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/" + pg.database();
        jdbc = DriverManager.getConnection(url, p);
        p.setProperty("reWriteBatchedInserts", "true");
        jdbcRewriting = DriverManager.getConnection(url, p);
    }

    @AfterContainer
    static void tearDown() throws SQLException {
        jdbc.close();
        jdbcRewriting.close();
        Await.result(engine.close());
        Await.result(perRow.close());
    }

    /** Runs a batch on an engine and returns how the query log says its rows were sent. */
    private static String sentAs(PostgresEngine on, String sql, List<? extends List<?>> rows) {
        try (LogCapture log = LogCapture.of(QUERY_LOG, Level.INFO)) {
            Await.result(on.executeBatch(sql, rows));
            List<String> lines = log.messages().stream()
                    .filter(m -> m.contains("[batch of "))
                    .toList();
            assertThat(lines).hasSize(1);
            return lines.get(0).substring(lines.get(0).indexOf("[batch of "));
        }
    }

    private static void table(String name) {
        Await.result(engine.runDdl("DROP TABLE IF EXISTS " + name));
        Await.result(engine.runDdl("CREATE TABLE " + name + " (id int PRIMARY KEY, name text, n bigint)"));
    }

    private static List<List<Object>> contents(String name) {
        List<List<Object>> out = new ArrayList<>();
        for (Row r : Await.result(engine.query("SELECT id, name, n FROM " + name + " ORDER BY id"))) {
            out.add(Arrays.asList(r.get("id"), r.get("name"), r.get("n")));
        }
        return out;
    }

    /** Runs a batch through pgjdbc: each $n becomes ?, bound in the order the placeholders appear. */
    private static int[] pgjdbcBatch(Connection on, String text, List<List<Object>> rows) throws SQLException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$(\\d)").matcher(text);
        List<Integer> order = new ArrayList<>();
        while (m.find()) {
            order.add(Integer.parseInt(m.group(1)) - 1);
        }
        try (PreparedStatement ps = on.prepareStatement(text.replaceAll("\\$\\d", "?"))) {
            for (List<Object> r : rows) {
                for (int i = 0; i < order.size(); i++) {
                    ps.setObject(i + 1, r.get(order.get(i)));
                }
                ps.addBatch();
            }
            return ps.executeBatch();
        }
    }

    /** Returns the SQLSTATE a call failed with, or null when it succeeded. */
    private static @Nullable String failure(ThrowingSupplier call) {
        try {
            call.get();
            return null;
        } catch (BatchUpdateException e) {
            return e.getNextException() != null ? e.getNextException().getSQLState() : e.getSQLState();
        } catch (SQLException e) {
            return e.getSQLState();
        } catch (EngineException e) {
            return e.sqlState();
        }
    }

    private interface ThrowingSupplier {
        void get() throws SQLException;
    }

    @Property(tries = 40)
    void countsAndContentsEqualPgjdbcs(
            @ForAll @Size(min = 1, max = 300) List<@IntRange(min = 0, max = 400) Integer> ids,
            @ForAll @IntRange(min = 0, max = 4) int kind)
            throws SQLException {
        String sql = switch (kind) {
            case 0 -> "INSERT INTO %s VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
            case 1 -> "INSERT INTO %s VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET n = %s.n + 1";
            case 2, 4 -> "INSERT INTO %s (n, id, name) VALUES ($3, $1 + 1000, $2)";
            default -> "UPDATE %s SET n = n + $3, name = $2 WHERE id <= $1";
        };
        List<List<Object>> rows = new ArrayList<>();
        // kind 2 inserts distinct ids; kind 4 the ids as drawn, so a repeated one fails the batch everywhere
        for (Integer id : kind == 2 ? new java.util.LinkedHashSet<>(ids) : ids) {
            rows.add(Arrays.asList(id, id % 3 == 0 ? null : "name-" + id, (long) id * 7));
        }
        List<String> tables = List.of("bulk_ours", "bulk_per_row", "bulk_jdbc", "bulk_jdbc_rw");
        for (String t : tables) {
            table(t);
            Await.result(engine.execute("INSERT INTO " + t + " SELECT g, 'seed', 0 FROM generate_series(0, 400, 4) g"));
        }

        long[][] ours = new long[1][];
        long[][] exact = new long[1][];
        int[][] theirs = new int[1][];
        int[][] theirsRewritten = new int[1][];
        String oursFailed = failure(() ->
                ours[0] = Await.result(engine.executeBatch(sql.formatted(tables.get(0), tables.get(0)), rows)));
        String exactFailed = failure(() ->
                exact[0] = Await.result(perRow.executeBatch(sql.formatted(tables.get(1), tables.get(1)), rows)));
        String theirsFailed =
                failure(() -> theirs[0] = pgjdbcBatch(jdbc, sql.formatted(tables.get(2), tables.get(2)), rows));
        String theirsRewrittenFailed = failure(() ->
                theirsRewritten[0] = pgjdbcBatch(jdbcRewriting, sql.formatted(tables.get(3), tables.get(3)), rows));
        if (!jdbc.getAutoCommit()) {
            jdbc.rollback();
        }

        // the same outcome everywhere (a duplicate id fails the plain insert, 23505, on all four) but for pgjdbc's
        // rewrite of ON CONFLICT DO UPDATE: two rows with one id in one multi-row statement fail it (21000,
        // "cannot affect row a second time"), which is why pgengine runs DO UPDATE once per row
        boolean theirRewriteChangedTheOutcome = kind == 1 && "21000".equals(theirsRewrittenFailed);
        assertThat(oursFailed).isEqualTo(exactFailed).isEqualTo(theirsFailed);
        assertThat(contents(tables.get(0))).isEqualTo(contents(tables.get(1))).isEqualTo(contents(tables.get(2)));
        if (!theirRewriteChangedTheOutcome) {
            assertThat(theirsRewrittenFailed).isEqualTo(oursFailed);
            assertThat(contents(tables.get(3))).isEqualTo(contents(tables.get(0)));
        }
        if (oursFailed == null) {
            long[] plain = Arrays.stream(theirs[0]).asLongStream().toArray();
            assertThat(exact[0]).containsExactly(plain);
            assertThat(ours[0]).hasSameSizeAs(plain);
            for (int i = 0; i < plain.length; i++) {
                // a row of a multi-row insert: 1 when its statement wrote one row per row, else SUCCESS_NO_INFO
                assertThat(ours[0][i]).as("row %d", i + 1).isIn(plain[i], PostgresEngine.SUCCESS_NO_INFO);
                if (!theirRewriteChangedTheOutcome) {
                    assertThat((long) theirsRewritten[0][i]).isIn(plain[i], (long) java.sql.Statement.SUCCESS_NO_INFO);
                }
            }
            if (kind == 2 || Arrays.stream(plain).allMatch(c -> c == 1)) {
                assertThat(ours[0]).containsOnly(1L);
            }
            if (kind == 1 || kind == 3) { // not plain inserts: once per row, exact counts
                assertThat(ours[0]).containsExactly(plain);
            }
        }
        assertThat(engine.poolStats().inUse()).isZero();
        assertThat(perRow.poolStats().inUse()).isZero();
    }

    @Property(tries = 1)
    void aHundredThousandRowsInOneCall() {
        Await.result(engine.runDdl("DROP TABLE IF EXISTS bulk_big"));
        Await.result(engine.runDdl(
                "CREATE TABLE bulk_big (id int PRIMARY KEY, name text, amount numeric, at timestamptz, tags text[])"));
        List<List<Object>> rows = new ArrayList<>();
        OffsetDateTime t0 = OffsetDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
        for (int i = 0; i < 100_000; i++) {
            rows.add(List.of(i, "name " + i, new BigDecimal(i).movePointLeft(2), t0.plusSeconds(i), List.of("t" + i)));
        }

        long[] counts;
        try (LogCapture log = LogCapture.of(QUERY_LOG, Level.INFO)) {
            counts = Await.result(engine.executeBatch("INSERT INTO bulk_big VALUES ($1, $2, $3, $4, $5)", rows));

            assertThat(log.messages())
                    .anyMatch(m -> m.endsWith("INSERT INTO bulk_big VALUES ($1, $2, $3, $4, $5) [batch of 100000 rows "
                            + "sent as 782 multi-row INSERTs: 781 of 128, 1 of 32 rows]"));
        }

        assertThat(counts).hasSize(100_000).containsOnly(1L);
        Row r = Await.result(engine.query(
                        "SELECT count(*) AS c, sum(id) AS s, sum(amount) AS a, max(at) AS m, max(tags[1]) AS t "
                                + "FROM bulk_big"))
                .get(0);
        assertThat(r.getLong("c")).isEqualTo(100_000L);
        assertThat(r.getLong("s")).isEqualTo(99_999L * 100_000L / 2);
        assertThat(r.getBigDecimal("a")).isEqualByComparingTo(new BigDecimal(99_999L * 100_000L / 2).movePointLeft(2));
        assertThat(r.get("m")).isEqualTo(t0.plusSeconds(99_999).toInstant().atOffset(ZoneOffset.UTC));
        assertThat(r.getString("t")).isEqualTo("t99999");
        Await.result(engine.runDdl("DROP TABLE bulk_big"));
    }

    @Property(tries = 1)
    void aFailingRowLeavesNoneAppliedAndIsNamedOrItsMultiRowInsertIs() {
        table("bulk_atomic");
        List<List<Object>> rows = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            rows.add(Arrays.asList(i == 98 ? 7 : i, "x", 1L)); // row 99 repeats id 7
        }
        String sql = "INSERT INTO bulk_atomic VALUES ($1, $2, $3)";

        Throwable exact = Await.failure(perRow.executeBatch(sql, rows));
        assertThat(exact).isInstanceOf(IntegrityViolationException.class).hasMessageContaining("row 99 of 100");
        // 100 rows go as 64 + 32 + 4: row 99 is in the third insert
        Throwable chunked = Await.failure(engine.executeBatch(sql, rows));
        assertThat(chunked)
                .isInstanceOf(IntegrityViolationException.class)
                .hasMessageContaining("rows 97 to 100 of 100 of the batch, sent as one multi-row INSERT");
        assertThat(((EngineException) chunked).sqlState()).isEqualTo("23505");

        assertThat(contents("bulk_atomic")).isEmpty();
        assertThat(engine.poolStats().inUse()).isZero();
        assertThat(Await.result(engine.query("SELECT 1 AS one"))).hasSize(1);
    }

    @Property(tries = 1)
    void typesMayDifferFromRowToRowAndReturnedRowsAreSkipped() {
        table("bulk_types");
        List<List<Object>> rows = List.of(
                Arrays.asList(1, "a", 1),
                Arrays.asList(2L, null, 2L),
                Arrays.asList((short) 3, "c", null),
                Arrays.asList(4, "d", new BigDecimal("4")));
        long[] counts = Await.result(
                engine.executeBatch("INSERT INTO bulk_types VALUES ($1, $2, $3) RETURNING id, name", rows));

        assertThat(counts).containsExactly(1, 1, 1, 1);
        assertThat(contents("bulk_types"))
                .containsExactly(
                        Arrays.asList(1, "a", 1L),
                        Arrays.asList(2, null, 2L),
                        Arrays.asList(3, "c", null),
                        Arrays.asList(4, "d", 4L));
    }

    @Property(tries = 1)
    void insideATransactionTheBatchIsOneStep() {
        table("bulk_tx");
        List<List<Object>> rows = List.of(Arrays.asList(1, "a", 1L), Arrays.asList(2, "b", 2L));

        Await.result(engine.transaction(tx ->
                tx.executeBatch("INSERT INTO bulk_tx VALUES ($1, $2, $3)", rows).thenCompose(c -> tx.rollback())));
        assertThat(contents("bulk_tx")).isEmpty();

        long[] counts = Await.result(
                engine.transaction(tx -> tx.executeBatch("INSERT INTO bulk_tx VALUES ($1, $2, $3)", rows)));
        assertThat(counts).containsExactly(1, 1);
        assertThat(contents("bulk_tx")).hasSize(2);

        Throwable failed = Await.failure(engine.transaction(tx -> tx.execute("INSERT INTO bulk_tx VALUES (9, 'z', 9)")
                .thenCompose(n -> tx.executeBatch("INSERT INTO bulk_tx VALUES ($1, $2, $3)", rows))));
        assertThat(failed)
                .isInstanceOf(IntegrityViolationException.class)
                .hasMessageContaining("rows 1 to 2 of 2 of the batch");
        assertThat(contents("bulk_tx")).hasSize(2);
        List<List<Object>> many = new ArrayList<>();
        for (int i = 10; i < 1_010; i++) {
            many.add(Arrays.asList(i, "m", (long) i));
        }
        long[] inTx = Await.result(engine.transaction(tx -> tx.execute("DELETE FROM bulk_tx WHERE id = 1")
                .thenCompose(n -> tx.executeBatch("INSERT INTO bulk_tx VALUES ($1, $2, $3)", many))));
        assertThat(inTx).hasSize(1_000).containsOnly(1L);
        assertThat(contents("bulk_tx")).hasSize(1_001);
        assertThat(engine.poolStats().inUse()).isZero();
    }

    private static final String[] SPACES = {
        " ",
        "\n",
        "\r\n",
        "\t ",
        "\r",
        " /* VALUES ( */ ",
        " /* nested /* ) */ VALUES ( */ ",
        " -- VALUES ( $9\n",
        " -- ) VALUES\r"
    };
    private static final String[] TABLES = {
        "spell", "\"spell\"", "public.spell", "\"spell VALUES (\"", "public.\"spell VALUES (\""
    };
    private static final String[] COLUMNS = {"id", "a", "b", "c"};
    private static final String[][] EXPRESSIONS = {
        {"$1", "$1::int", "($1 + 0)", "CAST($1 AS int)", "$1::text::int", "(($1))"},
        {
            "$2",
            "lower($2)",
            "$2 || E'\\' VALUES ) '",
            "$2 || $$) VALUES ($1$$",
            "$2 || $t$ ) $t$",
            "coalesce($2, 'x)')",
            "$2 || U&'\\0041)'",
            "$2 /* ) */"
        },
        {"$3", "$3::int + 1", "(SELECT $3::int)", "abs($3::int)", "$3 * 2"},
        {"DEFAULT", "'VALUES (1)'", "upper($2)", "$2 || '\"'", "NULL", "DEFAULT"}
    };
    private static final String[] ENDINGS = {
        "",
        ";",
        " ;",
        " -- end",
        " /* ) */",
        " ON CONFLICT DO NOTHING",
        " on conflict (id) do nothing;",
        "\nON CONFLICT ON CONSTRAINT spell_pkey DO NOTHING"
    };

    private static String pick(Random random, String[] choices) {
        return choices[random.nextInt(choices.length)];
    }

    private static String keyword(Random random, String word) {
        return switch (random.nextInt(3)) {
            case 0 -> word.toLowerCase(Locale.ROOT);
            case 1 -> word.toUpperCase(Locale.ROOT);
            default -> word.charAt(0) + word.substring(1).toLowerCase(Locale.ROOT);
        };
    }

    /** A random spelling of a single-row insert into spell(id, a, b, c) whose values are $1 (id), $2 (text), $3. */
    private static String insertSpelling(Random random, String table) {
        List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3));
        boolean listed = random.nextBoolean();
        if (listed) {
            java.util.Collections.shuffle(order, random);
        }
        StringBuilder sql = new StringBuilder();
        sql.append(keyword(random, "INSERT")).append(pick(random, SPACES)).append(keyword(random, "INTO"));
        sql.append(pick(random, SPACES)).append(table).append(pick(random, SPACES));
        if (listed) {
            sql.append('(');
            for (int i = 0; i < order.size(); i++) {
                String column = COLUMNS[order.get(i)];
                sql.append(i == 0 ? "" : ",").append(random.nextBoolean() ? column : "\"" + column + "\"");
            }
            sql.append(')').append(pick(random, SPACES));
        }
        sql.append(keyword(random, "VALUES"))
                .append(random.nextBoolean() ? "" : pick(random, SPACES))
                .append('(');
        for (int i = 0; i < order.size(); i++) {
            sql.append(i == 0 ? "" : "," + pick(random, SPACES)).append(pick(random, EXPRESSIONS[order.get(i)]));
        }
        String ending = pick(random, ENDINGS);
        if (table.contains("VALUES")) {
            ending = ending.replace("spell_pkey", "\"spell VALUES (_pkey\"");
        }
        return sql.append(random.nextBoolean() ? "" : "\n")
                .append(')')
                .append(ending)
                .toString();
    }

    private static List<List<Object>> spellContents(String table) {
        List<List<Object>> out = new ArrayList<>();
        for (Row r : Await.result(engine.query("SELECT id, a, b, c FROM " + table + " ORDER BY id"))) {
            out.add(Arrays.asList(r.get("id"), r.get("a"), r.get("b"), r.get("c")));
        }
        return out;
    }

    @Property(tries = 60)
    void anyInsertSpellingIsRewrittenAndWritesWhatItWouldRowByRow(
            @ForAll long seed, @ForAll @IntRange(min = 1, max = 300) int rowCount) {
        Random random = new Random(seed);
        String table = pick(random, TABLES);
        String sql = insertSpelling(random, table);
        List<List<Object>> rows = new ArrayList<>();
        for (int i = 0; i < rowCount; i++) {
            String text = random.nextInt(5) == 0
                    ? null
                    : List.of("x", "it's", "a ) b", "VALUES (", "\"q\"", "$1", "ü€")
                                    .get(random.nextInt(7))
                            + i;
            Integer n = random.nextInt(5) == 0 ? null : random.nextInt(2000) - 1000;
            rows.add(Arrays.asList(i, text, n));
        }
        String plain = table.contains("VALUES") ? "\"spell VALUES (\"" : "spell";
        for (String t : List.of("spell", "\"spell VALUES (\"")) {
            Await.result(engine.runDdl(
                    "CREATE TABLE IF NOT EXISTS " + t + " (id int PRIMARY KEY, a text, b int, c text DEFAULT 'dflt')"));
            Await.result(engine.runDdl("TRUNCATE " + t));
        }

        String rewritten = sentAs(engine, sql, rows);
        List<List<Object>> fromMultiRow = spellContents(plain);
        Await.result(engine.runDdl("TRUNCATE " + plain));
        String rowByRow = sentAs(perRow, sql, rows);
        List<List<Object>> fromRows = spellContents(plain);

        assertThat(rewritten).as(sql).contains(rowCount == 1 ? "one statement per row" : "multi-row INSERT");
        assertThat(rowByRow).endsWith("one statement per row]");
        assertThat(fromMultiRow).as(sql).hasSize(rowCount).isEqualTo(fromRows);
    }

    @Property(tries = 1)
    void otherStatementsRunOncePerRow() {
        Await.result(engine.runDdl("DROP TABLE IF EXISTS neg"));
        Await.result(engine.runDdl("CREATE TABLE neg (id int PRIMARY KEY, n int DEFAULT 0)"));
        Await.result(engine.runDdl("DROP SEQUENCE IF EXISTS neg_ids"));
        Await.result(engine.runDdl("CREATE SEQUENCE neg_ids START 100000"));
        String perRowLog = "[batch of 3 rows, one statement per row]";
        List<String> statements = List.of(
                "INSERT INTO neg VALUES ($1, $2) RETURNING id",
                "INSERT INTO neg SELECT $1, $2",
                "WITH v AS (SELECT $1::int AS id, $2::int AS n) INSERT INTO neg SELECT * FROM v",
                "INSERT INTO neg VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET n = excluded.n",
                "INSERT INTO neg SELECT * FROM (VALUES ($1::int, $2::int)) v",
                "INSERT INTO neg VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING id",
                "INSERT INTO neg (VALUES ($1::int, $2::int))");
        int base = 0;
        for (String sql : statements) {
            List<List<Object>> rows = List.of(List.of(base + 1, 1), List.of(base + 2, 2), List.of(base + 3, 3));
            assertThat(sentAs(engine, sql, rows)).as(sql).isEqualTo(perRowLog);
            base += 10;
        }
        List<List<Object>> two = List.of(List.of(500, 1), List.of(600, 2), List.of(700, 3));
        assertThat(sentAs(engine, "INSERT INTO neg VALUES ($1, 0), ($1 + 1, $2)", two))
                .isEqualTo(perRowLog);
        Await.result(engine.runDdl("DROP TABLE IF EXISTS neg_d"));
        Await.result(engine.runDdl("CREATE TABLE neg_d (id serial, n int DEFAULT 0)"));
        assertThat(sentAs(engine, "INSERT INTO neg_d DEFAULT VALUES", List.of(List.of(), List.of(), List.of())))
                .isEqualTo(perRowLog);
        assertThat(sentAs(
                        engine,
                        "INSERT INTO neg (id) VALUES (nextval('neg_ids'))",
                        List.of(List.of(), List.of(), List.of())))
                .isEqualTo(perRowLog); // no values to spread over rows
        assertThat(Await.failure(engine.executeBatch(
                        "INSERT INTO neg VALUES ($1, 1); INSERT INTO neg VALUES ($1 + 1, 1)", List.of(List.of(900)))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 statements");
        assertThat(Await.result(engine.query("SELECT count(*) AS c FROM neg"))
                        .get(0)
                        .getLong("c"))
                .isEqualTo(7 * 3 + 6 + 3);
    }

    private static String arrayInsert(int width) {
        StringBuilder sql = new StringBuilder("INSERT INTO wide VALUES ($1, ARRAY[");
        for (int i = 2; i <= width; i++) {
            sql.append(i == 2 ? "" : ",").append('$').append(i);
        }
        return sql.append("])").toString();
    }

    @Property(tries = 1)
    void multiRowInsertsStayWithinTheProtocolsParameterLimit() {
        Await.result(engine.runDdl("DROP TABLE IF EXISTS wide"));
        Await.result(engine.runDdl("CREATE TABLE wide (id int, s int[])"));
        record Case(int width, int rows, String sentAs) {}
        List<Case> cases = List.of(
                new Case(1_000, 130, "[batch of 130 rows sent as 3 multi-row INSERTs: 2 of 64, 1 of 2 rows]"),
                new Case(32_767, 3, "[batch of 3 rows sent as 2 multi-row INSERTs: 1 of 2, 1 of 1 rows]"),
                new Case(32_768, 2, "[batch of 2 rows, one statement per row]"),
                new Case(65_535, 1, "[batch of 1 row, one statement per row]"));
        int id = 0;
        long expectedSum = 0;
        for (Case c : cases) {
            List<List<Object>> rows = new ArrayList<>();
            for (int r = 0; r < c.rows(); r++) {
                List<Object> row = new ArrayList<>(c.width());
                row.add(id++);
                for (int v = 1; v < c.width(); v++) {
                    row.add(v % 7);
                    expectedSum += v % 7;
                }
                rows.add(row);
            }
            assertThat(sentAs(engine, arrayInsert(c.width()), rows)).isEqualTo(c.sentAs());
        }
        Row r = Await.result(engine.query("SELECT count(*) AS c, sum((SELECT sum(x) FROM unnest(s) x)) AS s FROM wide"))
                .get(0);
        assertThat(r.getLong("c")).isEqualTo(id);
        assertThat(r.getLong("s")).isEqualTo(expectedSum);
        Await.result(engine.runDdl("DROP TABLE wide"));
    }

    @Property(tries = 10)
    void rowsOfOneInsertMayCarryDifferentJavaTypesPerColumn(@ForAll long seed) {
        Random random = new Random(seed);
        Await.result(engine.runDdl("DROP TABLE IF EXISTS mixed"));
        Await.result(engine.runDdl("CREATE TABLE mixed (id bigint, x numeric, t text, d timestamptz)"));
        List<List<Object>> rows = new ArrayList<>();
        OffsetDateTime t0 = OffsetDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
        for (int i = 0; i < 200; i++) {
            Object id = switch (random.nextInt(4)) {
                case 0 -> i;
                case 1 -> (long) i;
                case 2 -> (short) i;
                default -> new BigDecimal(i);
            };
            Object x = switch (random.nextInt(5)) {
                case 0 -> i;
                case 1 -> i / 4.0;
                case 2 -> new BigDecimal(i).movePointLeft(3);
                case 3 -> null;
                default -> String.valueOf(i * 3);
            };
            Object t = switch (random.nextInt(3)) {
                case 0 -> "t" + i;
                case 1 -> null;
                default -> i;
            };
            Object d = random.nextBoolean() ? t0.plusMinutes(i) : null;
            rows.add(Arrays.asList(id, x, t, d));
        }
        String sql = "INSERT INTO mixed VALUES ($1, $2, $3, $4)";
        assertThat(sentAs(engine, sql, rows)).contains("multi-row INSERT");
        List<String> fromMultiRow = Await.result(engine.query("SELECT * FROM mixed ORDER BY id")).stream()
                .map(Row::toString)
                .toList();
        Await.result(engine.runDdl("TRUNCATE mixed"));
        Await.result(perRow.executeBatch(sql, rows));
        List<String> fromRows = Await.result(engine.query("SELECT * FROM mixed ORDER BY id")).stream()
                .map(Row::toString)
                .toList();

        assertThat(fromMultiRow).hasSize(200).isEqualTo(fromRows);
    }

    @Property(tries = 1)
    void rowsOfAMultiRowInsertThatDidNotAllWriteARowCountSuccessNoInfo() {
        Await.result(engine.runDdl("DROP TABLE IF EXISTS trig"));
        Await.result(engine.runDdl("CREATE TABLE trig (id int PRIMARY KEY, n int)"));
        Await.result(engine.runDdl("CREATE OR REPLACE FUNCTION trig_skip() RETURNS trigger LANGUAGE plpgsql AS "
                + "$$BEGIN IF NEW.n < 0 THEN RETURN NULL; END IF; RETURN NEW; END$$"));
        Await.result(engine.runDdl(
                "CREATE TRIGGER trig_skip BEFORE INSERT ON trig FOR EACH ROW EXECUTE FUNCTION trig_skip()"));
        List<List<Object>> rows = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            rows.add(List.of(i, i == 3 ? -1 : i)); // the trigger drops row 3
        }
        String sql = "INSERT INTO trig VALUES ($1, $2)";

        long[] chunked = Await.result(engine.executeBatch(sql, rows)); // 8 + 2 rows
        List<List<Object>> afterChunked = contents2("trig");
        Await.result(engine.runDdl("TRUNCATE trig"));
        long[] exact = Await.result(perRow.executeBatch(sql, rows));

        long noInfo = PostgresEngine.SUCCESS_NO_INFO;
        assertThat(noInfo).isEqualTo(java.sql.Statement.SUCCESS_NO_INFO);
        assertThat(chunked).containsExactly(noInfo, noInfo, noInfo, noInfo, noInfo, noInfo, noInfo, noInfo, 1, 1);
        assertThat(exact).containsExactly(1, 1, 0, 1, 1, 1, 1, 1, 1, 1);
        assertThat(afterChunked).hasSize(9).isEqualTo(contents2("trig"));
    }

    private static List<List<Object>> contents2(String table) {
        List<List<Object>> out = new ArrayList<>();
        for (Row r : Await.result(engine.query("SELECT id, n FROM " + table + " ORDER BY id"))) {
            out.add(Arrays.asList(r.get("id"), r.get("n")));
        }
        return out;
    }

    @Property(tries = 1)
    void theRewriteIsSwitchedOffByTheBuilderTheConfigurationKeyOrTheUrl() {
        table("bulk_switch");
        String sql = "INSERT INTO bulk_switch VALUES ($1, $2, $3)";
        Map<String, Object> off = new HashMap<>(pg.config());
        off.put("rewrite_batched_inserts", false);
        PostgresEngine byKey =
                PostgresEngine.builder().config(off).logQueries(true).build();
        PostgresEngine builderWins = PostgresEngine.builder()
                .config(off)
                .logQueries(true)
                .rewriteBatchedInserts(true)
                .build();
        try {
            assertThat(engine.rewriteBatchedInserts()).isTrue();
            assertThat(perRow.rewriteBatchedInserts()).isFalse();
            assertThat(byKey.rewriteBatchedInserts()).isFalse();
            assertThat(builderWins.rewriteBatchedInserts()).isTrue();
            assertThat(new PostgresEngine(off).rewriteBatchedInserts()).isFalse();

            assertThat(sentAs(byKey, sql, List.of(Arrays.asList(1, "a", 1L), Arrays.asList(2, "b", 2L))))
                    .isEqualTo("[batch of 2 rows, one statement per row]");
            assertThat(sentAs(builderWins, sql, List.of(Arrays.asList(3, "c", 3L), Arrays.asList(4, "d", 4L))))
                    .isEqualTo("[batch of 2 rows sent as 1 multi-row INSERT: 1 of 2 rows]");
            assertThat(contents("bulk_switch")).hasSize(4);
        } finally {
            Await.result(byKey.close());
            Await.result(builderWins.close());
        }
    }

    @Property(tries = 5)
    void aCancelledBatchIsAllOrNothingAndGivesItsConnectionBack(@ForAll @IntRange(min = 0, max = 40) int delayMs) {
        table("bulk_cancel");
        List<List<Object>> rows = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            rows.add(Arrays.asList(i, "x", (long) i));
        }
        CompletableFuture<long[]> f = engine.executeBatch("INSERT INTO bulk_cancel VALUES ($1, $2, $3)", rows);
        long until = System.nanoTime() + delayMs * 1_000_000L;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        f.cancel(true);

        Await.until("the connection is back", () -> engine.poolStats().inUse() == 0);
        long n = Await.result(engine.query("SELECT count(*) AS c FROM bulk_cancel"))
                .get(0)
                .getLong("c");
        assertThat(n).isIn(0L, 20_000L);
    }

    @Property(tries = 1)
    void badRowsAreNamedBeforeAnythingIsSentAndAnEmptyBatchSendsNothing() {
        Map<String, Object> config = new HashMap<>(pg.config());
        config.put("port", 1);
        PostgresEngine nowhere = new PostgresEngine(config);
        try {
            assertThat(Await.failure(nowhere.executeBatch(
                            "INSERT INTO t VALUES ($1, $2)", List.of(List.of(1, "a"), List.of(2)))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("row 2 of the batch has 1 value but the SQL expects 2");
            assertThat(Await.failure(nowhere.executeBatch(
                            "INSERT INTO t VALUES ($1)", List.of(List.of(1), List.of(new Object())))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("row 2 of the batch: ");
            assertThat(Await.result(nowhere.executeBatch("INSERT INTO t VALUES ($1)", List.of())))
                    .isEmpty();
            assertThat(Await.failure(nowhere.executeBatch("COPY t FROM STDIN", List.of())))
                    .isInstanceOf(IllegalArgumentException.class);
        } finally {
            Await.result(nowhere.close());
        }
    }
}
