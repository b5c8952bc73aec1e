package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.TestPostgres;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code Short}, {@code Byte}, {@code Integer} and {@code Long} parameters travel in binary (2, 4 or 8 bytes, declared
 * {@code int2}, {@code int4}, {@code int8}): what the server makes of them, read back as its own text and
 * {@code pg_typeof}, must be exactly the Java value, at the extremes, beside NULLs, beside text and {@code bytea}
 * parameters in one Bind, and inside arrays (which still travel as text). The pool has one connection, so the same
 * SQL text with other Java types reuses and adds prepared statements on that connection.
 */
class BinaryIntegerParametersTest {
    private static PostgresEngine engine;

    @BeforeAll
    static void start() {
        engine = new PostgresEngine(TestPostgres.get().config());
        Await.result(engine.startConnectionPool(PoolOptions.builder().maxSize(1).build()));
    }

    @AfterAll
    static void stop() {
        Await.result(engine.close());
    }

    private static Row one(String sql, @Nullable Object... params) {
        List<Row> rows = Await.result(engine.query(sql, params));
        assertThat(rows).hasSize(1);
        return rows.get(0);
    }

    /** The server's text of the parameter and the type it was declared as. */
    private static void serverSees(Object value, String text, String type) {
        Row row = one("SELECT $1::text AS t, pg_typeof($1)::text AS ty", value);
        assertThat(row.getString("t"))
                .as("server text of %s %s", value.getClass().getSimpleName(), value)
                .isEqualTo(text);
        assertThat(row.getString("ty"))
                .as("type of %s %s", value.getClass().getSimpleName(), value)
                .isEqualTo(type);
    }

    @Test
    void integerExtremesReachTheServerExactly() {
        for (int v : new int[] {
            Integer.MIN_VALUE,
            Integer.MIN_VALUE + 1,
            -65_536,
            -1,
            0,
            1,
            255,
            65_536,
            Integer.MAX_VALUE - 1,
            Integer.MAX_VALUE
        }) {
            serverSees(v, Integer.toString(v), "integer");
        }
        for (long v : new long[] {
            Long.MIN_VALUE,
            Long.MIN_VALUE + 1,
            Integer.MIN_VALUE - 1L,
            -1,
            0,
            1,
            Integer.MAX_VALUE + 1L,
            1L << 32,
            Long.MAX_VALUE - 1,
            Long.MAX_VALUE
        }) {
            serverSees(v, Long.toString(v), "bigint");
        }
        for (short v : new short[] {Short.MIN_VALUE, -256, -1, 0, 1, 255, Short.MAX_VALUE}) {
            serverSees(v, Short.toString(v), "smallint");
        }
        for (byte v : new byte[] {Byte.MIN_VALUE, -1, 0, 1, Byte.MAX_VALUE}) {
            serverSees(v, Byte.toString(v), "smallint");
        }
    }

    @Test
    void integersComeBackAsTheSameJavaValues() {
        Row row = one(
                "SELECT $1 AS i, $2 AS l, $3 AS s, $4 AS b",
                Integer.MIN_VALUE,
                Long.MAX_VALUE,
                Short.MIN_VALUE,
                Byte.MAX_VALUE);
        assertThat(row.get("i")).isEqualTo(Integer.MIN_VALUE);
        assertThat(row.get("l")).isEqualTo(Long.MAX_VALUE);
        assertThat(row.get("s")).isEqualTo(Short.MIN_VALUE);
        assertThat(row.get("b")).isEqualTo((short) Byte.MAX_VALUE);
    }

    @Test
    void nullsAmongBinaryIntegersStayNull() {
        // every value that is not NULL in binary: one format code for all
        Row row = one(
                "SELECT $1::text AS a, $2::int8 IS NULL AS b, $3::text AS c, $4::int2 IS NULL AS d, $5::text AS e",
                Integer.MAX_VALUE,
                null,
                Long.MIN_VALUE,
                Optional.empty(),
                Optional.of((short) -7));
        assertThat(row.getString("a")).isEqualTo("2147483647");
        assertThat(row.get("b")).isEqualTo(true);
        assertThat(row.getString("c")).isEqualTo("-9223372036854775808");
        assertThat(row.get("d")).isEqualTo(true);
        assertThat(row.getString("e")).isEqualTo("-7");
        Row allNull = one("SELECT $1::int4 IS NULL AS a, $2::int8 IS NULL AS b", null, null);
        assertThat(allNull.get("a")).isEqualTo(true);
        assertThat(allNull.get("b")).isEqualTo(true);
    }

    @Test
    void textBinaryAndByteaParametersMixInOneStatement() {
        byte[] bytes = {0, 1, (byte) 0x7f, (byte) 0x80, (byte) 0xff};
        Row row = one(
                "SELECT $1::text AS a, $2::text AS b, encode($3, 'hex') AS c, $4::text AS d, $5::text AS e, "
                        + "$6::text AS f, $7::text AS g, pg_typeof($5)::text AS ty",
                -1,
                "héllo, 'world'",
                bytes,
                Long.MIN_VALUE,
                new BigDecimal("-12345678901234567890.5"),
                null,
                (short) 12);
        assertThat(row.getString("a")).isEqualTo("-1");
        assertThat(row.getString("b")).isEqualTo("héllo, 'world'");
        assertThat(row.getString("c")).isEqualTo("00017f80ff");
        assertThat(row.getString("d")).isEqualTo("-9223372036854775808");
        assertThat(row.getString("e")).isEqualTo("-12345678901234567890.5");
        assertThat(row.get("f")).isNull();
        assertThat(row.getString("g")).isEqualTo("12");
        assertThat(row.getString("ty")).isEqualTo("numeric");
    }

