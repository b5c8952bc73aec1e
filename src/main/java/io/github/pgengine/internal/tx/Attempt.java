package io.github.pgengine.internal.tx;

import io.github.pgengine.TransactionException;
import io.github.pgengine.internal.errors.ErrorMapper;
import io.github.pgengine.internal.exec.CallerFutures;
import io.github.pgengine.internal.exec.QueryRunner;
import io.github.pgengine.internal.sql.BatchStatement;
import io.github.pgengine.internal.sql.Statement;
import io.github.pgengine.internal.wire.DbConnection;
import io.github.pgengine.internal.wire.Result;
import io.github.pgengine.internal.wire.ServerErrorException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;

/**
 * One attempt of a transaction (CockroachDB retries start new ones): what the caller's {@code Transaction} works on.
 * Statements are queued in call order; the attempt's {@link FailureLedger} decides at COMMIT whether it may commit.
 * Its savepoints are {@link AttemptSavepoints}; how it ends on the server (COMMIT or ROLLBACK) is {@link AttemptEnding}.
 *
 * <p>The transaction's BEGIN can wait for the first step ({@link #beginWith}): it then leaves in the same request as
 * that step's statement, which saves a round trip, and a transaction that sends nothing sends no BEGIN and no
 * COMMIT. Whether BEGIN took effect is read from the transaction status the server reports with the step's answer;
 * when it failed, later statements are refused without being sent, so none can run outside the transaction.
 */
public final class Attempt {
    /** Where an attempt stands. */
    public enum State {
        /** statements may be queued */
        ACTIVE,
        /** a commit or rollback is queued; nothing new may be queued */
        ENDING,
        /** committed or rolled back */
        ENDED
    }

    private final TransactionSession session;
    private final StepQueue queue;
    private final DbConnection connection;
    private final QueryRunner runner;
    private final FailureLedger ledger = new FailureLedger();
    private final AttemptSavepoints savepoints;
    private final AttemptEnding commitOrRollback;
    /** The outcome callback of a caller's statement: its failure counts against the transaction. */
    private final StepQueue.Outcome recordFailures = outcome(true, null);

    private State state = State.ACTIVE;
    private @Nullable Throwable endError;
    private boolean endedByCaller;
    private String outcome = "ended";
    /** Statements that open the transaction and wait for the first step to carry them; empty once sent. */
    private List<String> pendingBegin = List.of();
    /** Why the transaction did not begin (its BEGIN failed), or null. */
    private @Nullable Throwable beginFailure;

    Attempt(TransactionSession session, StepQueue queue) {
        this.session = session;
        this.queue = queue;
        this.connection = session.connection();
        this.runner = session.runner();
        this.savepoints = new AttemptSavepoints(this, queue, ledger, runner, connection);
        this.commitOrRollback = new AttemptEnding(this, session, queue, ledger, runner, connection);
    }

    /**
     * Lets the statements that open the transaction (BEGIN with its options) travel with the first step that reaches
     * the server instead of on their own; call before anything is queued.
     *
     * @param statements the statements, in order
     */
    public void beginWith(List<String> statements) {
        synchronized (queue.lock()) {
            pendingBegin = List.copyOf(statements);
        }
    }

    /** Returns what completes callers' futures. */
    CallerFutures callers() {
        return session.callers();
    }

    /**
     * Completes a caller's step as every caller's future completes: with the value, or with the error mapped.
     *
     * @param step the caller's future
     * @param value the value when there is no error
     * @param error the error, or null
     * @param <T> the value's type
     */
    public <T extends @Nullable Object> void deliver(StepFuture<T> step, @Nullable T value, @Nullable Throwable error) {
        session.deliver(step, value, error);
    }

    /**
     * A caller's future that completes, without a value, when an internal one does (its error mapped).
     *
     * @param internal the engine's future
     * @return the caller's future
     */
    public CompletableFuture<@Nullable Void> forCaller(CompletableFuture<?> internal) {
        return session.forCaller(internal);
    }

    /** Returns the state now. */
    public State state() {
        synchronized (queue.lock()) {
            return state;
        }
    }

    /** Returns true while statements may be queued. */
    public boolean isActive() {
        synchronized (queue.lock()) {
            return state == State.ACTIVE && !queue.isAbandoned() && session.isCurrent(this);
        }
    }

