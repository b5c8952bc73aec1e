package io.github.pgengine.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pgengine.Intervals;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.threeten.extra.PeriodDuration;

class TextDecodersUnitTest {

    @Test
    void decodesTimestamptzWithAnyOffsetToUtc() {
        assertThat(TemporalText.timestamptz("2024-06-01 12:00:00+05:30"))
                .isEqualTo(OffsetDateTime.of(2024, 6, 1, 6, 30, 0, 0, ZoneOffset.UTC));
        assertThat(TemporalText.timestamptz("1900-01-01 00:00:00+05:21:10"))
                .isEqualTo(OffsetDateTime.of(1899, 12, 31, 18, 38, 50, 0, ZoneOffset.UTC));
        assertThat(TemporalText.timestamptz("2024-02-29 11:14:15.123456+00"))
                .isEqualTo(OffsetDateTime.of(2024, 2, 29, 11, 14, 15, 123_456_000, ZoneOffset.UTC));
    }

    @Test
    void decodesInfinityAndBcAndBigYears() {
        assertThat(TemporalText.timestamptz("infinity")).isEqualTo(OffsetDateTime.MAX);
        assertThat(TemporalText.timestamp("-infinity")).isEqualTo(LocalDateTime.MIN);
        assertThat(TemporalText.date("0044-03-15 BC")).isEqualTo(LocalDate.of(-43, 3, 15));
        assertThat(TemporalText.date("10000-01-01")).isEqualTo(LocalDate.of(10000, 1, 1));
        assertThat(TemporalText.timestamptz("0044-03-15 12:00:00+00 BC").getYear())
                .isEqualTo(-43);
        assertThat(TemporalText.time("24:00:00")).isEqualTo(LocalTime.MAX);
        assertThat(TemporalText.timetz("24:00:00+05:21:10"))
                .isEqualTo(OffsetTime.of(LocalTime.MAX, ZoneOffset.ofHoursMinutesSeconds(5, 21, 10)));
    }

    @Test
    void formatsWhatItDecodes() {
        assertThat(TemporalText.format(LocalDate.of(-43, 3, 15))).isEqualTo("0044-03-15 BC");
        assertThat(TemporalText.format(LocalDate.MAX)).isEqualTo("infinity");
        assertThat(TemporalText.format(LocalDate.of(12345, 1, 2))).isEqualTo("12345-01-02");
        assertThat(TemporalText.format(LocalTime.MAX)).isEqualTo("24:00:00");
        assertThat(TemporalText.format(LocalDateTime.of(2024, 12, 31, 23, 59, 59, 999_999_600)))
                .isEqualTo("2025-01-01 00:00:00");
        assertThat(TemporalText.format(OffsetTime.of(10, 0, 0, 1000, ZoneOffset.ofHoursMinutesSeconds(5, 21, 10))))
                .isEqualTo("10:00:00.000001+05:21:10");
        assertThat(TemporalText.format(OffsetDateTime.of(2024, 1, 1, 0, 0, 0, 0, ZoneOffset.ofHours(2))))
                .isEqualTo("2023-12-31 22:00:00+00");
    }

