package io.github.pgengine.internal.tx;

import static io.github.pgengine.internal.runtime.Completions.whenDone;

import io.github.pgengine.TransactionException;
import io.github.pgengine.internal.errors.ErrorMapper;
import io.github.pgengine.internal.wire.Result;
import java.util.ArrayDeque;
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
 *
 * <p>Steps wait in a deque and the completion of one starts the next (a loop, not recursion, when steps complete
 * at once), so a step costs its own future and one completion callback; a caller's statement
 * ({@link #stepLater}) costs no future of the queue's: its outcome goes straight to the caller's {@link ResultSink}.
 */
final class StepQueue {
    /** Told of a step's outcome before its future completes (the failure ledger). */
    interface Outcome {
        void completed(long seq, @Nullable Result result, @Nullable Throwable error);
    }

    private final Object lock = new Object();
    private final CompletableFuture<@Nullable Void> closed = new CompletableFuture<>();
    private final ArrayDeque<Runnable> waiting = new ArrayDeque<>(4);
    private long sequence;
    private volatile boolean abandoned;
    private boolean closing;
    /** True while a step runs or the loop starts the next. */
    private boolean busy;
    /** True while {@link #next()} loops on this queue (on some thread). */
    private boolean looping;
    /** Set when a step completed while {@link #next()} was looping: the loop goes on. */
    private boolean again;

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

    /** Returns a future that completes when the queue has closed (the connection is back). */
    CompletableFuture<@Nullable Void> closed() {
        return closed.copy();
    }

    /**
     * Queues a step (call holding the lock).
     *
     * @param callers true for the caller's statements: skipped once abandoned, and completed as cancelled when the
     *     transaction is abandoned while they run
     * @param action runs the step, given its place in the queue
     * @return completes with the step's result; the next step starts whatever happens to this future
     */
    CompletableFuture<Result> step(boolean callers, LongFunction<CompletableFuture<Result>> action) {
        return step(callers, action, null);
    }

    /**
     * Queues a step (call holding the lock).
     *
     * @param callers as {@link #step(boolean, LongFunction)}
     * @param action runs the step, given its place in the queue
     * @param outcome told of the step's outcome (when it ran) before its future completes, or null
     * @return completes with the step's result; the next step starts whatever happens to this future
     */
    CompletableFuture<Result> step(
            boolean callers, LongFunction<CompletableFuture<Result>> action, @Nullable Outcome outcome) {
        CompletableFuture<Result> done = new CompletableFuture<>();
        Runnable now = stepLater(
                callers,
                action,
                outcome,
                (result, error) -> {
                    if (error != null) {
                        done.completeExceptionally(error);
                    } else {
                        done.complete(result);
                    }
                },
                null,
                StepQueue::noStop);
        if (now != null) {
            now.run();
        }
        return done;
    }

    /**
     * Queues a step whose outcome goes to {@code sink} instead of a future (call holding the lock). When nothing
     * runs, the step is not started here but handed back: the caller starts it once it has released the lock, so a
     * step that fails at once tells its sink (and so the caller's code) on the caller's thread without the lock.
     *
     * @param callers as {@link #step(boolean, LongFunction)}
     * @param action runs the step, given its place in the queue
     * @param outcome told of the step's outcome (when it ran) before the sink, or null
     * @param sink told once of the step's result, unmapped errors unwrapped
     * @return the step to run once the lock is released, or null when it waits behind others (the queue starts it)
     */
    @Nullable
    Runnable stepLater(
            boolean callers,
            LongFunction<CompletableFuture<Result>> action,
            @Nullable Outcome outcome,
            ResultSink sink) {
        return stepLater(callers, action, outcome, sink, null, StepQueue::noStop);
    }

    /**
     * Queues a caller's step as {@link #stepLater(boolean, LongFunction, Outcome, ResultSink)} does, watching the
     * caller's future: a step the caller gave up before its turn is not sent and counts as failed; one given up while
     * it runs is cancelled on the server with {@code stop}, counts as failed, and the next step waits until the server
     * has the cancel request (so it can never hit the next step).
     *
     * @param caller the caller's future of the step, or null when no caller can give it up
     * @param stop sends a cancel request for the running step; completes once the server has it
     */
    @Nullable
    Runnable stepLater(
            boolean callers,
            LongFunction<CompletableFuture<Result>> action,
            @Nullable Outcome outcome,
            ResultSink sink,
            @Nullable StepFuture<?> caller,
            Supplier<CompletableFuture<?>> stop) {
        if (closing) {
            TransactionException closed = new TransactionException("the transaction's connection was given back");
            return () -> sink.accept(null, closed);
        }
        long seq = ++sequence;
        Runnable entry = () -> {
            if (abandoned) {
                try {
                    sink.accept(
                            null, new CancellationException("the transaction was cancelled before this statement ran"));
                } finally {
                    next();
                }
                return;
            }
            if (caller != null && !caller.send()) {
                try {
                    CancellationException gone =
                            new CancellationException("the caller cancelled this statement before it was sent");
                    if (outcome != null) {
                        outcome.completed(seq, null, gone);
                    }
                    sink.accept(null, gone);
                } finally {
                    next();
                }
                return;
            }
            CompletableFuture<Result> running = run(action, seq);
            if (caller != null) {
                caller.sent(stop);
            }
            whenDone(running, (result, error) -> {
                boolean kept = caller == null || caller.settle(error == null);
                try {
                    Throwable failure = error;
                    if (!kept) {
                        failure = new CancellationException(
                                error == null
                                        ? "the caller cancelled this statement after the server had run it; it counts as "
                                                + "failed"
                                        : "the caller cancelled this statement while it ran");
                        if (error != null) {
                            failure.initCause(ErrorMapper.unwrap(error));
                        }
                    }
                    if (outcome != null) {
                        outcome.completed(seq, failure == null ? result : null, failure);
                    }
                    if (callers && abandoned) {
                        CancellationException c = new CancellationException("the transaction was cancelled");
                        if (failure != null) {
                            c.initCause(ErrorMapper.unwrap(failure));
                        }
                        sink.accept(null, c);
                    } else if (failure != null) {
                        sink.accept(null, ErrorMapper.unwrap(failure));
                    } else {
                        sink.accept(result, null);
                    }
                } finally {
                    // whatever the ledger or the sink did, the queue goes on; after a cancel request, only once the
                    // server has it, so that it cannot hit the next step
                    if (kept || caller == null) {
                        next();
                    } else {
                        whenDone(caller.stopped(), (v, e) -> next());
                    }
                }
            });
        };
        if (busy) {
            waiting.add(entry);
            return null;
        }
        busy = true;
        return entry;
    }

    /**
     * Queues a final step: it runs even when the transaction was abandoned.
     *
     * @param action the step
     * @return its result; fails when the queue is closing
     */
    CompletableFuture<@Nullable Result> finalStep(Supplier<CompletableFuture<@Nullable Result>> action) {
        CompletableFuture<@Nullable Result> done = new CompletableFuture<>();
        synchronized (lock) {
            if (closing) {
                done.completeExceptionally(new IllegalStateException("the transaction's connection was given back"));
                return done;
            }
            enqueue(() -> {
                CompletableFuture<@Nullable Result> f;
                try {
                    f = action.get();
                } catch (RuntimeException ex) {
                    f = CompletableFuture.failedFuture(ex);
                }
                whenDone(f, (rr, ee) -> {
                    if (ee != null) {
                        done.completeExceptionally(ee);
                    } else {
                        done.complete(rr);
                    }
                    next();
                });
            });
        }
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
        synchronized (lock) {
            if (closing) {
                return closed.copy();
            }
            closing = true;
            enqueue(() -> {
                try {
                    last.run();
                } finally {
                    closed.complete(null);
                    next();
                }
            });
        }
        return closed.copy();
    }

    /** Returns a future that completes when every step queued so far has run. */
    CompletableFuture<?> drained() {
        CompletableFuture<@Nullable Void> drained = new CompletableFuture<>();
        synchronized (lock) {
            if (closing) {
                return closed.copy();
            }
            enqueue(() -> {
                drained.complete(null);
                next();
            });
        }
        return drained;
    }

    /** Runs an entry now when nothing runs, else after the entries before it (call holding the lock). */
    private void enqueue(Runnable entry) {
        if (busy) {
            waiting.add(entry);
            return;
        }
        busy = true;
        entry.run();
    }

    /**
     * Called once by each entry when it has completed: starts the next one. Entries that complete at once are run
     * by this loop rather than by recursion; an entry completing on another thread while the loop runs makes it go
     * on.
     */
    private void next() {
        synchronized (lock) {
            if (looping) {
                again = true;
                return;
            }
            looping = true;
        }
        while (true) {
            Runnable entry;
            synchronized (lock) {
                entry = waiting.poll();
                if (entry == null) {
                    busy = false;
                    looping = false;
                    return;
                }
                again = false;
            }
            entry.run();
            synchronized (lock) {
                if (!again) {
                    looping = false;
                    return;
                }
            }
        }
    }

    /** The cancel request of steps that no caller can give up: none. */
    private static CompletableFuture<?> noStop() {
        return CompletableFuture.completedFuture(null);
    }

    private static CompletableFuture<Result> run(LongFunction<CompletableFuture<Result>> action, long seq) {
        try {
            return action.apply(seq);
        } catch (RuntimeException ex) {
            return CompletableFuture.failedFuture(ex);
        }
    }
}
