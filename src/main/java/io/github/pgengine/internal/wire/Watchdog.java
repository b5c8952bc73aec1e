package io.github.pgengine.internal.wire;

import io.github.pgengine.internal.runtime.EngineTimer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiPredicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The client-side backstop for a server that stops answering (only with a query timeout): one timer per busy
 * connection, re-armed to the running statement's deadline. A statement past its deadline is handed to the
 * connection, which fails it and closes. The timer reads which statement runs before it reads the deadline: a
 * statement that starts between the two reads has set a fresh deadline, so an expired deadline is always the
 * statement read first, and the connection fails that one only if it still runs.
 */
final class Watchdog {
    private final long timeoutNanos;
    private final Supplier<@Nullable Object> running;
    private final BiPredicate<Object, TimeoutException> expired;
    private final AtomicBoolean armed = new AtomicBoolean();
    private volatile long deadlineNanos;

    /**
     * @param timeoutNanos how long a statement may go unanswered; 0 or less for no limit
     * @param running the statement running on a connection that is still in use, else null
     * @param expired told of a statement past its deadline (on the engine's timer thread); false when that statement
     *     no longer runs (it got its answer meanwhile), and the next one is watched instead
     */
    Watchdog(long timeoutNanos, Supplier<@Nullable Object> running, BiPredicate<Object, TimeoutException> expired) {
        this.timeoutNanos = timeoutNanos;
        this.running = running;
        this.expired = expired;
    }

    /** A statement has started: its deadline is the timeout from now. */
    void started() {
        if (timeoutNanos > 0) {
            deadlineNanos = System.nanoTime() + timeoutNanos;
            arm();
        }
    }

    private void arm() {
        if (armed.compareAndSet(false, true)) {
            long delay = Math.max(0, deadlineNanos - System.nanoTime());
            EngineTimer.later(this::watch, delay, TimeUnit.NANOSECONDS);
        }
    }

    private void watch() {
        Object statement = running.get();
        long remaining = deadlineNanos - System.nanoTime();
        if (statement == null) {
            armed.set(false);
            if (running.get() != null) {
                arm();
            }
            return;
        }
        if (remaining > 0) {
            EngineTimer.later(this::watch, remaining, TimeUnit.NANOSECONDS);
            return;
        }
        armed.set(false);
        TimeoutException e =
                new TimeoutException("no answer within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
        if (!expired.test(statement, e) && running.get() != null) {
            arm();
        }
    }
}
