package io.github.pgengine.internal.tx;

import static io.github.pgengine.internal.runtime.Completions.whenDone;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The future a caller holds for one step of a transaction (a statement, a batch, a commit), and the step's side of
 * the caller's cancellation. The caller may give up at any time: by cancelling the future, or by completing it from
 * outside (as {@code orTimeout} does). What that does depends on where the step is, and is decided by one atomic
 * state, so the caller's answer ({@code cancel} returns true or false) and what the engine does always agree:
 *
 * <ul>
 *   <li>not sent yet: it is never sent, and it counts as a failed statement;
 *   <li>running: it is cancelled on the server (one CancelRequest, and the connection sends nothing else before the
 *       server has it), and it counts as failed whatever the server answers;
 *   <li>answered: too late; {@code cancel} returns false and the caller gets the outcome.
 * </ul>
 *
 * <p>A step that counts as failed makes the transaction roll back at COMMIT, unless a rollback to a savepoint made
 * before it undoes it: the same rule as a failure the caller caught. A commit step can be given up only before
 * COMMIT is sent (then the transaction rolls back instead); a COMMIT on the wire cannot be called back.
 *
 * <p>The engine completes the future with {@link #deliver} and {@link #deliverError}; {@code complete} and
 * {@code completeExceptionally} are the caller's.
 *
 * @param <T> the caller's value
 */
public final class StepFuture<T extends @Nullable Object> extends CompletableFuture<T> {
    /** Queued, not sent. */
    private static final int WAITING = 0;
    /** The queue is sending it (the request may or may not have left). */
    private static final int SENDING = 1;
    /** Sent; no answer yet. */
    private static final int RUNNING = 2;
    /** The engine has the outcome and delivers it. */
    private static final int SETTLED = 3;
    /** The caller gave up before the outcome was settled. */
    private static final int GONE = 4;

    private final AtomicInteger state = new AtomicInteger(WAITING);
    private final boolean stoppableWhileRunning;
    /** Completes once a cancel request for the running step reached the server; only awaited after one was asked. */
    private final CompletableFuture<@Nullable Void> stopped = new CompletableFuture<>();

    private volatile @Nullable Supplier<CompletableFuture<?>> stopOnServer;
    private volatile boolean settledWithSuccess;
    private volatile @Nullable Runnable onLost;
    private volatile boolean lost;

    /**
     * @param stoppableWhileRunning true for statements and batches (a running one is cancelled on the server); false
     *     for a commit, which can be given up only before it is sent
     */
    public StepFuture(boolean stoppableWhileRunning) {
        this.stoppableWhileRunning = stoppableWhileRunning;
    }

    /**
     * The queue's turn has come: may the step be sent?
     *
     * @return false when the caller has gone (the step must not be sent)
     */
    boolean send() {
        return state.compareAndSet(WAITING, SENDING);
    }

    /**
     * The step's request was handed to the connection. If the caller gave up while it was being handed over, the
     * cancel request is asked for now.
     *
     * @param stop sends the cancel request; its future completes once the server has it
     */
    void sent(Supplier<CompletableFuture<?>> stop) {
        stopOnServer = stop;
        if (!state.compareAndSet(SENDING, RUNNING) && state.get() == GONE) {
            requestStop();
        }
    }

    /**
     * The step has its outcome.
     *
     * @param success whether it succeeded
     * @return true when the caller still waits for it; false when the caller gave up (it then counts as failed)
     */
    boolean settle(boolean success) {
        settledWithSuccess = success;
        int s = state.get();
        while (s != GONE) {
            if (state.compareAndSet(s, SETTLED)) {
                return true;
            }
            s = state.get();
        }
        return false;
    }

    /**
     * Returns completes when the cancel request asked for by the caller's giving up reached the server; call only
     * after {@link #settle} returned false for a step that was sent.
     */
    CompletableFuture<@Nullable Void> stopped() {
        return stopped;
    }

    /** Returns true once the caller gave up before the outcome was settled. */
    boolean isGone() {
        return state.get() == GONE;
    }

    /**
     * Sets what records a settled success that the caller never received (see {@link #lost()}).
     *
     * @param record queues the failure that makes the transaction roll back
     */
    void onLost(Runnable record) {
        onLost = record;
    }

    /**
     * The caller stopped waiting after the outcome was settled and will never see it (a Kotlin coroutine cancelled
     * at that moment): a success then counts as a failure too, since the caller believes the step did not happen. Does
     * nothing for a failed step (it already counts) or when called again.
     */
    public void lost() {
        Runnable record = onLost;
        if (lost || !settledWithSuccess || state.get() != SETTLED || record == null) {
            return;
        }
        lost = true;
        record.run();
    }

    /**
     * Gives the step up for the caller, if its outcome is not settled yet. The caller's own outcome is set first (by
     * {@code then}), and only then is a running step stopped on the server: the engine's answer to that stop (a
     * cancellation) can then never take the caller's place (an {@code orTimeout}'s TimeoutException stays one).
     *
     * @param then sets the caller's outcome on the future
     * @return what {@code then} returned, or false when the outcome was already settled (or may not be given up)
     */
    private boolean giveUp(java.util.function.BooleanSupplier then) {
        while (true) {
            int s = state.get();
            if (s == SETTLED || s == GONE || (!stoppableWhileRunning && s != WAITING)) {
                return false;
            }
            if (state.compareAndSet(s, GONE)) {
                boolean done = then.getAsBoolean();
                if (s == RUNNING) {
                    requestStop();
                }
                return done;
            }
        }
    }

    private void requestStop() {
        Supplier<CompletableFuture<?>> stop = stopOnServer;
        if (stop == null) {
            stopped.complete(null);
            return;
        }
        CompletableFuture<?> sending;
        try {
            sending = stop.get();
        } catch (RuntimeException e) {
            stopped.complete(null);
            return;
        }
        whenDone(sending, (v, e) -> stopped.complete(null));
    }

    /**
     * Completes the future with the step's value (the engine's side).
     *
     * @param value the value
     */
    public void deliver(@Nullable T value) {
        super.complete(value);
    }

    /**
     * Fails the future with the step's error (the engine's side).
     *
     * @param error the error, already mapped
     */
    public void deliverError(Throwable error) {
        super.completeExceptionally(error);
    }

    /**
     * The caller gives up: the step is stopped (see the class comment).
     *
     * @return true when the future is now cancelled; false when the outcome was already settled, or a commit was
     *     already sent
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return giveUp(() -> super.cancel(mayInterruptIfRunning)) || isCancelled();
    }

    /**
     * The caller completes the future itself: the step is given up as by {@link #cancel}.
     *
     * @return false when the outcome was already settled (the engine delivers it)
     */
    @Override
    public boolean complete(@Nullable T value) {
        return giveUp(() -> super.complete(value));
    }

    /**
     * The caller fails the future itself (as {@code orTimeout} does): the step is given up as by {@link #cancel}.
     *
     * @return false when the outcome was already settled (the engine delivers it)
     */
    @Override
    public boolean completeExceptionally(Throwable ex) {
        return giveUp(() -> super.completeExceptionally(ex));
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }
}
