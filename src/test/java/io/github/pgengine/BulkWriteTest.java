package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.TestPostgres;
import java.math.BigDecimal;
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
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * executeBatch: per-row counts equal to pgjdbc's executeBatch on the same rows (differential), all or nothing, one
 * round trip for 100,000 rows, inside transactions, cancellation without a lost connection, bad rows named before
 * anything is sent.
 */
class BulkWriteTest {
    private static TestPostgres pg;
    private static PostgresEngine engine;
    private static Connection jdbc;

    @BeforeContainer
    static void setUp() throws SQLException {
        pg = TestPostgres.get();
        engine = new PostgresEngine(pg.config());
        Await.result(engine.startConnectionPool(PoolOptions.builder().maxSize(2).build()));
        Properties p = new Properties();
        p.setProperty("user", pg.user());
        p.setProperty("password", pg.password());
        jdbc = DriverManager.getConnection("jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/" + pg.database(), p);
    }

    @AfterContainer
    static void tearDown() throws SQLException {
        jdbc.close();
        Await.result(engine.close());
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

    @Property(tries = 40)
    void countsAndContentsEqualPgjdbcs(
            @ForAll @Size(min = 1, max = 60) List<@IntRange(min = 0, max = 30) Integer> ids,
            @ForAll @IntRange(min = 0, max = 2) int kind)
            throws SQLException {
        String sql = switch (kind) {
            case 0 -> "INSERT INTO %s VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
            case 1 -> "INSERT INTO %s VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET n = %s.n + 1";
            default -> "UPDATE %s SET n = n + $3, name = $2 WHERE id <= $1";
        };
        List<List<Object>> rows = new ArrayList<>();
        for (Integer id : ids) {
            rows.add(Arrays.asList(id, id % 3 == 0 ? null : "name-" + id, (long) id * 7));
        }
        table("bulk_a");
        table("bulk_b");
        for (String t : List.of("bulk_a", "bulk_b")) {
            Await.result(engine.execute("INSERT INTO " + t + " SELECT g, 'seed', 0 FROM generate_series(0, 30, 4) g"));
        }

        long[] ours = Await.result(engine.executeBatch(sql.formatted("bulk_a", "bulk_a"), rows));
        int[] theirs;
        // the same statement for pgjdbc: each $n becomes ?, bound in the order the placeholders appear
        String text = sql.formatted("bulk_b", "bulk_b");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$(\\d)").matcher(text);
        List<Integer> order = new ArrayList<>();
        while (m.find()) {
            order.add(Integer.parseInt(m.group(1)) - 1);
        }
        try (PreparedStatement ps = jdbc.prepareStatement(text.replaceAll("\\$\\d", "?"))) {
            for (List<Object> r : rows) {
                for (int i = 0; i < order.size(); i++) {
                    ps.setObject(i + 1, r.get(order.get(i)));
                }
                ps.addBatch();
            }
            theirs = ps.executeBatch();
        }

        assertThat(ours).containsExactly(Arrays.stream(theirs).asLongStream().toArray());
        assertThat(contents("bulk_a")).isEqualTo(contents("bulk_b"));
        assertThat(engine.poolStats().inUse()).isZero();
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

        long[] counts = Await.result(engine.executeBatch("INSERT INTO bulk_big VALUES ($1, $2, $3, $4, $5)", rows));

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
    void aFailingRowLeavesNoneAppliedAndIsNamed() {
        table("bulk_atomic");
        List<List<Object>> rows = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            rows.add(Arrays.asList(i == 50 ? 7 : i, "x", 1L)); // row 51 repeats id 7
        }
        Throwable error = Await.failure(engine.executeBatch("INSERT INTO bulk_atomic VALUES ($1, $2, $3)", rows));

        assertThat(error).isInstanceOf(IntegrityViolationException.class).hasMessageContaining("row 51 of 100");
        assertThat(((EngineException) error).sqlState()).isEqualTo("23505");
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
        assertThat(failed).isInstanceOf(IntegrityViolationException.class).hasMessageContaining("row 1 of 2");
        assertThat(contents("bulk_tx")).hasSize(2);
        assertThat(engine.poolStats().inUse()).isZero();
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
