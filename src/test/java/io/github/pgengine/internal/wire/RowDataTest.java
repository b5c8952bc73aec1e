package io.github.pgengine.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pgengine.EngineException;
import io.github.pgengine.internal.codec.ParameterEncoder;
import io.github.pgengine.internal.codec.PgTypes;
import io.github.pgengine.internal.codec.TextDecoders;
import io.github.pgengine.internal.connect.ConfigParser;
import io.github.pgengine.internal.connect.ConnectionFactory;
import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.TestPostgres;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Rows decoded column by column on first access give the values that decoding every column at once gave. */
class RowDataTest {
    /** Each column as its own type, then the same value as text (so the eager decoder can be run on that text). */
    private static final String[] COLUMNS = {
        "NULL::int4",
        "42::int4",
        "'-2147483648'::int4",
        "9000000000::int8",
        "7::int2",
        "''::text",
        "'héllo, wörld'::text",
        "'x'::varchar",
        "true",
        "1.5::float4",
        "'NaN'::float8",
        "12.50::numeric",
        "'NaN'::numeric",
        "123456789012345678901234567890.123::numeric",
        "'\\x00ff10'::bytea",
        "''::bytea",
        "'2024-02-29'::date",
        "'infinity'::date",
        "'2024-02-29 12:34:56.789'::timestamp",
        "'2024-02-29 12:34:56.789+02'::timestamptz",
        "'12:00:01'::time",
        "'1 day 02:03:04'::interval",
        "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid",
        "ARRAY[1, NULL, 3]::int4[]",
        "ARRAY['a', '', NULL, 'x,y']::text[]",
        "ARRAY[1.5, NULL]::numeric[]",
        "'{}'::int8[]",
        "'{\"a\": [1, 2]}'::jsonb",
        "NULL::bytea",
    };

    private final List<DbConnection> connections = new ArrayList<>();

    @AfterEach
    void close() {
        connections.forEach(c -> Await.result(c.close()));
    }

    private DbConnection open() {
        DbConnection c = Await.result(new ConnectionFactory(
                        ConfigParser.fromEnvironment(5432)
                                .parse(TestPostgres.get().config(), null),
                        x -> {})
                .open());
        connections.add(c);
        return c;
    }

