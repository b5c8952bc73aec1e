package io.github.pgengine.internal.tx;

import io.github.pgengine.TransactionException;
import io.github.pgengine.internal.ErrorMapper;
import io.github.pgengine.internal.driver.Result;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The one queue through which everything a transaction sends on its connection passes: steps run strictly one after
 * another, in the order they were queued, each starting when the previous one has completed (successfully or not).
 * Once the transaction is abandoned, steps of the caller's are skipped (they fail with
 * {@link CancellationException}) and a result arriving for one that was running completes it as cancelled; final
 * steps (the engine's ROLLBACK, giving the connection back) still run. After {@link #closeWith} nothing more may be
 * queued.
 */
final class StepQueue {
    private final Object lock = new Object();
    private final CompletableFuture<@Nullable Void> closed = new CompletableFuture<>();
    private CompletableFuture<?> tail = CompletableFuture.completedFuture(null);
    private long sequence;
    private volatile boolean abandoned;
    private boolean closing;

    /** Returns the lock that guards the queue; the transaction's state changes hold it too. */
    Object lock() {
        return lock;
    }

    boolean isAbandoned() {
        return abandoned;
    }

    /** Returns true unless the queue is closing (call holding the lock). */
    boolean isOpen() {
        return !closing;
    }

    /**
     * Marks the transaction abandoned, unless it already is or the queue is closing.
     *
     * @return true when this call abandoned it
     */
    boolean abandon() {
        synchronized (lock) {
            if (abandoned || closing) {
                return false;
            }
            abandoned = true;
            return true;
        }
    }

    /** Returns completes when the queue has closed (the connection is back). */
    CompletableFuture<@Nullable Void> closed() {
        return closed.copy();
    }

    /**
     * Queues a step (call holding the lock).
     *
     * @param callers true for the caller's statements: skipped once abandoned, and completed as cancelled when the
     *     transaction is abandoned while they run
     * @param action runs the step, given its place in the queue
     * @return completes with the step's result; a copy, so a caller cancelling it cannot start the next step early
     */
    CompletableFuture<Result> step(boolean callers, LongFunction<CompletableFuture<Result>> action) {
        CompletableFuture<Result> done = new CompletableFuture<>();
        if (closing) {
            done.completeExceptionally(new TransactionException("the transaction's connection was given back"));
            return done;
        }
        long seq = ++sequence;
        CompletableFuture<?> previous = tail;
        tail = done;
        previous.whenComplete((r, e) -> {
            if (abandoned) {
                done.completeExceptionally(
                        new CancellationException("the transaction was cancelled before this " + "statement ran"));
                return;
            }
            run(action, seq).whenComplete((result, error) -> {
                if (callers && abandoned) {
                    CancellationException c = new CancellationException("the transaction was cancelled");
                    if (error != null) {
                        c.initCause(ErrorMapper.unwrap(error));
                    }
                    done.completeExceptionally(c);
                } else if (error != null) {
                    done.completeExceptionally(ErrorMapper.unwrap(error));
                } else {
                    done.complete(result);
                }
            });
        });
        return done.copy();
    }

    /**
     * Queues a final step: it runs even when the transaction was abandoned.
     *
     * @param action the step
     * @return its result; fails when the queue is closing
     */
    CompletableFuture<@Nullable Result> finalStep(Supplier<CompletableFuture<@Nullable Result>> action) {
        CompletableFuture<@Nullable Result> done = new CompletableFuture<>();
        CompletableFuture<?> previous;
        synchronized (lock) {
            if (closing) {
                done.completeExceptionally(new IllegalStateException("the transaction's connection was given back"));
                return done;
            }
            previous = tail;
            tail = done;
        }
        previous.whenComplete((r, e) -> {
            CompletableFuture<@Nullable Result> f;
            try {
                f = action.get();
            } catch (RuntimeException ex) {
                f = CompletableFuture.failedFuture(ex);
            }
            f.whenComplete((rr, ee) -> {
                if (ee != null) {
                    done.completeExceptionally(ee);
                } else {
                    done.complete(rr);
                }
            });
        });
        return done;
    }

    /**
     * Closes the queue: after every step queued so far, {@code last} runs once (it gives the connection back); later
     * calls do nothing.
     *
     * @param last the last thing to do
     * @return completes when it has run
     */
    CompletableFuture<@Nullable Void> closeWith(Runnable last) {
        CompletableFuture<?> previous;
        synchronized (lock) {
            if (closing) {
                return closed.copy();
            }
            closing = true;
            previous = tail;
            tail = closed;
        }
        previous.whenComplete((r, e) -> {
            try {
                last.run();
            } finally {
                closed.complete(null);
            }
        });
        return closed.copy();
    }

    /** Returns completes when every step queued so far has run. */
    CompletableFuture<?> drained() {
        synchronized (lock) {
            return tail.handle((r, e) -> null);
        }
    }

    private static CompletableFuture<Result> run(LongFunction<CompletableFuture<Result>> action, long seq) {
        try {
            return action.apply(seq);
        } catch (RuntimeException ex) {
            return CompletableFuture.failedFuture(ex);
        }
    }
}
