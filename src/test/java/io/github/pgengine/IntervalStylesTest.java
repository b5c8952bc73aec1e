package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.TestPostgres;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Period;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.postgresql.util.PGInterval;
import org.threeten.extra.PeriodDuration;

/**
 * {@code interval} values read under every IntervalStyle and written exactly, against a real server: generated
 * intervals (months, days and microseconds, their extremes and every sign mix) are written as SQL text of their
 * own, read back through the engine under {@code postgres}, {@code postgres_verbose}, {@code sql_standard} and
 * {@code iso_8601}, and compared with the interval generated, and with pgjdbc's {@link PGInterval} where pgjdbc can
 * read the style and the size. Durations and PeriodDurations sent as parameters come back equal, to the
 * microsecond, at the ends of the type too. PostgreSQL 14 cannot print more than 2^31 - 1 hours (nor a day count
 * of -2^31 in two styles), so there the generated range stops short of those.
 */
class IntervalStylesTest {
    private static final List<String> STYLES = List.of("postgres", "postgres_verbose", "sql_standard", "iso_8601");
    private static final long MICROS_PER_HOUR = 3_600_000_000L;
    /** The largest time part PostgreSQL 14 can print: 2147483647:59:59.999999. */
    private static final long PG14_MAX_MICROS = Integer.MAX_VALUE * MICROS_PER_HOUR + MICROS_PER_HOUR - 1;

    private static PostgresEngine engine;
    private static Connection jdbc;
    private static boolean pg17;

    /** An interval as PostgreSQL keeps it: months, days and microseconds. */
    record Interval(int months, int days, long micros) {
        PeriodDuration expected() {
            return PeriodDuration.of(Period.of(months / 12, months % 12, days), Duration.of(micros, ChronoUnit.MICROS));
        }

        /**
         * The interval as input text, each field with its own explicit sign (so that {@code sql_standard} does not
         * spread a leading minus over the others), the time part split so each number fits PostgreSQL 14 too.
         */
        String literal() {
            long hours = micros / MICROS_PER_HOUR;
            long minutes = micros % MICROS_PER_HOUR / 60_000_000L;
            long rest = micros % 60_000_000L;
            return signed(months) + " mons " + signed(days) + " days " + signed(hours) + " hours " + signed(minutes)
                    + " mins " + signed(rest) + " microseconds";
        }

        private static String signed(long v) {
            return (v < 0 ? "" : "+") + v;
        }
    }

    @BeforeContainer
    static void start() throws SQLException {
        TestPostgres pg = TestPostgres.get();
        engine = new PostgresEngine(pg.config());
        Await.result(engine.startConnectionPool(PoolOptions.builder().maxSize(1).build()));
        Properties p = new Properties();
        p.setProperty("user", pg.user());
        p.setProperty("password", pg.password());
        jdbc = DriverManager.getConnection("jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/" + pg.database(), p);
        pg17 = Integer.parseInt((String) Await.result(engine.query("SHOW server_version_num"))
                        .get(0)
                        .get("server_version_num"))
                >= 170_000;
    }

    @AfterContainer
    static void stop() throws SQLException {
        Await.result(engine.close());
        jdbc.close();
    }

    // ------------------------------------------------------------------ reading

