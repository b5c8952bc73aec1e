package io.github.pgengine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ValueDecodersTest {

    @Test
    void decodesTimestamptzWithAnyOffset() {
        assertThat(ValueDecoders.timestamptz("2024-06-01 12:00:00+05:30"))
                .isEqualTo(OffsetDateTime.of(2024, 6, 1, 12, 0, 0, 0, ZoneOffset.ofHoursMinutes(5, 30)));
        assertThat(ValueDecoders.timestamptz("1900-01-01 00:00:00+05:21:10").getOffset())
                .isEqualTo(ZoneOffset.ofHoursMinutesSeconds(5, 21, 10));
        assertThat(ValueDecoders.timestamptz("2024-02-29 11:14:15.123456+00"))
                .isEqualTo(OffsetDateTime.of(2024, 2, 29, 11, 14, 15, 123_456_000, ZoneOffset.UTC));
        assertThat(ValueDecoders.timestamptz("2024-01-01 00:00:00-03").getOffset()).isEqualTo(ZoneOffset.ofHours(-3));
    }

    @Test
    void decodesInfinityAndBcAndBigYears() {
        assertThat(ValueDecoders.timestamptz("infinity")).isEqualTo(OffsetDateTime.MAX);
        assertThat(ValueDecoders.timestamp("-infinity")).isEqualTo(LocalDateTime.MIN);
        assertThat(ValueDecoders.date("0044-03-15 BC")).isEqualTo(LocalDate.of(-43, 3, 15));
        assertThat(ValueDecoders.date("10000-01-01")).isEqualTo(LocalDate.of(10000, 1, 1));
        assertThat(ValueDecoders.timestamptz("0044-03-15 12:00:00+00 BC").getYear()).isEqualTo(-43);
    }

    @Test
    void decodesNumericSpecialValues() {
        assertThat(ValueDecoders.decodeText(1700, "NaN")).isEqualTo(Double.NaN);
        assertThat(ValueDecoders.decodeText(1700, "-Infinity")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(ValueDecoders.decodeText(1700, "12.50")).isEqualTo(new BigDecimal("12.50"));
    }
}
