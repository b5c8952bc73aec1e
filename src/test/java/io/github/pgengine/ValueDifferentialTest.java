package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.TestPostgres;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.postgresql.util.PGInterval;
import org.threeten.extra.PeriodDuration;

/**
 * Values through pgengine against pgjdbc as the oracle, over generated values of every supported type: what the
 * server makes of pgengine's parameter must be what it makes of pgjdbc's ({@code $1::T::text} against
 * {@code ?::T::text}), and what pgengine decodes must be what pgjdbc decodes. Every value is followed by a tagged
 * query on the same single-connection pool, so an answer that shifted to the next caller would show. A second set
 * of properties stores generated values in a table and reads them back through {@code query}, {@code batch} and
 * {@code stream}.
 */
class ValueDifferentialTest {
    private static final int TRIES = 300;
    private static final AtomicLong TAGS = new AtomicLong();
    private static PostgresEngine engine;
    private static Connection jdbc;

    @BeforeContainer
    static void start() throws SQLException {
        TestPostgres pg = TestPostgres.get();
        engine = new PostgresEngine(pg.config());
        Await.result(engine.startConnectionPool(PoolOptions.builder().maxSize(1).build()));
        Properties p = new Properties();
        p.setProperty("user", pg.user());
        p.setProperty("password", pg.password());
        jdbc = DriverManager.getConnection("jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/" + pg.database(), p);
        try (var s = jdbc.createStatement()) {
            s.execute("SET TimeZone = 'UTC'");
        }
    }

    @AfterContainer
    static void stop() throws SQLException {
        Await.result(engine.close());
        jdbc.close();
    }

    // ------------------------------------------------------------------ scalars

    @Property(tries = TRIES)
    void int2(@ForAll short v) throws SQLException {
        same("int2", v, rs -> rs.getObject(1, Short.class));
    }

    @Property(tries = TRIES)
    void int4(@ForAll int v) throws SQLException {
        same("int4", v, rs -> rs.getObject(1, Integer.class));
    }

    @Property(tries = TRIES)
    void int8(@ForAll long v) throws SQLException {
        same("int8", v, rs -> rs.getObject(1, Long.class));
    }

    @Property(tries = TRIES)
    void numeric(@ForAll("decimals") BigDecimal v) throws SQLException {
        same("numeric", v, rs -> rs.getBigDecimal(1));
    }

    @Property(tries = 50)
    void numericFromBigInteger(@ForAll("bigIntegers") BigInteger v) throws SQLException {
        assertThat(decode("SELECT $1::numeric * 2 AS v", v)).isEqualTo(new BigDecimal(v.multiply(BigInteger.TWO)));
        // the same SQL text with another Java type first must not pin the type
        assertThat(decode("SELECT $1::numeric * 2 AS v", 1.5d)).isEqualTo(new BigDecimal("3.0"));
        assertThat(decode("SELECT $1::numeric * 2 AS v", v)).isEqualTo(new BigDecimal(v.multiply(BigInteger.TWO)));
    }

    @Property(tries = TRIES)
    void float4(@ForAll("floats") float v) throws SQLException {
        same("float4", v, rs -> rs.getObject(1, Float.class));
    }

    @Property(tries = TRIES)
    void float8(@ForAll("doubles") double v) throws SQLException {
        same("float8", v, rs -> rs.getObject(1, Double.class));
    }

    @Property(tries = 60)
    void singleByteChar(@ForAll("texts") String v) throws SQLException {
        if (v.isEmpty()) {
            return;
        }
        String sql = "SELECT $1::\"char\" AS v";
        assertThat(decode(sql, v)).isEqualTo(pgjdbc("\"char\"", v, rs -> rs.getString(1)));
        followUp();
    }

    @Property(tries = TRIES)
    void inetAndCidr(@ForAll("addresses") String v) throws SQLException {
        assertThat(decode("SELECT $1::inet AS v", v)).isEqualTo(pgjdbc("inet", v, rs -> rs.getString(1)));
        assertThat(decode("SELECT network($1::inet) AS v", v)).isEqualTo(theirNetwork(v));
        followUp();
    }

