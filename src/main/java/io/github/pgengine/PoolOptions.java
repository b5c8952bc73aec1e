package io.github.pgengine;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Settings of an engine's connection pool; immutable, built with {@link #builder()}.
 *
 * <pre>{@code
 * engine.startConnectionPool(PoolOptions.builder().maxSize(8).acquireTimeout(Duration.ofSeconds(5)).build());
 * }</pre>
 */
public final class PoolOptions {
    /** Default {@link #maxSize()}. */
    public static final int DEFAULT_MAX_SIZE = 10;
    /** Default {@link #minIdle()}: one connection, opened at start so a wrong address fails early. */
    public static final int DEFAULT_MIN_IDLE = 1;
    /** Default {@link #acquireTimeout()}. */
    public static final Duration DEFAULT_ACQUIRE_TIMEOUT = Duration.ofSeconds(30);
    /** Default {@link #maxWaiters()}. */
    public static final int DEFAULT_MAX_WAITERS = 10_000;
    /** Default {@link #idleTimeout()}. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(10);
    /** Default {@link #maxLifetime()}. */
    public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofMinutes(30);

    private static final PoolOptions DEFAULTS = new Builder().build();

    private final int maxSize;
    private final int minIdle;
    private final Duration acquireTimeout;
    private final int maxWaiters;
    private final Duration idleTimeout;
    private final Duration maxLifetime;
    private final @Nullable Duration leakDetectionThreshold;

    private PoolOptions(Builder b) {
        this.maxSize = b.maxSize;
        this.minIdle = b.minIdle;
        this.acquireTimeout = b.acquireTimeout;
        this.maxWaiters = b.maxWaiters;
        this.idleTimeout = b.idleTimeout;
        this.maxLifetime = b.maxLifetime;
        this.leakDetectionThreshold = b.leakDetectionThreshold;
    }

    /** Returns the defaults. */
    public static PoolOptions defaults() {
        return DEFAULTS;
    }

    /** Returns a builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns a builder holding these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxSize = maxSize;
        b.minIdle = minIdle;
        b.acquireTimeout = acquireTimeout;
        b.maxWaiters = maxWaiters;
        b.idleTimeout = idleTimeout;
        b.maxLifetime = maxLifetime;
        b.leakDetectionThreshold = leakDetectionThreshold;
        return b;
    }

    /** Returns the most connections the pool opens. */
    public int maxSize() {
        return maxSize;
    }

    /** Returns how many idle connections the pool keeps open (opened at start). */
    public int minIdle() {
        return minIdle;
    }

    /** Returns how long a caller waits for a free connection before {@link PoolTimeoutException}. */
    public Duration acquireTimeout() {
        return acquireTimeout;
    }

    /** Returns how many callers may wait at once; past it calls fail at once with {@link PoolExhaustedException}. */
    public int maxWaiters() {
        return maxWaiters;
    }

    /** Returns how long a connection may sit idle (above {@link #minIdle()}) before it is closed. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** Returns how long a connection lives at most (each gets up to 2.5% less, at random, so they do not expire together). */
    public Duration maxLifetime() {
        return maxLifetime;
    }

    /** Returns how long a connection may be held before a warning with the borrower's stack is logged, or {@code null} for never. */
    public @Nullable Duration leakDetectionThreshold() {
        return leakDetectionThreshold;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof PoolOptions p
                && maxSize == p.maxSize
                && minIdle == p.minIdle
                && maxWaiters == p.maxWaiters
                && acquireTimeout.equals(p.acquireTimeout)
                && idleTimeout.equals(p.idleTimeout)
                && maxLifetime.equals(p.maxLifetime)
                && Objects.equals(leakDetectionThreshold, p.leakDetectionThreshold);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                maxSize, minIdle, acquireTimeout, maxWaiters, idleTimeout, maxLifetime, leakDetectionThreshold);
    }

    @Override
    public String toString() {
        return "PoolOptions{maxSize=" + maxSize + ", minIdle=" + minIdle + ", acquireTimeout=" + acquireTimeout
                + ", maxWaiters=" + maxWaiters + ", idleTimeout=" + idleTimeout + ", maxLifetime=" + maxLifetime
                + ", leakDetectionThreshold=" + leakDetectionThreshold + "}";
    }

    /** Builds {@link PoolOptions}; every setter validates its argument at once. */
    public static final class Builder {
        private int maxSize = DEFAULT_MAX_SIZE;
        private int minIdle = DEFAULT_MIN_IDLE;
        private Duration acquireTimeout = DEFAULT_ACQUIRE_TIMEOUT;
        private int maxWaiters = DEFAULT_MAX_WAITERS;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private Duration maxLifetime = DEFAULT_MAX_LIFETIME;
        private @Nullable Duration leakDetectionThreshold;

        private Builder() {}

        /**
         * Sets {@code maxSize}.
         *
         * @param maxSize the most connections, 1 to 10,000
         * @return this builder
         */
        public Builder maxSize(int maxSize) {
            if (maxSize < 1 || maxSize > 10_000) {
                throw new IllegalArgumentException("maxSize must be between 1 and 10000 (was " + maxSize + ")");
            }
            this.maxSize = maxSize;
            return this;
        }

        /**
         * Sets {@code minIdle}.
         *
         * @param minIdle idle connections kept open, 0 or more (capped at maxSize when built)
         * @return this builder
         */
        public Builder minIdle(int minIdle) {
            if (minIdle < 0) {
                throw new IllegalArgumentException("minIdle must be 0 or more (was " + minIdle + ")");
            }
            this.minIdle = minIdle;
            return this;
        }

        /**
         * Sets {@code acquireTimeout}.
         *
         * @param acquireTimeout positive wait for a free connection
         * @return this builder
         */
        public Builder acquireTimeout(Duration acquireTimeout) {
            this.acquireTimeout = positive("acquireTimeout", acquireTimeout);
            return this;
        }

        /**
         * Sets {@code maxWaiters}.
         *
         * @param maxWaiters callers allowed to wait at once, 0 or more
         * @return this builder
         */
        public Builder maxWaiters(int maxWaiters) {
            if (maxWaiters < 0) {
                throw new IllegalArgumentException("maxWaiters must be 0 or more (was " + maxWaiters + ")");
            }
            this.maxWaiters = maxWaiters;
            return this;
        }

        /**
         * Sets {@code idleTimeout}.
         *
         * @param idleTimeout positive idle time after which surplus connections close
         * @return this builder
         */
        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = positive("idleTimeout", idleTimeout);
            return this;
        }

        /**
         * Sets {@code maxLifetime}.
         *
         * @param maxLifetime positive lifetime after which a connection is replaced
         * @return this builder
         */
        public Builder maxLifetime(Duration maxLifetime) {
            this.maxLifetime = positive("maxLifetime", maxLifetime);
            return this;
        }

        /**
         * Sets {@code threshold}.
         *
         * @param threshold positive holding time that triggers a leak warning, or {@code null} to turn it off
         * @return this builder
         */
        public Builder leakDetectionThreshold(@Nullable Duration threshold) {
            this.leakDetectionThreshold = threshold == null ? null : positive("leakDetectionThreshold", threshold);
            return this;
        }

        /** Returns the options. */
        public PoolOptions build() {
            if (minIdle > maxSize) {
                minIdle = maxSize;
            }
            return new PoolOptions(this);
        }

        private static Duration positive(String name, Duration value) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive (was " + value + ")");
            }
            return value;
        }
    }
}