    /** Returns true when sub-transactions may open. */
    public boolean allowNested() {
        return session.allowNested();
    }

    /** Returns the attempt's savepoints. */
    public AttemptSavepoints savepoints() {
        return savepoints;
    }

    /**
     * Queues a caller's statement, telling {@code sink} of its result instead of completing a future (one future and
     * one completion stage fewer per statement). A statement that cannot be sent (bad SQL text or values) fails at
     * once and also counts as a failure of the transaction.
     *
     * @param sql one statement
     * @param params its values
     * @param caller the caller's future, whose cancellation stops the statement (see {@link StepFuture}), or null
     * @param sink told once: the result, or the statement's error (unmapped), {@link TransactionException} when the
     *     transaction has ended, {@link CancellationException} when it was cancelled
     */
    public void statement(
            @Nullable String sql,
            @Nullable Object @Nullable [] params,
            @Nullable StepFuture<?> caller,
            ResultSink sink) {
        Statement st;
        try {
            st = Statement.of(session.statements(), Objects.requireNonNull(sql, "sql must not be null"), params);
        } catch (RuntimeException e) {
            refusedBeforeSending(e);
            sink.accept(null, e);
            return;
        }
        statement(st, caller, sink);
    }

    /**
     * Queues a statement of the engine's own on the caller's behalf that was already checked (a cursor's DECLARE).
     *
     * @param st the statement
     * @return the result; fails as {@link #statement(Statement, StepFuture, ResultSink)} tells its sink
     */
    public CompletableFuture<Result> statement(Statement st) {
        CompletableFuture<Result> out = new CompletableFuture<>();
        statement(st, null, (r, e) -> {
            if (e != null) {
                out.completeExceptionally(e);
            } else {
                out.complete(Objects.requireNonNull(r));
            }
        });
        return out;
    }

    /**
     * Queues a caller's statement that was already checked. The sink is told on the thread that completes the
     * statement, never while this attempt's lock is held.
     *
     * @param st the statement
     * @param caller the caller's future, whose cancellation stops the statement (see {@link StepFuture}), or null
     * @param sink told once: the result, or the statement's error (unmapped), {@link TransactionException} when the
     *     transaction has ended, {@link CancellationException} when it was cancelled
     */
    public void statement(Statement st, @Nullable StepFuture<?> caller, ResultSink sink) {
        callerStep(
                "run a statement",
                begin -> runner.observed(
                        session.scope(), st.sql(), 0, () -> runner.send(connection, begin, st.sql(), st)),
                caller,
                sink);
    }

    /**
     * Queues a caller's batch: one statement run once per row, as one step (all or nothing), or refuses it before
     * sending when its rows were to commit one by one, which a transaction cannot do.
     *
     * @param sql one statement
     * @param rows each run's values
     * @param independent whether the caller asked for each row to commit on its own
     * @param caller the caller's future, whose cancellation stops the batch (see {@link StepFuture}), or null
     * @param sink told once: the result, whose counts hold each row's count, or the error as for a statement
     */
    public void batch(
            @Nullable String sql,
            List<? extends List<? extends @Nullable Object>> rows,
            boolean independent,
            @Nullable StepFuture<?> caller,
            ResultSink sink) {
        if (independent) {
            IllegalArgumentException e = new IllegalArgumentException("BatchOptions.independent() cannot run inside a "
                    + "transaction: a failing row aborts the transaction, so rows cannot commit one by one; use "
                    + "BatchOptions.atomic() here, or run the batch on the engine");
            refusedBeforeSending(e);
            sink.accept(null, e);
            return;
        }
        BatchStatement batch;
        try {
            batch = BatchStatement.of(session.statements(), Objects.requireNonNull(sql, "sql must not be null"), rows);
        } catch (RuntimeException e) {
            refusedBeforeSending(e);
            sink.accept(null, e);
            return;
        }
        if (batch.encoded().isEmpty()) {
            RuntimeException refused;
            synchronized (queue.lock()) {
                refused = refusal("run a statement");
            }
            sink.accept(refused == null ? Result.countsOf(new long[0]) : null, refused);
            return;
        }
        callerStep(
                "run a statement",
                begin -> runner.observed(
                        session.scope(),
                        batch.sql(),
                        batch.encoded().size(),
                        () -> runner.sendBatch(connection, begin, batch, false)),
                caller,
                sink);
    }

