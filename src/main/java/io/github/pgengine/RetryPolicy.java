package io.github.pgengine;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * How a transaction is run again after a serialization failure (SQLSTATE 40001, and 40P01 deadlocks):
 * capped exponential backoff with jitter, scheduled, never slept.
 *
 * <p>The delay before attempt {@code n + 1} is {@code min(maxBackoff, initialBackoff * multiplier^(n-1))},
 * then multiplied by a random factor in {@code [1 - jitter, 1 + jitter]}. {@link CockroachEngine} uses
 * {@link #defaults()}; {@link PostgresEngine} uses {@link #none()} unless told otherwise.
 */
public final class RetryPolicy {
    /** Default {@link #maxAttempts()}. */
    public static final int DEFAULT_MAX_ATTEMPTS = 10;
    /** Default {@link #initialBackoff()}. */
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(50);
    /** Default {@link #maxBackoff()}. */
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(5);
    /** Default {@link #multiplier()}. */
    public static final double DEFAULT_MULTIPLIER = 2.0;
    /** Default {@link #jitter()}. */
    public static final double DEFAULT_JITTER = 0.5;

    private static final RetryPolicy NONE = new Builder().maxAttempts(1).build();
    private static final RetryPolicy DEFAULTS = new Builder().build();

    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final double multiplier;
    private final double jitter;

    private RetryPolicy(Builder b) {
        this.maxAttempts = b.maxAttempts;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.multiplier = b.multiplier;
        this.jitter = b.jitter;
    }

    /** Returns A policy that never retries. */
    public static RetryPolicy none() {
        return NONE;
    }

    /** Returns 10 attempts, 50 ms doubling up to 5 s, jitter 0.5. */
    public static RetryPolicy defaults() {
        return DEFAULTS;
    }

    /** Returns a builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns a builder holding these settings. */
    public Builder toBuilder() {
        return new Builder()
                .maxAttempts(maxAttempts)
                .initialBackoff(initialBackoff)
                .maxBackoff(maxBackoff)
                .multiplier(multiplier)
                .jitter(jitter);
    }

    /** Returns how many times the work may run in all (1 = no retry). */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** Returns the delay before the second attempt. */
    public Duration initialBackoff() {
        return initialBackoff;
    }

    /** Returns the longest delay. */
    public Duration maxBackoff() {
        return maxBackoff;
    }

    /** Returns the growth factor of the delay. */
    public double multiplier() {
        return multiplier;
    }

    /** Returns the random spread of each delay, 0 to 1. */
    public double jitter() {
        return jitter;
    }

    /**
     * The delay before the next attempt.
     *
     * @param attemptsMade attempts that already ran, at least 1
     * @return the delay, jitter applied
     */
    public Duration backoff(int attemptsMade) {
        double base = (double) initialBackoff.toNanos() * Math.pow(multiplier, Math.max(0, attemptsMade - 1));
        double capped = Math.min(base, (double) maxBackoff.toNanos());
        double factor = 1 + jitter * (2 * ThreadLocalRandom.current().nextDouble() - 1);
        return Duration.ofNanos((long) (capped * factor));
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof RetryPolicy p
                && maxAttempts == p.maxAttempts
                && initialBackoff.equals(p.initialBackoff)
                && maxBackoff.equals(p.maxBackoff)
                && multiplier == p.multiplier
                && jitter == p.jitter;
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxAttempts, initialBackoff, maxBackoff, multiplier, jitter);
    }

    @Override
    public String toString() {
        return "RetryPolicy{maxAttempts=" + maxAttempts + ", initialBackoff=" + initialBackoff + ", maxBackoff="
                + maxBackoff + ", multiplier=" + multiplier + ", jitter=" + jitter + "}";
    }

    /** Builds a {@link RetryPolicy}; setters validate at once. */
    public static final class Builder {
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
        private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
        private double multiplier = DEFAULT_MULTIPLIER;
        private double jitter = DEFAULT_JITTER;

        private Builder() {}

        /**
         * Sets {@code maxAttempts}.
         *
         * @param maxAttempts runs in all, 1 to 1000
         * @return this builder
         */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1 || maxAttempts > 1000) {
                throw new IllegalArgumentException("maxAttempts must be between 1 and 1000 (was " + maxAttempts + ")");
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /**
         * Sets {@code initialBackoff}.
         *
         * @param initialBackoff zero or positive first delay
         * @return this builder
         */
        public Builder initialBackoff(Duration initialBackoff) {
            this.initialBackoff = notNegative("initialBackoff", initialBackoff);
            return this;
        }

        /**
         * Sets {@code maxBackoff}.
         *
         * @param maxBackoff zero or positive cap on each delay
         * @return this builder
         */
        public Builder maxBackoff(Duration maxBackoff) {
            this.maxBackoff = notNegative("maxBackoff", maxBackoff);
            return this;
        }

        /**
         * Sets {@code multiplier}.
         *
         * @param multiplier growth factor, at least 1
         * @return this builder
         */
        public Builder multiplier(double multiplier) {
            if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
                throw new IllegalArgumentException("multiplier must be at least 1 (was " + multiplier + ")");
            }
            this.multiplier = multiplier;
            return this;
        }

        /**
         * Sets {@code jitter}.
         *
         * @param jitter random spread, 0 to 1
         * @return this builder
         */
        public Builder jitter(double jitter) {
            if (!(jitter >= 0.0 && jitter <= 1.0)) {
                throw new IllegalArgumentException("jitter must be between 0 and 1 (was " + jitter + ")");
            }
            this.jitter = jitter;
            return this;
        }

        /** Returns the policy. */
        public RetryPolicy build() {
            if (maxBackoff.compareTo(initialBackoff) < 0) {
                throw new IllegalArgumentException(
                        "maxBackoff (" + maxBackoff + ") must not be below initialBackoff (" + initialBackoff + ")");
            }
            return new RetryPolicy(this);
        }

        private static Duration notNegative(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative (was " + d + ")");
            }
            return d;
        }
    }
}