    @Test
    void decodesNumericSpecialValues() {
        assertThat(TextDecoders.decodeText(PgTypes.NUMERIC, "NaN")).isEqualTo(Double.NaN);
        assertThat(TextDecoders.decodeText(PgTypes.NUMERIC, "-Infinity")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(TextDecoders.decodeText(PgTypes.NUMERIC, "12.50")).isEqualTo(new BigDecimal("12.50"));
    }

    @Test
    void decodesIntervalsOfEverySign() {
        assertThat(IntervalText.parse("-1 years -2 mons +3 days -04:05:06.789001"))
                .isEqualTo(PeriodDuration.of(
                        Period.of(-1, -2, 3),
                        Duration.ofHours(-4).minusMinutes(5).minusSeconds(6).minusNanos(789_001_000)));
        assertThat(IntervalText.parse("00:00:00.000001")).isEqualTo(PeriodDuration.of(Duration.ofNanos(1000)));
        assertThat(IntervalText.parse("P1Y2M3DT-4H5M6.5S"))
                .isEqualTo(PeriodDuration.of(
                        Period.of(1, 2, 3), Duration.ofHours(-4).plusMinutes(5).plusMillis(6500)));
        assertThat(IntervalText.format(Period.of(1, -2, 3), Duration.ofNanos(-1000)))
                .isEqualTo("P1Y-2M3DT0H0M-0.000001S");
    }

    /** Each style's output as PostgreSQL 17 prints it (captured with psql), and the interval it stands for. */
    @Test
    void readsTheOutputOfEveryIntervalStyle() {
        PeriodDuration mixed = PeriodDuration.of(Period.of(0, -10, -3), Duration.parse("PT4H5M6.789S"));
        PeriodDuration max = PeriodDuration.of(Duration.of(Long.MAX_VALUE, ChronoUnit.MICROS));
        PeriodDuration min = PeriodDuration.of(Duration.of(Long.MIN_VALUE, ChronoUnit.MICROS));
        PeriodDuration dayLessASecond = PeriodDuration.of(Period.ofDays(1), Duration.ofSeconds(-1));
        PeriodDuration allNegative = PeriodDuration.of(Period.ofDays(-3), Duration.parse("-PT4H5M6S"));
        PeriodDuration tiny = PeriodDuration.of(Duration.ofNanos(-5000));
        Map<String, PeriodDuration> outputs = new LinkedHashMap<>();
        // postgres
        outputs.put("00:00:00", PeriodDuration.ZERO);
        outputs.put("-10 mons -3 days +04:05:06.789", mixed);
        outputs.put("178000000 years", PeriodDuration.of(Period.ofYears(178_000_000)));
        outputs.put("-178000000 years", PeriodDuration.of(Period.ofYears(-178_000_000)));
        outputs.put("2562047788:00:54.775807", max);
        outputs.put("-2562047788:00:54.775808", min);
        outputs.put("1 day -00:00:01", dayLessASecond);
        outputs.put("-3 days -04:05:06", allNegative);
        outputs.put("-1 years -2 mons", PeriodDuration.of(Period.of(-1, -2, 0)));
        outputs.put("-00:00:00.000005", tiny);
        // postgres_verbose
        outputs.put("@ 0", PeriodDuration.ZERO);
        outputs.put("@ 10 mons 3 days -4 hours -5 mins -6.789 secs ago", mixed);
        outputs.put("@ 178000000 years ago", PeriodDuration.of(Period.ofYears(-178_000_000)));
        outputs.put("@ 2562047788 hours 54.775807 secs", max);
        outputs.put("@ 2562047788 hours 54.775808 secs ago", min);
        outputs.put("@ 1 day -1 sec", dayLessASecond);
        outputs.put("@ 3 days 4 hours 5 mins 6 secs ago", allNegative);
        outputs.put("@ 1 year 2 mons ago", PeriodDuration.of(Period.of(-1, -2, 0)));
        outputs.put("@ 0.000005 secs ago", tiny);
        outputs.put("@ 1 day", PeriodDuration.of(Period.ofDays(1)));
        // sql_standard
        outputs.put("0", PeriodDuration.ZERO);
        outputs.put("-0-10 -3 +4:05:06.789", mixed);
        outputs.put("178000000-0", PeriodDuration.of(Period.ofYears(178_000_000)));
        outputs.put("-178000000-0", PeriodDuration.of(Period.ofYears(-178_000_000)));
        outputs.put("2562047788:00:54.775807", max);
        outputs.put("+0-0 +1 -0:00:01", dayLessASecond);
        outputs.put("-3 4:05:06", allNegative); // a leading sign alone: every field
        outputs.put("-1-2", PeriodDuration.of(Period.of(-1, -2, 0)));
        outputs.put("-0:00:00.000005", tiny);
        outputs.put("1 0:00:00", PeriodDuration.of(Period.ofDays(1)));
        outputs.put("+1-2 +3 +4:05:06.789", PeriodDuration.of(Period.of(1, 2, 3), Duration.parse("PT4H5M6.789S")));
        outputs.put("-1-2 -3 -4:05:06", PeriodDuration.of(Period.of(-1, -2, -3), Duration.parse("-PT4H5M6S")));
        // iso_8601
        outputs.put("PT0S", PeriodDuration.ZERO);
        outputs.put("P-10M-3DT4H5M6.789S", mixed);
        outputs.put("P178000000Y", PeriodDuration.of(Period.ofYears(178_000_000)));
        outputs.put("PT2562047788H54.775807S", max);
        outputs.put("PT-2562047788H-54.775808S", min);
        outputs.put("P1DT-1S", dayLessASecond);
        outputs.put("P-3DT-4H-5M-6S", allNegative);
        outputs.put("PT-0.000005S", tiny);
        outputs.put("P1W", PeriodDuration.of(Period.ofDays(7)));
        // PostgreSQL 17's infinities, in every style
        outputs.put("infinity", Intervals.INFINITY);
        outputs.put("-infinity", Intervals.MINUS_INFINITY);
        outputs.forEach(
                (text, value) -> assertThat(IntervalText.parse(text)).as(text).isEqualTo(value));
    }

    @Test
    void refusesTextThatIsNoIntervalStylesOutput() {
        for (String text : List.of(
                "",
                " ",
                "1",
                "1 day 2",
                "1 fortnight",
                "1 day 1 day",
                "00:00",
                "0:0:00",
                "00:00:60",
                "00:60:00",
                "1:00:00:00",
                "1 0:00:00 2",
                "--2147483648:00:00", // PostgreSQL 14's text for -2^31 hours
                "1-",
                "-",
                "@",
                "@ 1",
                "@ 1 day ago ago",
                "@ 1 days 2",
                "P",
                "PT",
                "P1H",
                "PT1Y",
                "P1M1Y",
                "PT1S1M",
                "P1.5Y",
                "PT1.0000000001S",
                "Infinity",
                "١ day", // an Arabic-Indic digit: Java's parsers take it, the server never writes it
                "1 day 99999999999999999999:00:00")) {
            assertThatThrownBy(() -> IntervalText.parse(text)).as("'%s'", text).isInstanceOf(RuntimeException.class);
        }
    }

    @Test
    void writesTheTimePartAsWholeHoursMinutesAndSecondsBelowSixty() {
        assertThat(IntervalText.format(Period.ZERO, Duration.of(Long.MAX_VALUE, ChronoUnit.MICROS)))
                .isEqualTo("P0Y0M0DT2562047788H0M54.775807S");
        assertThat(IntervalText.format(Period.ZERO, Duration.of(Long.MIN_VALUE, ChronoUnit.MICROS)))
                .isEqualTo("P0Y0M0DT-2562047788H0M-54.775808S");
        assertThat(IntervalText.format(Period.of(-1, 2, -3), Duration.parse("-PT4H5M6.7S")))
                .isEqualTo("P-1Y2M-3DT-4H-5M-6.7S");
        assertThat(IntervalText.format(Period.ZERO, Duration.ofNanos(1500))).isEqualTo("P0Y0M0DT0H0M0.000002S");
        assertThat(IntervalText.format(Period.ZERO, Duration.ofNanos(-1500))).isEqualTo("P0Y0M0DT0H0M-0.000001S");
        assertThat(IntervalText.format(Intervals.INFINITY)).isEqualTo("infinity");
        assertThat(IntervalText.format(Intervals.MINUS_INFINITY)).isEqualTo("-infinity");
        assertThatThrownBy(() -> IntervalText.format(Period.ZERO, Duration.ofSeconds(Long.MAX_VALUE)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("out of range for interval");
    }

    @Test
    void refusesOtherOutputOfTheTypesItDecodes() {
        List<Map.Entry<Integer, String>> bad = List.of(
                Map.entry(PgTypes.BOOL, "1"),
                Map.entry(PgTypes.BYTEA, "\\x012"),
                Map.entry(PgTypes.TIME, "12:00:01 extra"),
                Map.entry(PgTypes.TIME, "24:30:00"),
                Map.entry(PgTypes.DATE, "8825"),
                Map.entry(PgTypes.TIMESTAMPTZ, "2024-02-29 12:00:00+05:30:00:01"),
                Map.entry(PgTypes.INT4_ARRAY, "{1,2"),
                Map.entry(PgTypes.INT4_ARRAY, "{1,x}"),
                Map.entry(PgTypes.BYTEA_ARRAY, "{\"\\\\x0\"}"));
        for (Map.Entry<Integer, String> e : bad) {
            assertThatThrownBy(() -> TextDecoders.decodeText(e.getKey(), e.getValue()))
                    .as("%s '%s'", e.getKey(), e.getValue())
                    .isInstanceOf(RuntimeException.class);
        }
        assertThatThrownBy(() -> TextDecoders.byteaText("\\400")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TextDecoders.byteaText("a\\01")).isInstanceOf(IllegalArgumentException.class);
        byte[] odd = "\\x012".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> TextDecoders.decode(PgTypes.BYTEA, odd, 0, odd.length))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("odd number");
    }

    @Test
    void decodesArraysOfEveryShape() {
        assertThat(TextDecoders.decodeText(PgTypes.NUMERIC_ARRAY, "{1.5,NaN,NULL}"))
                .isEqualTo(Arrays.asList(new BigDecimal("1.5"), Double.NaN, null));
        assertThat(TextDecoders.decodeText(PgTypes.INT4_ARRAY, "[0:2]={1,2,3}")).isEqualTo(List.of(1, 2, 3));
        assertThat(TextDecoders.decodeText(PgTypes.INT4_ARRAY, "{{1,2},{3,4}}"))
                .isEqualTo(List.of(List.of(1, 2), List.of(3, 4)));
        assertThat(TextDecoders.decodeText(3807, "{\"{\\\"a\\\": 1}\",NULL}"))
                .isEqualTo(Arrays.asList("{\"a\": 1}", null));
        assertThat((List<?>) TextDecoders.decodeText(PgTypes.BYTEA_ARRAY, "{\"\\\\x0102\"}"))
                .singleElement()
                .isEqualTo(new byte[] {1, 2});
        assertThat(TextDecoders.decodeText(PgTypes.DATE_ARRAY, "{infinity,\"0044-03-15 BC\"}"))
                .isEqualTo(List.of(LocalDate.MAX, LocalDate.of(-43, 3, 15)));
        assertThat(TextDecoders.decodeText(PgTypes.TEXT_ARRAY, "{}")).isEqualTo(List.of());
    }
}