    /**
     * Queues a caller's step (a statement or a batch) whose failure counts against the transaction, watching the
     * caller's future; starts it here, after the lock is released, when nothing else runs.
     */
    private void callerStep(
            String what,
            Function<List<String>, CompletableFuture<Result>> send,
            @Nullable StepFuture<?> caller,
            ResultSink sink) {
        RuntimeException refused;
        Runnable start = null;
        synchronized (queue.lock()) {
            refused = refusal(what);
            if (refused == null) {
                if (caller != null) {
                    caller.onLost(this::recordLost);
                }
                start = queue.stepLater(
                        true, seq -> withBegin(true, send), recordFailures, sink, caller, this::cancelRunning);
            }
        }
        if (refused != null) {
            sink.accept(null, refused);
        } else if (start != null) {
            start.run();
        }
    }

    /** Sends a cancel request for the statement running on the connection; completes once the server has it. */
    private CompletableFuture<?> cancelRunning() {
        return runner.canceller().cancel(connection);
    }

    /**
     * A caller's statement that succeeded but whose caller never received the result (its coroutine was cancelled at
     * that moment) counts as failed, in queue order, unless the transaction already refuses statements.
     */
    @SuppressWarnings("FutureReturnValueIgnored") // the step's outcome is the ledger entry it makes; nothing else
    private void recordLost() {
        synchronized (queue.lock()) {
            if (refusal("run a statement") == null) {
                queue.step(true, seq -> {
                    ledger.failed(
                            seq,
                            new CancellationException("the caller was cancelled before it received the result of a "
                                    + "statement that had run; the transaction cannot commit it"));
                    return CompletableFuture.completedFuture(Result.empty("CANCELLED"));
                });
            }
        }
    }

    /**
     * Records a caller's statement refused before it was sent: it counts against the transaction like a failed one
     * (in queue order), unless the transaction already refuses statements.
     */
    @SuppressWarnings("FutureReturnValueIgnored") // the step's outcome is the ledger entry it makes; nothing else
    private void refusedBeforeSending(RuntimeException e) {
        synchronized (queue.lock()) {
            if (refusal("run a statement") == null) {
                queue.step(true, seq -> {
                    ledger.failed(seq, ErrorMapper.map(e, connection.toString()));
                    return CompletableFuture.failedFuture(e);
                });
            }
        }
    }

    /**
     * Queues one of the engine's own statements that is part of the attempt (BEGIN, SET LOCAL, SAVEPOINT
     * cockroach_restart, ROLLBACK TO SAVEPOINT cockroach_restart); it runs whatever the attempt's state, but not after
     * the transaction was abandoned.
     *
     * @param sql the statement
     * @return the result
     */
    public CompletableFuture<Result> control(String sql) {
        synchronized (queue.lock()) {
            return step(false, false, begin -> runner.control(connection, begin, sql), null);
        }
    }

    /** Queues the commit after everything queued so far, as {@link AttemptEnding#commit} tells. */
    public CompletableFuture<Result> commit(boolean byCaller) {
        return commit(byCaller, null);
    }

    /** Queues the commit for a caller who may give it up, as {@link AttemptEnding#commit} tells. */
    public CompletableFuture<Result> commit(boolean byCaller, @Nullable StepFuture<?> caller) {
        return commitOrRollback.commit(byCaller, caller);
    }

    /** Queues ROLLBACK after everything queued so far, as {@link AttemptEnding#rollback} tells. */
    public CompletableFuture<Result> rollback(boolean byCaller) {
        return commitOrRollback.rollback(byCaller);
    }

    /** Ends the attempt in the engine's books without SQL (a retry follows, or the runner rolls back itself). */
    public void end() {
        synchronized (queue.lock()) {
            state = State.ENDED;
        }
    }

    /**
     * Returns a future of the moment the queue runs dry.
     *
     * @return completes when every step queued so far has run; with the outcome of a commit the caller asked for (so
     *     a manual commit that was rolled back is not reported as success)
     */
    public CompletableFuture<@Nullable Void> idle() {
        return queue.drained().thenApply(v -> {
            Throwable error;
            synchronized (queue.lock()) {
                error = endError;
            }
            if (error != null) {
                throw new CompletionException(error);
            }
            return null;
        });
    }