    private static String theirNetwork(String v) throws SQLException {
        try (PreparedStatement ps = jdbc.prepareStatement("SELECT network(?::inet)")) {
            ps.setString(1, v);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    @Property(tries = TRIES)
    void timetzArrays(@ForAll("offsetTimeLists") List<OffsetTime> v) throws SQLException {
        List<Object> oracle = new ArrayList<>();
        for (OffsetTime t : v) {
            oracle.add(t == null ? null : decode("SELECT $1::timetz AS v", t));
        }
        assertThat(decode("SELECT $1::timetz[] AS v", v)).isEqualTo(oracle);
        followUp();
    }

    @Property(tries = 20)
    void bool(@ForAll boolean v) throws SQLException {
        same("bool", v, rs -> rs.getObject(1, Boolean.class));
    }

    @Property(tries = TRIES)
    void text(@ForAll("texts") String v) throws SQLException {
        same("text", v, rs -> rs.getString(1));
    }

    @Property(tries = TRIES)
    void bytea(@ForAll byte[] v) throws SQLException {
        same("bytea", v, rs -> rs.getBytes(1));
    }

    @Property(tries = 30)
    void uuid(@ForAll("uuids") UUID v) throws SQLException {
        same("uuid", v, rs -> rs.getObject(1, UUID.class));
    }

    @Property(tries = TRIES)
    void date(@ForAll("dates") LocalDate v) throws SQLException {
        same("date", v, rs -> rs.getObject(1, LocalDate.class));
    }

    @Property(tries = TRIES)
    void time(@ForAll("times") LocalTime v) throws SQLException {
        same("time", v, rs -> rs.getObject(1, LocalTime.class));
    }

    @Property(tries = TRIES)
    void timetz(@ForAll("offsetTimes") OffsetTime v) throws SQLException {
        if (v.toLocalTime().isAfter(LocalTime.of(23, 59, 59, 999_999_499))) {
            // 24:00:00 with an offset: pgjdbc answers OffsetTime.MAX (offset -18:00), pgengine keeps the offset
            assertThat(decode("SELECT $1::timetz AS v", v)).isEqualTo(OffsetTime.of(LocalTime.MAX, v.getOffset()));
            assertThat(text("timetz", v)).isEqualTo(theirText("timetz", v));
            followUp();
            return;
        }
        same("timetz", v, rs -> rs.getObject(1, OffsetTime.class));
    }

    @Property(tries = TRIES)
    void timestamp(@ForAll("dateTimes") LocalDateTime v) throws SQLException {
        same("timestamp", v, rs -> rs.getObject(1, LocalDateTime.class));
    }

    @Property(tries = TRIES)
    void timestamptz(@ForAll("offsetDateTimes") OffsetDateTime v) throws SQLException {
        same("timestamptz", v, rs -> rs.getObject(1, OffsetDateTime.class));
    }

    @Property(tries = TRIES)
    void timestamptzFromInstant(@ForAll("offsetDateTimes") OffsetDateTime v) throws SQLException {
        if (v.equals(OffsetDateTime.MAX) || v.equals(OffsetDateTime.MIN)) {
            return;
        }
        Instant i = v.toInstant();
        assertThat(text("timestamptz", i)).isEqualTo(theirText("timestamptz", v));
        assertThat(decode("SELECT $1 AS v", LocalTime.NOON)).isEqualTo(LocalTime.NOON);
        assertThat(decode("SELECT $1 AS v", i))
                .isEqualTo(pgjdbc("timestamptz", v, rs -> rs.getObject(1, OffsetDateTime.class)));
    }

    @Property(tries = TRIES)
    void interval(@ForAll("intervals") PeriodDuration v) throws SQLException {
        String mine = text("interval", v);
        String theirs = theirText("interval", toPgInterval(v));
        assertThat(mine).isEqualTo(theirs);
        PeriodDuration decoded = (PeriodDuration) decode("SELECT $1::interval AS v", v);
        PGInterval oracle = (PGInterval) pgjdbc("interval", toPgInterval(v), rs -> rs.getObject(1));
        assertThat(decoded.getPeriod()).isEqualTo(Period.of(oracle.getYears(), oracle.getMonths(), oracle.getDays()));
        long oracleMicros = oracle.getHours() * 3_600_000_000L
                + oracle.getMinutes() * 60_000_000L
                + Math.round(oracle.getSeconds() * 1_000_000);
        assertThat(decoded.getDuration().toNanos() / 1000).isEqualTo(oracleMicros);
        followUp();
    }

    @Property(tries = TRIES)
    void json(@ForAll("jsons") String v) throws SQLException {
        same("jsonb", v, rs -> rs.getString(1));
        same("json", v, rs -> rs.getString(1));
    }

    // ------------------------------------------------------------------ arrays

    @Property(tries = TRIES)
    void int4Arrays(@ForAll("intLists") List<Integer> v) throws SQLException {
        arrays("int4", v, "int4");
    }

    @Property(tries = TRIES)
    void textArrays(@ForAll("textLists") List<String> v) throws SQLException {
        arrays("text", v, "text");
    }

    @Property(tries = TRIES)
    void numericArrays(@ForAll("numericLists") List<Object> v) throws SQLException {
        List<Object> expected = new ArrayList<>();
        for (Object o : v) {
            expected.add(o == null ? null : pgjdbc("numeric", o, rs -> rs.getObject(1)));
        }
        assertThat(decode("SELECT $1::numeric[] AS v", v)).isEqualTo(expected);
        followUp();
    }

    @Property(tries = TRIES)
    void dateArrays(@ForAll("dateLists") List<LocalDate> v) throws SQLException {
        assertThat(decode("SELECT $1::date[] AS v", v)).isEqualTo(v);
        List<Object> oracle = new ArrayList<>();
        for (LocalDate d : v) {
            oracle.add(d == null ? null : pgjdbc("date", d, rs -> rs.getObject(1, LocalDate.class)));
        }
        assertThat(decode("SELECT $1::date[] AS v", v)).isEqualTo(oracle);
        followUp();
    }

    @Property(tries = TRIES)
    void timestamptzArrays(@ForAll("offsetDateTimeLists") List<OffsetDateTime> v) throws SQLException {
        List<Object> oracle = new ArrayList<>();
        for (OffsetDateTime d : v) {
            oracle.add(d == null ? null : pgjdbc("timestamptz", d, rs -> rs.getObject(1, OffsetDateTime.class)));
        }
        assertThat(decode("SELECT $1::timestamptz[] AS v", v)).isEqualTo(oracle);
        followUp();
    }

    @Property(tries = TRIES)
    void byteaArrays(@ForAll("byteaLists") List<byte[]> v) throws SQLException {
        Object decoded = decode("SELECT $1::bytea[] AS v", v);
        assertThat((List<?>) decoded).hasSize(v.size());
        for (int i = 0; i < v.size(); i++) {
            assertThat(((List<?>) decoded).get(i)).isEqualTo(v.get(i));
        }
        followUp();
    }

    @Property(tries = TRIES)
    void intervalArrays(@ForAll("intervalLists") List<PeriodDuration> v) throws SQLException {
        List<Object> oracle = new ArrayList<>();
        for (PeriodDuration d : v) {
            oracle.add(d == null ? null : decode("SELECT $1::interval AS v", d));
        }
        assertThat(decode("SELECT $1::interval[] AS v", v)).isEqualTo(oracle);
        followUp();
    }

    @Property(tries = TRIES)
    void jsonbArrays(@ForAll("jsonLists") List<String> v) throws SQLException {
        List<Object> oracle = new ArrayList<>();
        for (String s : v) {
            oracle.add(s == null ? null : pgjdbc("jsonb", s, rs -> rs.getString(1)));
        }
        assertThat(decode("SELECT $1::text[]::jsonb[] AS v", v)).isEqualTo(oracle);
        followUp();
    }

    @Property(tries = 40)
    void arraysWithExplicitBoundsAndSeveralDimensions(@ForAll("intLists") List<Integer> v) throws SQLException {
        List<Integer> nonNull = v.stream().map(i -> i == null ? 0 : i).toList();
        String literal = "[0:" + (nonNull.size() - 1) + "]={"
                + String.join(",", nonNull.stream().map(String::valueOf).toList()) + "}";
        if (!nonNull.isEmpty()) {
            assertThat(decode("SELECT $1::int4[] AS v", literal)).isEqualTo(nonNull);
        }
        assertThat(decode("SELECT ARRAY[$1::int4[], $1::int4[]] AS v", nonNull))
                .isEqualTo(nonNull.isEmpty() ? List.of() : List.of(nonNull, nonNull));
        followUp();
    }

    // ------------------------------------------------------------------ through a table: query, batch, stream

    @Property(tries = 25)
    void rowsReadBackTheSameThroughQueryBatchAndStream(@ForAll("rows") List<Object[]> rows) {
        String table = "vdiff_" + TAGS.incrementAndGet();
        Await.result(engine.runDdl("CREATE TABLE " + table + " (id int PRIMARY KEY, t text, n numeric, d date, "
                + "ts timestamptz, b bytea, i interval, a int4[], j jsonb)"));
        try {
            for (int i = 0; i < rows.size(); i++) {
                Object[] r = rows.get(i);
                Await.result(engine.execute(
                        "INSERT INTO " + table + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::jsonb)",
                        i,
                        r[0],
                        r[1],
                        r[2],
                        r[3],
                        r[4],
                        r[5],
                        r[6],
                        r[7]));
            }
            String select = "SELECT t, n, d, ts, b, i, a, j FROM " + table + " ORDER BY id";
            List<Row> viaQuery = Await.result(engine.query(select));
            List<Row> viaBatch = new ArrayList<>();
            Batch batch = Await.result(engine.batch(select, List.of(), 3));
            for (List<Row> next = Await.result(batch.next()); !next.isEmpty(); next = Await.result(batch.next())) {
                viaBatch.addAll(next);
            }
            List<Row> viaStream = collect(engine.stream(select, List.of(), 2));
            assertThat(viaQuery).hasSize(rows.size());
            for (int i = 0; i < rows.size(); i++) {
                Object[] r = rows.get(i);
                Row q = viaQuery.get(i);
                assertThat(q.get("t")).isEqualTo(r[0]);
                assertThat(q.get("n")).isEqualTo(r[1] == null ? null : decode("SELECT $1::numeric AS v", r[1]));
                assertThat(q.get("d")).isEqualTo(r[2]);
                assertThat(q.get("ts")).isEqualTo(r[3] == null ? null : utc((OffsetDateTime) r[3]));
                assertThat(q.get("b")).isEqualTo(r[4]);
                assertThat(q.get("a")).isEqualTo(r[6]);
                assertThat(sameRow(q, viaBatch.get(i))).isTrue();
                assertThat(sameRow(q, viaStream.get(i))).isTrue();
            }
            followUp();
        } finally {
            Await.result(engine.runDdl("DROP TABLE " + table));
        }
    }

    private static OffsetDateTime utc(OffsetDateTime t) {
        return t.equals(OffsetDateTime.MAX) || t.equals(OffsetDateTime.MIN)
                ? t
                : t.withOffsetSameInstant(ZoneOffset.UTC);
    }

    private static boolean sameRow(Row a, Row b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (String k : a.keySet()) {
            Object x = a.get(k);
            Object y = b.get(k);
            if ((x instanceof byte[] bx && y instanceof byte[] by)
                    ? !Arrays.equals(bx, by)
                    : !java.util.Objects.equals(x, y)) {
                return false;
            }
        }
        return true;
    }

    private static List<Row> collect(Flow.Publisher<Row> publisher) {
        java.util.concurrent.CompletableFuture<List<Row>> done = new java.util.concurrent.CompletableFuture<>();
        List<Row> out = new java.util.concurrent.CopyOnWriteArrayList<>();
        publisher.subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(Row item) {
                out.add(item);
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                done.complete(out);
            }
        });
        return Await.result(done);
    }

    // ------------------------------------------------------------------ the comparisons

    /** Checks encoding (server text) and decoding against pgjdbc, then that the next answer is the next query's. */
    private <T> void same(String type, T value, SqlFunction<ResultSet, Object> read) throws SQLException {
        assertThat(text(type, value))
                .as("server text of pgengine's %s parameter", type)
                .isEqualTo(theirText(type, value));
        Object mine = decode("SELECT $1::" + type + " AS v", value);
        Object theirs = pgjdbc(type, value, read);
        if (mine instanceof byte[] m && theirs instanceof byte[] t) {
            assertThat(m).isEqualTo(t);
        } else {
            assertThat(mine).as("%s decoded", type).isEqualTo(theirs);
        }
        followUp();
    }

    private void arrays(String elementType, List<?> v, String pgjdbcName) throws SQLException {
        String mine = text(elementType + "[]", v);
        String theirs;
        try (PreparedStatement ps = jdbc.prepareStatement("SELECT ?::" + elementType + "[]::text")) {
            ps.setArray(1, jdbc.createArrayOf(pgjdbcName, v.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                theirs = rs.getString(1);
            }
        }
        assertThat(mine).isEqualTo(theirs);
        assertThat(decode("SELECT $1::" + elementType + "[] AS v", v)).isEqualTo(v);
        followUp();
    }

    private static String text(String type, Object value) {
        return (String) decode("SELECT $1::" + type + "::text AS v", value);
    }

    private static Object decode(String sql, Object value) {
        return Await.result(engine.query(sql, value)).get(0).get("v");
    }

    private static String theirText(String type, Object value) throws SQLException {
        return (String) pgjdbc(type + "::text", value, rs -> rs.getString(1));
    }

    private static Object pgjdbc(String type, Object value, SqlFunction<ResultSet, Object> read) throws SQLException {
        try (PreparedStatement ps = jdbc.prepareStatement("SELECT ?::" + type)) {
            ps.setObject(1, value);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return read.apply(rs);
            }
        }
    }

    /** The next caller on the single connection gets its own answer. */
    private static void followUp() {
        String tag = "tag-" + TAGS.incrementAndGet();
        assertThat(Await.result(engine.query("SELECT $1::text AS tag", tag))
                        .get(0)
                        .get("tag"))
                .isEqualTo(tag);
    }

    @SuppressWarnings("JavaPeriodGetDays") // the days field on its own, as an interval has it
    private static PGInterval toPgInterval(PeriodDuration v) {
        Duration d = v.getDuration();
        long micros = d.toNanos() / 1000;
        return new PGInterval(
                v.getPeriod().getYears(),
                v.getPeriod().getMonths(),
                v.getPeriod().getDays(),
                0,
                0,
                micros / 1_000_000.0);
    }

    @FunctionalInterface
    interface SqlFunction<A, B> {
        B apply(A a) throws SQLException;
    }

    // ------------------------------------------------------------------ generators

    @Provide
    Arbitrary<BigDecimal> decimals() {
        return Arbitraries.oneOf(
                Arbitraries.bigDecimals()
                        .between(new BigDecimal("-1e30"), new BigDecimal("1e30"))
                        .ofScale(6),
                Arbitraries.bigIntegers()
                        .between(BigInteger.TEN.pow(40).negate(), BigInteger.TEN.pow(40))
                        .flatMap(u -> Arbitraries.integers().between(-20, 60).map(scale -> new BigDecimal(u, scale))),
                Arbitraries.of(
                        BigDecimal.ZERO, new BigDecimal("0.000"), new BigDecimal("1E+50"), new BigDecimal("-1E-50")));
    }

    @Provide
    Arbitrary<Float> floats() {
        return Arbitraries.floats()
                .withSpecialValue(Float.NaN)
                .withSpecialValue(Float.POSITIVE_INFINITY)
                .withSpecialValue(Float.NEGATIVE_INFINITY)
                .withSpecialValue(-0.0f)
                .withSpecialValue(Float.MIN_VALUE)
                .withSpecialValue(Float.MAX_VALUE);
    }

    @Provide
    Arbitrary<Double> doubles() {
        return Arbitraries.doubles()
                .withSpecialValue(Double.NaN)
                .withSpecialValue(Double.POSITIVE_INFINITY)
                .withSpecialValue(Double.NEGATIVE_INFINITY)
                .withSpecialValue(-0.0)
                .withSpecialValue(Double.MIN_VALUE)
                .withSpecialValue(Double.MAX_VALUE)
                .withSpecialValue(0.1 + 0.2);
    }

    @Provide
    Arbitrary<String> addresses() {
        Arbitrary<String> v4 = Arbitraries.integers()
                .between(0, 255)
                .list()
                .ofSize(4)
                .map(l -> String.join(".", l.stream().map(String::valueOf).toList()));
        Arbitrary<String> v6 = Arbitraries.integers()
                .between(0, 0xffff)
                .list()
                .ofSize(8)
                .map(l -> String.join(":", l.stream().map(Integer::toHexString).toList()));
        Arbitrary<String> mapped = v4.map(a -> "::ffff:" + a);
        return Arbitraries.oneOf(
                v4,
                v6,
                mapped,
                Combinators.combine(v4, Arbitraries.integers().between(0, 32)).as((a, m) -> a + "/" + m),
                Combinators.combine(v6, Arbitraries.integers().between(0, 128)).as((a, m) -> a + "/" + m),
                Arbitraries.of("::1", "::", "192.168.0.1/24", "::ffff:1.2.3.4", "fe80::1"));
    }

    @Provide
    Arbitrary<List<OffsetTime>> offsetTimeLists() {
        return offsetTimes().injectNull(0.1).list().ofMaxSize(5);
    }

    @Provide
    Arbitrary<BigInteger> bigIntegers() {
        return Arbitraries.bigIntegers().between(BigInteger.TEN.pow(60).negate(), BigInteger.TEN.pow(60));
    }

    @Provide
    Arbitrary<String> texts() {
        Arbitrary<String> any = Arbitraries.integers()
                .between(1, 0x10FFFF)
                .filter(cp -> cp < 0xD800 || cp > 0xDFFF)
                .map(Character::toString)
                .list()
                .ofMaxSize(30)
                .map(l -> String.join("", l));
        Arbitrary<String> tricky = Arbitraries.of(
                "",
                " ",
                "NULL",
                "null",
                "\"",
                "\\",
                "'",
                "{}",
                "{a,b}",
                ",",
                "\\x00",
                "a\"b\\c",
                "  leading",
                "trailing  ",
                "\t\n\r",
                "😀",
                "é",
                "$1",
                "?",
                "$$",
                "--",
                "/*");
        return Arbitraries.oneOf(any, tricky, Combinators.combine(tricky, any).as((a, b) -> a + b));
    }

    @Provide
    Arbitrary<UUID> uuids() {
        return Arbitraries.create(UUID::randomUUID);
    }

    /** PostgreSQL's date range, 4713 BC to 5874897 AD, with the edges, the year-0 border, infinity and big years. */
    @Provide
    Arbitrary<LocalDate> dates() {
        LocalDate first = LocalDate.of(-4712, 1, 1);
        LocalDate last = LocalDate.of(294_275, 12, 31);
        return Arbitraries.oneOf(
                Arbitraries.longs()
                        .between(first.toEpochDay(), last.toEpochDay())
                        .map(LocalDate::ofEpochDay),
                Arbitraries.longs()
                        .between(
                                LocalDate.of(-50, 1, 1).toEpochDay(),
                                LocalDate.of(50, 1, 1).toEpochDay())
                        .map(LocalDate::ofEpochDay),
                Arbitraries.of(
                        first,
                        last,
                        LocalDate.of(0, 12, 31),
                        LocalDate.of(1, 1, 1),
                        LocalDate.of(9999, 12, 31),
                        LocalDate.of(10_000, 1, 1),
                        LocalDate.of(1582, 10, 10),
                        LocalDate.MAX,
                        LocalDate.MIN));
    }

    @Provide
    Arbitrary<LocalTime> times() {
        return Arbitraries.oneOf(
                Arbitraries.longs().between(0, 86_399_999_999L).map(us -> LocalTime.ofNanoOfDay(us * 1000)),
                Arbitraries.of(
                        LocalTime.MIDNIGHT,
                        LocalTime.MAX,
                        LocalTime.of(23, 59, 59, 999_999_000),
                        LocalTime.of(12, 0, 0, 1)));
    }

    @Provide
    Arbitrary<OffsetTime> offsetTimes() {
        Arbitrary<ZoneOffset> offsets = Arbitraries.oneOf(
                Arbitraries.integers()
                        .between(-15 * 3600 - 3599, 15 * 3600 + 3599)
                        .map(ZoneOffset::ofTotalSeconds),
                Arbitraries.of(
                        ZoneOffset.UTC,
                        ZoneOffset.ofHoursMinutesSeconds(5, 21, 10),
                        ZoneOffset.ofHoursMinutes(-3, -30)));
        return Combinators.combine(times(), offsets).as(OffsetTime::of);
    }

    @Provide
    Arbitrary<LocalDateTime> dateTimes() {
        Arbitrary<LocalDateTime> regular = Combinators.combine(
                        Arbitraries.longs()
                                .between(
                                        LocalDate.of(-4712, 1, 1).toEpochDay(),
                                        LocalDate.of(294_275, 12, 31).toEpochDay()),
                        Arbitraries.longs().between(0, 86_399_999_999L))
                .as((day, us) -> LocalDateTime.of(LocalDate.ofEpochDay(day), LocalTime.ofNanoOfDay(us * 1000)));
        return Arbitraries.oneOf(
                regular,
                Arbitraries.of(
                        LocalDateTime.MAX,
                        LocalDateTime.MIN,
                        LocalDateTime.of(-43, 3, 15, 12, 0),
                        LocalDateTime.of(10_000, 1, 1, 0, 0, 0, 123_000)));
    }

    @Provide
    Arbitrary<OffsetDateTime> offsetDateTimes() {
        Arbitrary<OffsetDateTime> regular = Combinators.combine(
                        dateTimes()
                                .filter(t -> !t.equals(LocalDateTime.MAX)
                                        && !t.equals(LocalDateTime.MIN)
                                        && t.getYear() > -4712
                                        && t.getYear() < 294_275),
                        Arbitraries.integers().between(-15 * 3600, 15 * 3600).map(ZoneOffset::ofTotalSeconds))
                .as(OffsetDateTime::of);
        return Arbitraries.oneOf(
                regular,
                Arbitraries.of(
                        OffsetDateTime.MAX,
                        OffsetDateTime.MIN,
                        OffsetDateTime.of(1900, 1, 1, 0, 0, 0, 0, ZoneOffset.ofHoursMinutesSeconds(5, 21, 10))));
    }

    @Provide
    Arbitrary<PeriodDuration> intervals() {
        return Combinators.combine(
                        Arbitraries.integers().between(-1000, 1000),
                        Arbitraries.integers().between(-11, 11),
                        Arbitraries.integers().between(-400, 400),
                        Arbitraries.longs().between(-500L * 3_600_000_000L, 500L * 3_600_000_000L))
                .as((y, m, d, us) -> PeriodDuration.of(Period.of(y, m, d), Duration.of(us, ChronoUnit.MICROS)));
    }

    @Provide
    Arbitrary<String> jsons() {
        Arbitrary<String> keys = texts().filter(s -> !s.isEmpty()).map(ValueDifferentialTest::jsonString);
        Arbitrary<String> scalars = Arbitraries.oneOf(
                texts().map(ValueDifferentialTest::jsonString),
                Arbitraries.integers().map(String::valueOf),
                Arbitraries.of("true", "false", "null", "1.5e10", "-0"));
        return Arbitraries.oneOf(
                scalars,
                Combinators.combine(keys, scalars).as((k, v) -> "{" + k + ": " + v + "}"),
                scalars.list().ofMaxSize(4).map(l -> "[" + String.join(", ", l) + "]"));
    }

    private static String jsonString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    @Provide
    Arbitrary<List<Integer>> intLists() {
        return Arbitraries.integers().injectNull(0.1).list().ofMaxSize(8);
    }

    @Provide
    Arbitrary<List<String>> textLists() {
        return texts().injectNull(0.1).list().ofMaxSize(6);
    }

    @Provide
    Arbitrary<List<Object>> numericLists() {
        return Arbitraries.oneOf(decimals().map(d -> (Object) d), Arbitraries.just(Double.NaN))
                .injectNull(0.1)
                .list()
                .ofMaxSize(6);
    }

    @Provide
    Arbitrary<List<LocalDate>> dateLists() {
        return dates().injectNull(0.1).list().ofMaxSize(6);
    }

    @Provide
    Arbitrary<List<OffsetDateTime>> offsetDateTimeLists() {
        return offsetDateTimes().injectNull(0.1).list().ofMaxSize(6);
    }

    @Provide
    Arbitrary<List<byte[]>> byteaLists() {
        return Arbitraries.bytes()
                .array(byte[].class)
                .ofMaxSize(20)
                .injectNull(0.1)
                .list()
                .ofMaxSize(5);
    }

    @Provide
    Arbitrary<List<PeriodDuration>> intervalLists() {
        return intervals().injectNull(0.1).list().ofMaxSize(5);
    }

    @Provide
    Arbitrary<List<String>> jsonLists() {
        return jsons().injectNull(0.1).list().ofMaxSize(5);
    }

    @Provide
    Arbitrary<List<Object[]>> rows() {
        Arbitrary<Object[]> row = Combinators.combine(
                        texts().injectNull(0.1),
                        decimals().injectNull(0.1),
                        dates().injectNull(0.1),
                        offsetDateTimes().injectNull(0.1),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(30).injectNull(0.1),
                        intervals().injectNull(0.1),
                        intLists().injectNull(0.1),
                        jsons().injectNull(0.1))
                .as((t, n, d, ts, b, i, a, j) -> new Object[] {t, n, d, ts, b, i, a, j});
        return row.list().ofMinSize(1).ofMaxSize(12);
    }
}