    @Property(tries = 300, edgeCases = EdgeCasesMode.MIXIN)
    void readsEveryIntervalStyleAsTheIntervalWritten(@ForAll("intervals") Interval v) throws SQLException {
        PeriodDuration expected = v.expected();
        // every style's rows first, then the reads: each value is decoded as the server wrote it, whatever the
        // session's style is by the time it is read
        Map<String, List<Row>> byStyle = new LinkedHashMap<>();
        for (String style : STYLES) {
            Await.result(engine.execute("SET IntervalStyle = " + style));
            byStyle.put(
                    style,
                    Await.result(engine.query(
                            "SELECT $1::interval AS i, ARRAY[$1::interval, NULL] AS a, $1::interval::text AS t, "
                                    + "current_setting('IntervalStyle') AS style",
                            v.literal())));
        }
        Await.result(engine.execute("SET IntervalStyle = postgres"));
        for (Map.Entry<String, List<Row>> e : byStyle.entrySet()) {
            Row row = e.getValue().get(0);
            String style = e.getKey();
            assertThat(row.get("style")).isEqualTo(style);
            assertThat(row.get("i")).as("%s: %s", style, row.get("t")).isEqualTo(expected);
            assertThat(row.get("a")).as("%s: %s", style, row.get("t")).isEqualTo(Arrays.asList(expected, null));
            if (!style.equals("sql_standard")
                    && Math.abs(v.micros() / MICROS_PER_HOUR) <= Integer.MAX_VALUE
                    && v.days() != Integer.MIN_VALUE) {
                // pgjdbc reads the other three styles, with hours (and postgres_verbose's day count) in an int
                assertThat(pgjdbc(style, v.literal()))
                        .as("%s: %s", style, row.get("t"))
                        .isEqualTo(expected);
            }
        }
    }

    @Example
    void readsTheFormsOfEachStyleThatTheIssueNames() {
        Map<String, PeriodDuration> values = new LinkedHashMap<>();
        values.put(
                "-1 year +2 mons -3 days +04:05:06.789",
                PeriodDuration.of(Period.ofMonths(-10).withDays(-3), Duration.parse("PT4H5M6.789S")));
        values.put("178000000 years", PeriodDuration.of(Period.ofYears(178_000_000)));
        values.put("-178000000 years", PeriodDuration.of(Period.ofYears(-178_000_000)));
        values.put("0", PeriodDuration.ZERO);
        values.put("-00:00:00.000001", PeriodDuration.of(Duration.ofNanos(-1000)));
        values.put("1 day -00:00:01", PeriodDuration.of(Period.ofDays(1), Duration.ofSeconds(-1)));
        values.put("-1 day -02:03:04", PeriodDuration.of(Period.ofDays(-1), Duration.parse("-PT2H3M4S")));
        values.put("1 year 2 mons", PeriodDuration.of(Period.of(1, 2, 0)));
        values.put(
                "-1 year -2 mons -3 days -04:05:06",
                PeriodDuration.of(Period.of(-1, -2, -3), Duration.parse("-PT4H5M6S")));
        values.put(
                "1 year 2 mons 3 days 04:05:06.789",
                PeriodDuration.of(Period.of(1, 2, 3), Duration.parse("PT4H5M6.789S")));
        if (pg17) {
            values.put("2562047788:00:54.775807", PeriodDuration.of(Duration.of(Long.MAX_VALUE, ChronoUnit.MICROS)));
            values.put(
                    "-2562047788 hours -54.775808 secs",
                    PeriodDuration.of(Duration.of(Long.MIN_VALUE, ChronoUnit.MICROS)));
        }
        for (String style : STYLES) {
            Await.result(engine.execute("SET IntervalStyle = " + style));
            for (Map.Entry<String, PeriodDuration> e : values.entrySet()) {
                Row row = Await.result(engine.query("SELECT $1::interval AS i, $1::interval::text AS t", e.getKey()))
                        .get(0);
                assertThat(row.get("i")).as("%s: %s", style, row.get("t")).isEqualTo(e.getValue());
            }
        }
        Await.result(engine.execute("SET IntervalStyle = postgres"));
    }

    @Example
    void readsAValueInTheStyleSetEarlierInTheSameStatement() {
        // a style set by a function is reported (ParameterStatus) only when the statement ends, after its rows
        Row row = Await.result(engine.query("SELECT set_config('IntervalStyle', 'sql_standard', false) AS s, "
                        + "'-1 day -02:03:04'::interval AS i, format('%s', '-1 day -02:03:04'::interval) AS t"))
                .get(0);
        assertThat(row.get("t")).isEqualTo("-1 2:03:04");
        assertThat(row.get("i")).isEqualTo(PeriodDuration.of(Period.ofDays(-1), Duration.parse("-PT2H3M4S")));
        Await.result(engine.execute("SET IntervalStyle = postgres"));
    }

