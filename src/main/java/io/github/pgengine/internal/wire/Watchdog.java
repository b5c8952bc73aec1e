package io.github.pgengine.internal.wire;

import io.github.pgengine.internal.runtime.EngineTimer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The client-side backstop for a server that stops answering (only with a query timeout): one timer per busy
 * connection, re-armed to the running statement's deadline. A statement past its deadline is handed to the
 * connection, which fails it and closes.
 */
final class Watchdog {
    private final long timeoutNanos;
    private final BooleanSupplier watching;
    private final Consumer<TimeoutException> expired;
    private final AtomicBoolean armed = new AtomicBoolean();
    private volatile long deadlineNanos;

    /**
     * @param timeoutNanos how long a statement may go unanswered; 0 or less for no limit
     * @param watching true while a statement runs on a connection that is still in use
     * @param expired told when the running statement is past its deadline (on the engine's timer thread)
     */
    Watchdog(long timeoutNanos, BooleanSupplier watching, Consumer<TimeoutException> expired) {
        this.timeoutNanos = timeoutNanos;
        this.watching = watching;
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
        long remaining = deadlineNanos - System.nanoTime();
        if (!watching.getAsBoolean()) {
            armed.set(false);
            if (watching.getAsBoolean()) {
                arm();
            }
            return;
        }
        if (remaining > 0) {
            EngineTimer.later(this::watch, remaining, TimeUnit.NANOSECONDS);
            return;
        }
        armed.set(false);
        expired.accept(new TimeoutException("no answer within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms"));
    }
}
