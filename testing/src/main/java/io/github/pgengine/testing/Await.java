package io.github.pgengine.testing;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** Waiting in tests: always with a deadline, never a bare sleep. */
public final class Await {
    /** The longest any single test step may wait. */
    public static final Duration DEADLINE = Duration.ofSeconds(30);

    private Await() {}

    /**
     * Waits for a future's value.
     *
     * @param future the future
     * @param <T> its type
     * @return the value
     * @throws AssertionError on timeout; the future's own error is rethrown unwrapped when it is unchecked
     */
    public static <T extends @Nullable Object> T result(CompletableFuture<T> future) {
        try {
            return future.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new AssertionError(cause);
        } catch (TimeoutException e) {
            throw new AssertionError("future did not complete within " + DEADLINE, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * Waits for a future to fail.
     *
     * @param future the future
     * @return its error, unwrapped
     */
    public static Throwable failure(CompletableFuture<?> future) {
        try {
            Object value = future.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("expected a failure but got " + value);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("future did not complete within " + DEADLINE, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (java.util.concurrent.CancellationException e) {
            return e;
        }
    }

    /**
     * Polls a condition until it holds.
     *
     * @param what describes the condition for the failure message
     * @param condition the condition
     */
    public static void until(String what, BooleanSupplier condition) {
        until(what, condition, () -> "");
    }

    /**
     * Polls a condition until it holds, describing the state when it does not.
     *
     * @param what describes the condition
     * @param condition the condition
     * @param state describes the current state for the failure message
     */
    public static void until(String what, BooleanSupplier condition, Supplier<String> state) {
        within(DEADLINE, what, condition, state);
    }

    /**
     * Polls a condition until it holds, within a bound of the test's own (a promise of promptness).
     *
     * @param bound how soon it must hold
     * @param what describes the condition
     * @param condition the condition
     * @param state describes the current state for the failure message
     */
    public static void within(Duration bound, String what, BooleanSupplier condition, Supplier<String> state) {
        long deadline = System.nanoTime() + bound.toNanos();
        long pause = 1;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + bound + ": " + what + " " + state.get());
            }
            try {
                TimeUnit.MILLISECONDS.sleep(pause); // polling interval, not a wait for something to happen
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            pause = Math.min(50, pause * 2);
        }
    }
}