    @Example
    void readsAndWritesInfiniteIntervalsAsTheIntervalsConstants() {
        if (!pg17) {
            // PostgreSQL 14 has no infinite interval: the server refuses the text
            Throwable e = Await.failure(engine.query("SELECT $1::interval AS i", Intervals.INFINITY));
            assertThat(e).isInstanceOf(BadSqlException.class).hasMessageContaining("infinity");
            return;
        }
        for (String style : STYLES) {
            Await.result(engine.execute("SET IntervalStyle = " + style));
            Row row = Await.result(engine.query("SELECT 'infinity'::interval AS p, '-infinity'::interval AS m, "
                            + "ARRAY['infinity'::interval, '-infinity'::interval] AS a"))
                    .get(0);
            assertThat(row.get("p")).isEqualTo(Intervals.INFINITY);
            assertThat(row.get("m")).isEqualTo(Intervals.MINUS_INFINITY);
            assertThat(row.get("a")).isEqualTo(List.of(Intervals.INFINITY, Intervals.MINUS_INFINITY));
        }
        Await.result(engine.execute("SET IntervalStyle = postgres"));
        Row sent = Await.result(engine.query(
                        "SELECT $1::interval::text AS p, $2::interval::text AS m, $1::interval AS v",
                        Intervals.INFINITY,
                        Intervals.MINUS_INFINITY))
                .get(0);
        assertThat(sent.get("p")).isEqualTo("infinity");
        assertThat(sent.get("m")).isEqualTo("-infinity");
        assertThat(sent.get("v")).isEqualTo(Intervals.INFINITY);
    }

    // ------------------------------------------------------------------ writing

    @Property(tries = 300, edgeCases = EdgeCasesMode.MIXIN)
    void sendsEveryDurationInRangeExactly(@ForAll("micros") long micros) {
        Duration d = Duration.of(micros, ChronoUnit.MICROS);
        Row row = Await.result(engine.query("SELECT $1::interval AS i, extract(epoch FROM $1::interval) AS e", d))
                .get(0);
        assertThat(row.get("i")).isEqualTo(PeriodDuration.of(d));
        assertThat((BigDecimal) row.get("e")).isEqualByComparingTo(BigDecimal.valueOf(micros, 6));
    }

    @Property(tries = 300, edgeCases = EdgeCasesMode.MIXIN)
    void sendsEveryPeriodDurationAsTheServerReadsItsOwnText(@ForAll("intervals") Interval v) {
        PeriodDuration value = v.expected();
        Row row = Await.result(engine.query(
                        "SELECT $1::interval AS i, $1::interval::text AS mine, $2::interval::text AS theirs",
                        value,
                        v.literal()))
                .get(0);
        assertThat(row.get("mine")).isEqualTo(row.get("theirs"));
        assertThat(row.get("i")).isEqualTo(value);
    }

    @Example
    void sendsTheEndsOfTheTimePartExactly() {
        long max = pg17 ? Long.MAX_VALUE : PG14_MAX_MICROS;
        long min = pg17 ? Long.MIN_VALUE : -PG14_MAX_MICROS;
        Row row = Await.result(engine.query(
                        "SELECT $1::interval::text AS max, $2::interval::text AS min",
                        Duration.of(max, ChronoUnit.MICROS),
                        Duration.of(min, ChronoUnit.MICROS)))
                .get(0);
        assertThat(row.get("max")).isEqualTo(pg17 ? "2562047788:00:54.775807" : "2147483647:59:59.999999");
        assertThat(row.get("min")).isEqualTo(pg17 ? "-2562047788:00:54.775808" : "-2147483647:59:59.999999");
    }

