package io.github.pgengine.internal.pool;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open connection of a {@link ConnectionPool} and the pool's notes about it: when it expires (maxLifetime less
 * up to 2.5% of it), when it was last used, and where it was borrowed (leak detection). The pool's lock guards
 * {@code lastUsed} and the writes of {@code borrowedAt} as it guards the pool's own state; the leak check's timer
 * task reads {@code borrowedAt} without it, so the field is volatile (a check must see the give-back that ended the
 * borrowing it watches, or it warns of a leak that is not one).
 *
 * @param <C> the connection type
 */
final class Slot<C> {
    private static final Logger LOG = LoggerFactory.getLogger("io.github.pgengine.pool");

    final C connection;
    final long expiresAt;
    long lastUsed;

    volatile @Nullable Throwable borrowedAt;

    Slot(C connection, long expiresAt) {
        this.connection = connection;
        this.expiresAt = expiresAt;
        this.lastUsed = System.nanoTime();
    }

    /**
     * Notes a connection just opened; it expires after {@code maxLifetime} less a random part of up to 2.5%.
     *
     * @param connection the new connection
     * @param maxLifetime the pool's maxLifetime
     * @return its slot
     */
    static <C> Slot<C> opened(C connection, Duration maxLifetime) {
        long lifetime = maxLifetime.toNanos();
        long jitter = (long) (lifetime * 0.025 * ThreadLocalRandom.current().nextDouble());
        return new Slot<>(connection, System.nanoTime() + lifetime - jitter);
    }

    /**
     * Warns, with the stack where it was borrowed, if this connection is still lent out under the same borrowing
     * after {@code threshold}.
     *
     * @param borrowed the stack the pool noted when it lent this connection
     * @param threshold the pool's leakDetectionThreshold; null when leak detection is off
     * @param timer runs the check
     * @param poolName for the warning
     */
    @SuppressWarnings("FutureReturnValueIgnored") // the task only logs; it cannot fail
    void watchForLeak(
            Throwable borrowed, @Nullable Duration threshold, ScheduledExecutorService timer, String poolName) {
        if (threshold == null) {
            return;
        }
        timer.schedule(
                () -> {
                    if (borrowedAt == borrowed) {
                        LOG.warn(
                                "{}: {} has been held for more than {} ms (leakDetectionThreshold); it was borrowed here:",
                                poolName,
                                connection,
                                threshold.toMillis(),
                                borrowed);
                    }
                },
                threshold.toMillis(),
                TimeUnit.MILLISECONDS);
    }
}
