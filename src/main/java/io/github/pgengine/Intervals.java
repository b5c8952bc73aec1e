package io.github.pgengine;

import java.time.Duration;
import java.time.Period;
import org.threeten.extra.PeriodDuration;

/**
 * The Java values of PostgreSQL 17's infinite intervals. As an infinite {@code date} is {@link java.time.LocalDate#MAX}
 * or {@code MIN}, an infinite {@code interval} is the {@link PeriodDuration} with every part at its largest or
 * smallest Java value, which no finite interval can be (PostgreSQL keeps months in 32 bits). Reading
 * {@code 'infinity'::interval} gives {@link #INFINITY}; sending {@link #INFINITY} as a parameter sends
 * {@code infinity}, and the same holds for {@link #MINUS_INFINITY}.
 */
public final class Intervals {
    /**
     * {@code infinity}: {@code Period.of(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE)} and
     * {@code Duration.ofSeconds(Long.MAX_VALUE, 999_999_999)}.
     */
    public static final PeriodDuration INFINITY = PeriodDuration.of(
            Period.of(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE),
            Duration.ofSeconds(Long.MAX_VALUE, 999_999_999));

    /**
     * {@code -infinity}: {@code Period.of(Integer.MIN_VALUE, Integer.MIN_VALUE, Integer.MIN_VALUE)} and
     * {@code Duration.ofSeconds(Long.MIN_VALUE)}.
     */
    public static final PeriodDuration MINUS_INFINITY = PeriodDuration.of(
            Period.of(Integer.MIN_VALUE, Integer.MIN_VALUE, Integer.MIN_VALUE), Duration.ofSeconds(Long.MIN_VALUE));

    private Intervals() {}
}