    @Example
    void refusesADurationOutsideTheTypeBeforeSendingIt() {
        Duration justPast = Duration.of(Long.MAX_VALUE, ChronoUnit.MICROS).plusNanos(500); // rounds up past the end
        for (Duration d : List.of(
                justPast,
                Duration.of(Long.MIN_VALUE, ChronoUnit.MICROS).minusNanos(501),
                Duration.ofSeconds(Long.MAX_VALUE, 999_999_999),
                Duration.ofDays(-200_000_000L))) {
            Throwable e = Await.failure(engine.query("SELECT $1::interval AS i", d));
            assertThat(e)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("parameter $1 cannot be sent")
                    .hasMessageContaining("the Duration " + d + " is out of range for interval");
        }
        Throwable inList = Await.failure(engine.query("SELECT $1::interval[] AS i", List.of(Duration.ZERO, justPast)));
        assertThat(inList).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of range");
        assertThat(Await.result(engine.query("SELECT 1 AS one")).get(0).get("one"))
                .isEqualTo(1);
    }

    // ------------------------------------------------------------------ generators and the oracle

    @Provide
    Arbitrary<Interval> intervals() {
        Arbitrary<Integer> months = Arbitraries.oneOf(
                Arbitraries.integers(),
                Arbitraries.integers().between(-30, 30),
                Arbitraries.of(
                        0, 1, -1, 12, -12, 178_000_000 * 12, -178_000_000 * 12, Integer.MAX_VALUE, Integer.MIN_VALUE));
        int minDays = pg17 ? Integer.MIN_VALUE : Integer.MIN_VALUE + 1;
        Arbitrary<Integer> days = Arbitraries.oneOf(
                Arbitraries.integers().between(minDays, Integer.MAX_VALUE),
                Arbitraries.integers().between(-40, 40),
                Arbitraries.of(0, 1, -1, Integer.MAX_VALUE, minDays));
        return Combinators.combine(months, days, micros())
                .as(Interval::new)
                .filter(v -> !(v.months() == Integer.MAX_VALUE
                                && v.days() == Integer.MAX_VALUE
                                && v.micros() == Long.MAX_VALUE)
                        && !(v.months() == Integer.MIN_VALUE
                                && v.days() == Integer.MIN_VALUE
                                && v.micros() == Long.MIN_VALUE)); // PostgreSQL 17's infinities
    }

    @Provide
    Arbitrary<Long> micros() {
        long max = pg17 ? Long.MAX_VALUE : PG14_MAX_MICROS;
        long min = pg17 ? Long.MIN_VALUE : -PG14_MAX_MICROS;
        return Arbitraries.oneOf(
                Arbitraries.longs().between(min, max),
                Arbitraries.longs().between(-100L * MICROS_PER_HOUR, 100L * MICROS_PER_HOUR),
                Arbitraries.longs().between(-2_000_000, 2_000_000),
                Arbitraries.of(
                        0L,
                        1L,
                        -1L,
                        999_999L,
                        -999_999L,
                        max,
                        min,
                        max - 1,
                        min + 1,
                        Integer.MAX_VALUE * MICROS_PER_HOUR,
                        -Integer.MAX_VALUE * MICROS_PER_HOUR,
                        1L << 53,
                        -(1L << 53) - 1));
    }

    /** What pgjdbc reads under the style, as the engine's Java value. */
    private static PeriodDuration pgjdbc(String style, String literal) throws SQLException {
        try (var s = jdbc.createStatement()) {
            s.execute("SET IntervalStyle = " + style);
        }
        try (PreparedStatement ps = jdbc.prepareStatement("SELECT ?::interval")) {
            ps.setString(1, literal);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                PGInterval i = (PGInterval) rs.getObject(1);
                long micros = i.getHours() * MICROS_PER_HOUR
                        + i.getMinutes() * 60_000_000L
                        + i.getWholeSeconds() * 1_000_000L
                        + i.getMicroSeconds();
                return PeriodDuration.of(
                        Period.of(i.getYears(), i.getMonths(), i.getDays()), Duration.of(micros, ChronoUnit.MICROS));
            }
        }
    }
}