    @Test
    void arraysOfIntegersStillTravelAsText() {
        Row ints = one(
                "SELECT $1::text AS t, pg_typeof($1)::text AS ty", List.of(Integer.MIN_VALUE, 0, Integer.MAX_VALUE));
        assertThat(ints.getString("t")).isEqualTo("{-2147483648,0,2147483647}");
        assertThat(ints.getString("ty")).isEqualTo("integer[]");
        Row mixed = one("SELECT $1::text AS t, pg_typeof($1)::text AS ty", Arrays.asList(1, null, Long.MIN_VALUE));
        assertThat(mixed.getString("t")).isEqualTo("{1,NULL,-9223372036854775808}");
        assertThat(mixed.getString("ty")).isEqualTo("bigint[]");
        Row shorts = one("SELECT $1::text AS t, pg_typeof($1)::text AS ty", (Object) new short[] {Short.MIN_VALUE, 3});
        assertThat(shorts.getString("t")).isEqualTo("{-32768,3}");
        assertThat(shorts.getString("ty")).isEqualTo("smallint[]");
        assertThat(one("SELECT $1 = ANY($2) AS hit", Integer.MAX_VALUE, List.of(1, Integer.MAX_VALUE))
                        .get("hit"))
                .isEqualTo(true);
    }

    @Test
    void theSameSqlWithIntegersOfEveryWidthAndAsTextGetsItsOwnStatement() {
        String sql = "SELECT $1::text AS t, pg_typeof($1)::text AS ty";
        List<String> seen = new ArrayList<>();
        for (Object v : new Object[] {7, 7L, (short) 7, "7", 7, Long.MAX_VALUE, "x", (byte) -7, -7}) {
            Row row = one(sql, v);
            seen.add(row.getString("t") + ":" + row.getString("ty"));
        }
        assertThat(seen)
                .containsExactly(
                        "7:integer",
                        "7:bigint",
                        "7:smallint",
                        "7:text",
                        "7:integer",
                        "9223372036854775807:bigint",
                        "x:text",
                        "-7:smallint",
                        "-7:integer");
    }

    @Test
    void integersServeWhereTheStatementNeedsAnotherType() {
        // declared int4/int8, converted by the server as it would convert the text
        Row row = one(
                "SELECT ($1::numeric / 4)::text AS n, $2::int4 AS narrowed, repeat('x', $3) AS r, $4::float8 AS f",
                Integer.MAX_VALUE,
                40_000L,
                3,
                Long.MIN_VALUE);
        assertThat(row.getString("n")).isEqualTo("536870911.75000000");
        assertThat(row.get("narrowed")).isEqualTo(40_000);
        assertThat(row.getString("r")).isEqualTo("xxx");
        assertThat(row.get("f")).isEqualTo(-9.223372036854776E18);
        Throwable tooWide = Await.failure(engine.query("SELECT $1::int4 AS v", Long.MAX_VALUE));
        assertThat(tooWide).isInstanceOf(EngineException.class).hasMessageContaining("out of range");
    }

    @Test
    void aBatchOfIntegerRowsStoresEveryValue() {
        Await.result(engine.runDdl("DROP TABLE IF EXISTS binary_ints"));
        Await.result(engine.runDdl("CREATE TABLE binary_ints (i int4, l int8, s int2, t text)"));
        List<List<@Nullable Object>> rows = new ArrayList<>();
        for (int k = 0; k < 37; k++) {
            rows.add(Arrays.asList(
                    k % 5 == 0 ? null : Integer.MIN_VALUE + k,
                    Long.MAX_VALUE - k,
                    (short) (Short.MIN_VALUE + k),
                    "row " + k));
        }
        long[] counts = Await.result(engine.executeBatch("INSERT INTO binary_ints VALUES ($1, $2, $3, $4)", rows));
        assertThat(counts).hasSize(37).containsOnly(1L);
        List<Row> back = Await.result(engine.query("SELECT i, l, s, t FROM binary_ints ORDER BY l DESC"));
        assertThat(back).hasSize(37);
        for (int k = 0; k < 37; k++) {
            Row r = back.get(k);
            assertThat(r.get("i")).isEqualTo(k % 5 == 0 ? null : Integer.MIN_VALUE + k);
            assertThat(r.get("l")).isEqualTo(Long.MAX_VALUE - k);
            assertThat(r.get("s")).isEqualTo((short) (Short.MIN_VALUE + k));
            assertThat(r.get("t")).isEqualTo("row " + k);
        }
        Await.result(engine.runDdl("DROP TABLE binary_ints"));
    }
}