    @Test
    void decodesEachColumnAsDecodingTheWholeRowDid() {
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int i = 0; i < COLUMNS.length; i++) {
            sql.append(i == 0 ? "" : ", ").append(COLUMNS[i]).append(" AS c").append(i);
        }
        for (int i = 0; i < COLUMNS.length; i++) {
            sql.append(", (").append(COLUMNS[i]).append(")::text AS t").append(i);
        }
        Result r = Await.result(open().execute(sql.toString(), ParameterEncoder.encode(List.of())));
        int[] types = r.columnTypes();
        RowData row = r.rowData().get(0);
        // read back to front, then some columns again: the order of first access does not matter
        for (int i = COLUMNS.length - 1; i >= 0; i--) {
            Object text = row.get(COLUMNS.length + i);
            if (types[i] == PgTypes.BOOL && text != null) {
                text = text.equals("true") ? "t" : "f"; // bool::text spells out what the wire abbreviates
            }
            Object eager = text == null ? null : TextDecoders.decodeText(types[i], (String) text);
            assertThat(row.get(i)).as(COLUMNS[i]).isEqualTo(eager);
            if (eager != null) {
                assertThat(row.get(i)).as(COLUMNS[i]).isInstanceOf(eager.getClass());
            }
        }
        assertThat(row.get(0)).isNull();
        assertThat(row.get(1)).isEqualTo(42);
        assertThat(row.get(2)).isEqualTo(Integer.MIN_VALUE);
        assertThat(row.get(3)).isEqualTo(9_000_000_000L);
        assertThat(row.get(5)).isEqualTo("");
        assertThat(row.get(8)).isEqualTo(true);
        assertThat(row.get(6)).isEqualTo("héllo, wörld");
        assertThat(row.get(11)).isEqualTo(new BigDecimal("12.50"));
        assertThat(row.get(14)).isEqualTo(new byte[] {0, (byte) 0xff, 0x10});
        assertThat(row.get(15)).isEqualTo(new byte[0]);
        assertThat(row.get(16)).isEqualTo(LocalDate.of(2024, 2, 29));
        assertThat(row.get(18)).isEqualTo(LocalDateTime.of(2024, 2, 29, 12, 34, 56, 789_000_000));
        assertThat(row.get(19)).isEqualTo(OffsetDateTime.of(2024, 2, 29, 10, 34, 56, 789_000_000, ZoneOffset.UTC));
        assertThat(row.get(23)).isEqualTo(Arrays.asList(1, null, 3));
        assertThat(row.get(24)).isEqualTo(Arrays.asList("a", "", null, "x,y"));
        assertThat(row.get(COLUMNS.length - 1)).isNull();
        assertThat(row.get(5)).isSameAs(row.get(5)); // decoded once, then kept
        assertThat(r.rows().get(0)).containsExactly(row.toArray());
    }

    @Test
    void decodesTheSameValueForEveryThreadThatReadsAColumnFirst() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 200; round++) {
                RowData row = RowData.parse(
                        new String[] {"n", "b", "t", "i"},
                        new int[] {PgTypes.NUMERIC, PgTypes.BYTEA, PgTypes.TEXT, PgTypes.INT4},
                        body("123.45", "\\x0102", "text " + round, null));
                CountDownLatch start = new CountDownLatch(1);
                List<Future<@Nullable Object[]>> reads = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    reads.add(pool.submit(() -> {
                        start.await();
                        return new @Nullable Object[] {row.get(0), row.get(1), row.get(2), row.get(3)};
                    }));
                }
                start.countDown();
                @Nullable Object[] first = reads.get(0).get(10, TimeUnit.SECONDS);
                assertThat(first).containsExactly(new BigDecimal("123.45"), new byte[] {1, 2}, "text " + round, null);
                for (Future<@Nullable Object[]> read : reads) {
                    @Nullable Object[] values = read.get(10, TimeUnit.SECONDS);
                    for (int i = 0; i < 3; i++) {
                        assertThat(values[i]).isSameAs(first[i]);
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void failsEveryReadOfAValueItCannotDecodeAndShowsItAsSuch() {
        RowData row = RowData.parse(
                new String[] {"b", "i", "iv", "t"},
                new int[] {PgTypes.BYTEA, PgTypes.INT4, PgTypes.INTERVAL_ARRAY, PgTypes.TEXT},
                body("\\xzz", "12x", "{\"1 fortnight\"}", "text"));
        for (int round = 0; round < 2; round++) { // the failure is kept, not a value decoded the second time
            assertThatThrownBy(() -> row.get(0))
                    .isInstanceOf(EngineException.class)
                    .hasMessage("cannot decode column \"b\" (bytea) from the server's text '\\xzz': "
                            + "not a hex digit: z");
            assertThatThrownBy(() -> row.get(1))
                    .isInstanceOf(EngineException.class)
                    .hasMessageStartingWith("cannot decode column \"i\" (integer) from the server's text '12x': "
                            + "java.lang.NumberFormatException");
            assertThatThrownBy(() -> row.get(2))
                    .isInstanceOf(EngineException.class)
                    .hasMessage("cannot decode column \"iv\" (interval[]) from the server's text "
                            + "'{\"1 fortnight\"}': unknown unit 'fortnight'");
        }
        assertThatThrownBy(row::toArray).isInstanceOf(EngineException.class);
        assertThat(row.get(3)).isEqualTo("text");
        assertThat(Arrays.stream(row.toShownArray()).map(String::valueOf))
                .containsExactly(
                        "<cannot decode bytea '\\xzz'>",
                        "<cannot decode integer '12x'>",
                        "<cannot decode interval[] '{\"1 fortnight\"}'>",
                        "text");
        assertThat(row.shown(0)).isNotInstanceOf(String.class); // a stand-in, never the text in the value's place
    }

    @Test
    void refusesAValueLongerThanTheMessage() {
        byte[] body = body("abc");
        byte[] cut = Arrays.copyOf(body, body.length - 1);
        assertThatThrownBy(() -> RowData.parse(new String[] {"t"}, new int[] {PgTypes.TEXT}, cut))
                .isInstanceOf(Exchange.ProtocolException.class)
                .hasMessageContaining("3 bytes");
    }

    /** A DataRow's values as the server sends them, after the column count. */
    private static byte[] body(@Nullable String... values) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String v : values) {
            byte[] b = v == null ? null : v.getBytes(StandardCharsets.UTF_8);
            int length = b == null ? -1 : b.length;
            out.write(length >>> 24);
            out.write(length >>> 16);
            out.write(length >>> 8);
            out.write(length);
            if (b != null) {
                out.writeBytes(b);
            }
        }
        return out.toByteArray();
    }
}
