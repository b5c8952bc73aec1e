package io.github.pgengine.internal.driver;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.threeten.extra.PeriodDuration;

class TextDecodersTest {

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
                .isEqualTo("P1Y-2M3DT-0.000001S");
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