    /** Marks the attempt ended once its commit or rollback is done, keeping the error a caller's commit met. */
    void ended(@Nullable Throwable error, String how) {
        synchronized (queue.lock()) {
            state = State.ENDED;
            outcome = how;
            if (endedByCaller && error != null) {
                endError = ErrorMapper.unwrap(error);
            }
        }
    }

    /** Called by the session when a newer attempt replaces this one. */
    void replaced() {
        synchronized (queue.lock()) {
            state = State.ENDED;
        }
    }

    /** Returns why nothing more may be queued, or null when it may (call holding the lock). */
    @Nullable
    RuntimeException refusal(String what) {
        if (queue.isAbandoned()) {
            return new CancellationException(
                    "cannot " + what + ": the transaction was cancelled or its connection failed");
        }
        if (!session.isCurrent(this)) {
            return new TransactionException(
                    "cannot " + what + ": this attempt of the transaction is over (it is being retried)");
        }
        return switch (state) {
            case ACTIVE -> null;
            case ENDING ->
                new TransactionException("cannot " + what + ": the transaction is already committing or rolling back");
            case ENDED -> new TransactionException("cannot " + what + ": the transaction was already " + outcome);
        };
    }

    /**
     * Queues the step that ends the transaction, after everything queued so far, unless nothing more may be queued
     * (call holding the lock).
     *
     * @param what the ending, for the refusal: "commit" or "roll back"
     * @param byCaller true when the caller's callback asked for it
     * @param send sends the ending, given the BEGIN statements not sent yet
     * @return completes when the ending's answer is in; failed at once when refused
     */
    CompletableFuture<Result> ending(
            String what, boolean byCaller, Function<List<String>, CompletableFuture<Result>> send) {
        RuntimeException refused = refusal(what);
        if (refused != null) {
            return CompletableFuture.failedFuture(refused);
        }
        state = State.ENDING;
        endedByCaller = byCaller;
        return step(false, false, send, null);
    }

    /**
     * Queues a step whose failure (with {@code record}) counts against the transaction (call holding the lock).
     */
    CompletableFuture<Result> step(
            boolean callers,
            boolean record,
            Function<List<String>, CompletableFuture<Result>> action,
            @Nullable LongConsumer onSuccess) {
        return queue.step(callers, seq -> withBegin(callers, action), outcome(record, onSuccess));
    }

    /** The queue's outcome callback for a step: records its failure (with {@code record}) or its success. */
    private StepQueue.Outcome outcome(boolean record, @Nullable LongConsumer onSuccess) {
        return (seq, result, error) -> {
            if (error != null) {
                if (record) {
                    ledger.failed(seq, ErrorMapper.map(error, connection.toString()));
                }
            } else if (onSuccess != null) {
                onSuccess.accept(seq);
            }
        };
    }

    /**
     * Runs a step's action (on the queue, one step at a time), handing it the BEGIN still waiting to be sent, if any.
     * Afterwards the server's transaction status tells whether BEGIN took effect: when its own error came back, the
     * transaction did not begin and the caller's later statements are refused; when the request never left, BEGIN
     * waits for the next step.
     */
    CompletableFuture<Result> withBegin(boolean callers, Function<List<String>, CompletableFuture<Result>> action) {
        List<String> begin;
        Throwable failed;
        synchronized (queue.lock()) {
            begin = pendingBegin;
            pendingBegin = List.of();
            failed = beginFailure;
        }
        if (failed != null && callers) {
            return CompletableFuture.failedFuture(
                    new TransactionException("the transaction did not begin: " + failed.getMessage(), failed));
        }
        CompletableFuture<Result> sent;
        try {
            sent = action.apply(begin);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        if (begin.isEmpty()) {
            return sent;
        }
        return sent.whenComplete((r, e) -> {
            if (e == null || connection.transactionStatus() != 'I') {
                return;
            }
            Throwable cause = ErrorMapper.unwrap(e);
            synchronized (queue.lock()) {
                if (cause instanceof ServerErrorException s && s.sentAhead()) {
                    beginFailure = ErrorMapper.map(cause, connection.toString());
                } else if (connection.isAlive() && pendingBegin.isEmpty()) {
                    pendingBegin = begin;
                }
            }
        });
    }

    @Override
    public String toString() {
        return "Transaction{" + state() + ", on " + connection + "}";
    }
}
