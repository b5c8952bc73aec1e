package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.LogCapture;
import io.github.pgengine.testing.TestPostgres;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A value whose text the engine cannot decode fails its read, naming the column, the SQL type and the text; it never
 * comes back as a String in place of its Java type. The server is made to send such text for real: inside a
 * transaction that is rolled back, {@code date}'s output function is swapped for {@code int4out} (a date is a
 * 4-byte day count), so the server prints {@code 2024-02-29} as {@code 8825}. Nothing outside the transaction sees
 * the change.
 */
class UndecodableValueTest {
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

    /** The rows of a query run while the server prints dates as their day count. */
    private static List<Row> withDatesPrintedAsNumbers(String sql) {
        return withDatesPrintedAsNumbers(engine, sql);
    }

    private static List<Row> withDatesPrintedAsNumbers(PostgresEngine engine, String sql) {
        return Await.result(engine.transaction(tx -> tx.execute("UPDATE pg_catalog.pg_type SET typoutput = "
                        + "'pg_catalog.int4out'::regproc WHERE oid = 'pg_catalog.date'::regtype")
                .thenCompose(n -> tx.query(sql))
                .thenCompose(rows -> tx.rollback().thenApply(v -> rows))));
    }

    @Test
    void failsEveryReadOfAValueItCannotDecodeNamingColumnTypeAndText() {
        Row row = withDatesPrintedAsNumbers(
                        "SELECT 1 AS n, '2024-02-29'::date AS d, ARRAY['2024-02-29'::date, NULL] AS ds")
                .get(0);
        assertThat(row.get("n")).isEqualTo(1); // the other columns read as usual
        String message = "cannot decode column \"d\" (date) from the server's text '8825'";
        assertThatThrownBy(() -> row.get("d"))
                .isInstanceOf(EngineException.class)
                .hasMessageStartingWith(message);
        assertThatThrownBy(() -> row.get(1)).isInstanceOf(EngineException.class).hasMessageStartingWith(message);
        assertThatThrownBy(() -> row.getLocalDate("d"))
                .isInstanceOf(EngineException.class)
                .hasMessageStartingWith(message);
        assertThatThrownBy(() -> row.getString("d"))
                .isInstanceOf(EngineException.class)
                .hasMessageStartingWith(message);
        assertThatThrownBy(() -> row.values().forEach(v -> {}))
                .isInstanceOf(EngineException.class)
                .hasMessageStartingWith(message);
        assertThatThrownBy(() -> row.get("ds"))
                .isInstanceOf(EngineException.class)
                .hasMessageStartingWith("cannot decode column \"ds\" (date[]) from the server's text '{8825,NULL}'");
        assertThat(row.toString())
                .isEqualTo("{n=1, d=<cannot decode date '8825'>, ds=<cannot decode date[] '{8825,NULL}'>}");
        // the connection is as good as before, and dates read as dates again
        assertThat(Await.result(engine.query("SELECT '2024-02-29'::date AS d"))
                        .get(0)
                        .get("d"))
                .isEqualTo(LocalDate.of(2024, 2, 29));
    }

    @Test
    void logsTheResponseWithAStandInForTheValue() {
        PostgresEngine logging = PostgresEngine.builder()
                .config(TestPostgres.get().config())
                .name("undecodable")
                .logResponses(true)
                .build();
        try (LogCapture log = LogCapture.of("io.github.pgengine.response", Level.INFO)) {
            Await.result(
                    logging.startConnectionPool(PoolOptions.builder().maxSize(1).build()));
            Row row = withDatesPrintedAsNumbers(logging, "SELECT '2024-02-29'::date AS d")
                    .get(0);
            assertThatThrownBy(() -> row.get("d")).isInstanceOf(EngineException.class);
            assertThat(log.lines())
                    .anyMatch(l ->
                            l.contains("returned 1 row in ") && l.endsWith(" ms: [{d=<cannot decode date '8825'>}]"));
        } finally {
            Await.result(logging.close());
        }
    }

    @Test
    void showsOnlyTheStartOfALongText() {
        Row row = withDatesPrintedAsNumbers(
                        "SELECT array_agg('2024-02-29'::date + i) AS ds FROM generate_series(1, 100) AS i")
                .get(0);
        assertThatThrownBy(() -> row.get("ds"))
                .isInstanceOf(EngineException.class)
                .hasMessageStartingWith("cannot decode column \"ds\" (date[]) from the server's text '{8826,8827,")
                .hasMessageContaining("...' (" + (2 + 100 * 5 - 1) + " characters)")
                .hasMessageNotContaining("8925");
    }
}
