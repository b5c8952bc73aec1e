package io.github.pgengine;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Settings of a listen subscription ({@link PostgresEngine#listen(ListenOptions, String, String...)}); immutable,
 * built with {@link #builder()}.
 *
 * <pre>{@code
 * ListenOptions options = ListenOptions.builder()
 *         .bufferSize(10_000)
 *         .overflow(ListenOptions.Overflow.DROP_OLDEST)
 *         .build();
 * }</pre>
 */
public final class ListenOptions {
    /** Default {@link #bufferSize()}. */
    public static final int DEFAULT_BUFFER_SIZE = 1_000;
    /** The largest {@link #bufferSize()}. */
    public static final int MAX_BUFFER_SIZE = 10_000_000;
    /** Default {@link #overflow()}: nothing is lost silently. */
    public static final Overflow DEFAULT_OVERFLOW = Overflow.FAIL;
    /** Default {@link #reconnectInitialDelay()}. */
    public static final Duration DEFAULT_RECONNECT_INITIAL_DELAY = Duration.ofMillis(100);
    /** Default {@link #reconnectMaxDelay()}. */
    public static final Duration DEFAULT_RECONNECT_MAX_DELAY = Duration.ofSeconds(10);

    private static final ListenOptions DEFAULTS = new Builder().build();

    /** What happens to a notification that arrives while the buffer holds {@link #bufferSize()} undelivered ones. */
    public enum Overflow {
        /**
         * The subscription ends: the subscriber gets {@code onError} with a {@link ListenOverflowException} naming the
         * buffer size, and the connection is closed.
         */
        FAIL,
        /**
         * The oldest buffered notification is dropped to make room, and a
         * {@link ListenEvent.MissedNotifications} marker with the count of dropped ones takes its place.
         */
        DROP_OLDEST,
        /**
         * The arriving notification is dropped, and a {@link ListenEvent.MissedNotifications} marker with the count of
         * dropped ones follows the buffered ones.
         */
        DROP_NEWEST
    }

    private final int bufferSize;
    private final Overflow overflow;
    private final Duration reconnectInitialDelay;
    private final Duration reconnectMaxDelay;

    private ListenOptions(Builder b) {
        this.bufferSize = b.bufferSize;
        this.overflow = b.overflow;
        this.reconnectInitialDelay = b.reconnectInitialDelay;
        this.reconnectMaxDelay = b.reconnectMaxDelay;
    }

    /** Returns the defaults. */
    public static ListenOptions defaults() {
        return DEFAULTS;
    }

    /** Returns a builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns a builder holding these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.bufferSize = bufferSize;
        b.overflow = overflow;
        b.reconnectInitialDelay = reconnectInitialDelay;
        b.reconnectMaxDelay = reconnectMaxDelay;
        return b;
    }

    /** Returns how many notifications are kept for a subscriber that has not requested them yet. */
    public int bufferSize() {
        return bufferSize;
    }

    /** Returns what happens when a notification arrives and the buffer is full. */
    public Overflow overflow() {
        return overflow;
    }

    /** Returns the wait before the first attempt to re-open a lost connection (doubled after each failed attempt). */
    public Duration reconnectInitialDelay() {
        return reconnectInitialDelay;
    }

    /** Returns the longest wait between two attempts to re-open a lost connection. */
    public Duration reconnectMaxDelay() {
        return reconnectMaxDelay;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof ListenOptions l
                && bufferSize == l.bufferSize
                && overflow == l.overflow
                && reconnectInitialDelay.equals(l.reconnectInitialDelay)
                && reconnectMaxDelay.equals(l.reconnectMaxDelay);
    }

    @Override
    public int hashCode() {
        return Objects.hash(bufferSize, overflow, reconnectInitialDelay, reconnectMaxDelay);
    }

    @Override
    public String toString() {
        return "ListenOptions{bufferSize=" + bufferSize + ", overflow=" + overflow + ", reconnectInitialDelay="
                + reconnectInitialDelay + ", reconnectMaxDelay=" + reconnectMaxDelay + "}";
    }

    /** Builds {@link ListenOptions}; every setter validates its argument at once. */
    public static final class Builder {
        private int bufferSize = DEFAULT_BUFFER_SIZE;
        private Overflow overflow = DEFAULT_OVERFLOW;
        private Duration reconnectInitialDelay = DEFAULT_RECONNECT_INITIAL_DELAY;
        private Duration reconnectMaxDelay = DEFAULT_RECONNECT_MAX_DELAY;

        private Builder() {}

        /**
         * Sets {@code bufferSize}.
         *
         * @param bufferSize undelivered notifications kept per subscription, 1 to 10,000,000
         * @return this builder
         */
        public Builder bufferSize(int bufferSize) {
            if (bufferSize < 1 || bufferSize > MAX_BUFFER_SIZE) {
                throw new IllegalArgumentException(
                        "bufferSize must be between 1 and " + MAX_BUFFER_SIZE + " (was " + bufferSize + ")");
            }
            this.bufferSize = bufferSize;
            return this;
        }

        /**
         * Sets {@code overflow}.
         *
         * @param overflow what happens when a notification arrives and the buffer is full
         * @return this builder
         */
        public Builder overflow(Overflow overflow) {
            this.overflow = Objects.requireNonNull(overflow, "overflow");
            return this;
        }

        /**
         * Sets {@code reconnectInitialDelay}.
         *
         * @param delay positive wait before the first attempt to re-open a lost connection
         * @return this builder
         */
        public Builder reconnectInitialDelay(Duration delay) {
            this.reconnectInitialDelay = positive("reconnectInitialDelay", delay);
            return this;
        }

        /**
         * Sets {@code reconnectMaxDelay}.
         *
         * @param delay positive longest wait between two attempts, at least {@code reconnectInitialDelay}
         * @return this builder
         */
        public Builder reconnectMaxDelay(Duration delay) {
            this.reconnectMaxDelay = positive("reconnectMaxDelay", delay);
            return this;
        }

        /**
         * Returns the options.
         *
         * @throws IllegalArgumentException when {@code reconnectMaxDelay} is shorter than
         *     {@code reconnectInitialDelay}
         */
        public ListenOptions build() {
            if (reconnectMaxDelay.compareTo(reconnectInitialDelay) < 0) {
                throw new IllegalArgumentException("reconnectMaxDelay must be at least reconnectInitialDelay (was "
                        + reconnectMaxDelay + " < " + reconnectInitialDelay + ")");
            }
            return new ListenOptions(this);
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
