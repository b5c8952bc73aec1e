package io.github.pgengine;

import static io.github.pgengine.internal.runtime.Completions.whenDone;

import io.github.pgengine.internal.sql.Identifiers;
import io.github.pgengine.internal.tx.Attempt;
import io.github.pgengine.internal.tx.ResultSink;
import io.github.pgengine.internal.tx.SavepointScope;
import io.github.pgengine.internal.tx.StepFuture;
import io.github.pgengine.internal.wire.Result;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A transaction in progress, handed to the callback of {@link PostgresEngine#transaction(Function)}.
 *
 * <p>Statements run on the transaction's connection one at a time, in the order they are called; calls made
 * without waiting are queued and all run before COMMIT. The transaction commits only if every statement in it
 * succeeded, or its failure was undone by a rollback to a savepoint made before it (which is what a failed
 * sub-transaction does); otherwise it rolls back and fails with {@link TransactionRolledBackException}, even when
 * the callback caught the error. A statement called after the transaction ended fails with
 * {@link TransactionException}. A sub-transaction ({@link #transaction(Function)}) runs on a savepoint: its failure
 * rolls back to the savepoint and fails its own stage, and the outer transaction may go on.
 */
public final class Transaction {
    private final Attempt attempt;
    private final @Nullable SavepointScope scope;

    Transaction(Attempt attempt, @Nullable SavepointScope scope) {
        this.attempt = attempt;
        this.scope = scope;
    }

    /**
     * Runs one statement in the transaction.
     *
     * @param sql one statement ({@code $1} or {@code ?} placeholders)
     * @param params its values
     * @return its rows
     */
    public CompletableFuture<List<Row>> query(String sql, @Nullable Object... params) {
        return statement(sql, params, Rows::from);
    }

    /**
     * Runs one statement in the transaction.
     *
     * @param sql one statement
     * @param params its values
     * @return the rows it affected
     */
    public CompletableFuture<Long> execute(String sql, @Nullable Object... params) {
        return statement(sql, params, Result::rowsAffected);
    }

    /**
     * Runs one statement for each row, in one round trip, as one step of the transaction, exactly as
     * {@link PostgresEngine#executeBatch} does (plain inserts as multi-row inserts unless the engine switched that
     * off): a failing row fails the batch (naming the row, or the rows of its multi-row insert) and counts against
     * the transaction like a failed statement.
     *
     * @param sql one statement ({@code $1} or {@code ?} placeholders)
     * @param rows the values of each run, in placeholder order
     * @return the count of each row, in order ({@link PostgresEngine#SUCCESS_NO_INFO} for rows of a multi-row insert
     *     whose rows did not all write one row)
     */
    public CompletableFuture<long[]> executeBatch(String sql, List<? extends List<? extends @Nullable Object>> rows) {
        return step((caller, sink) -> attempt.batch(sql, rows, false, caller, sink), Result::counts);
    }

    /**
     * Runs one statement for each row as one step of the transaction, as {@link #executeBatch(String, List)} does.
     * Only {@link BatchOptions#atomic()} is possible here: in a transaction a failing row aborts the transaction, so
     * rows cannot commit one by one. {@link BatchOptions#independent()} fails with an
     * {@link IllegalArgumentException} before anything is sent, and counts against the transaction like any refused
     * statement; run such a batch on the engine instead.
     *
     * @param sql one statement ({@code $1} or {@code ?} placeholders)
     * @param rows the values of each run, in placeholder order
     * @param options {@link BatchOptions#atomic()}
     * @return the count of each row, in order
     */
    public CompletableFuture<long[]> executeBatch(
            String sql, List<? extends List<? extends @Nullable Object>> rows, BatchOptions options) {
        if (options == null) {
            return CompletableFuture.failedFuture(new NullPointerException("options must not be null"));
        }
        return step((caller, sink) -> attempt.batch(sql, rows, options.isIndependent(), caller, sink), Result::counts);
    }

    /**
     * Runs one DDL statement in the transaction.
     *
     * @param ddl the statement
     * @return its rows (usually none)
     */
    public CompletableFuture<List<Row>> runDdl(String ddl) {
        return statement(ddl, new Object[0], Rows::from);
    }

    /**
     * Runs the work as a sub-transaction on a generated savepoint: released when the work's stage succeeds and
     * nothing in it failed, rolled back to otherwise (and the stage fails with the work's error, or with
     * {@link TransactionRolledBackException} naming the statement that failed).
     *
     * @param work the sub-transaction's callback
     * @param <T> its result type
     * @return the work's result; fails with {@link TransactionException} when nesting is not allowed
     */
    public <T extends @Nullable Object> CompletableFuture<T> transaction(
            Function<Transaction, ? extends CompletionStage<T>> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        if (!attempt.allowNested()) {
            result.completeExceptionally(new TransactionException(
                    "nested transactions are not allowed in this transaction (allowNested is false)"));
            return result;
        }
        if (!isActive()) {
            result.completeExceptionally(endedError("start a nested transaction"));
            return result;
        }
        return SavepointScope.run(attempt, scope, nested -> new Transaction(attempt, nested), work);
    }

    /**
     * Creates a savepoint named {@code savepoint_1}, {@code savepoint_2}, ... (numbered per transaction).
     *
     * @return the savepoint
     */
    public CompletableFuture<Savepoint> savepoint() {
        return createSavepoint(attempt.savepoints().nextName());
    }

    /**
     * Creates a named savepoint. Names may hold only ASCII letters, digits, {@code -} and {@code _} (at most 63);
     * anything else fails before any SQL is sent.
     *
     * @param name the savepoint's name
     * @return the savepoint; fails with {@link IllegalArgumentException} for a bad name
     */
    public CompletableFuture<Savepoint> savepoint(String name) {
        try {
            Identifiers.savepointName(name);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return createSavepoint(name);
    }

    /**
     * Rolls back to a savepoint of this transaction by name; failures of statements after it no longer count
     * against the transaction.
     *
     * @param name the savepoint's name
     * @return completes when rolled back; fails with {@link IllegalArgumentException} for a bad name, or the
     *     server's error (3B001 when there is no such savepoint)
     */
    public CompletableFuture<@Nullable Void> rollbackTo(String name) {
        String quoted;
        try {
            quoted = Identifiers.savepointName(name);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return mapped(attempt.savepoints().rollbackTo(quoted, name));
    }

    /**
     * Commits now (after the statements already called). The engine will not commit again when the callback's
     * stage completes. In a sub-transaction this releases its savepoint.
     *
     * @return completes when committed; fails with {@link TransactionRolledBackException} when the transaction was
     *     rolled back instead, or {@link TransactionException} when already ended
     */
    public CompletableFuture<@Nullable Void> commit() {
        if (scope != null) {
            if (!scope.end()) {
                return CompletableFuture.failedFuture(endedError("commit"));
            }
            return mapped(scope.finish(true));
        }
        StepFuture<@Nullable Void> out = new StepFuture<>(false);
        whenDone(attempt.commit(true, out), (r, e) -> attempt.deliver(out, null, e));
        return out;
    }

    /**
     * Rolls back now (after the statements already called). The engine will not roll back again when the
     * callback's stage completes. In a sub-transaction this rolls back to its savepoint.
     *
     * @return completes when rolled back; fails with {@link TransactionException} when already ended
     */
    public CompletableFuture<@Nullable Void> rollback() {
        if (scope != null) {
            if (!scope.end()) {
                return CompletableFuture.failedFuture(endedError("roll back"));
            }
            return mapped(scope.finish(false));
        }
        return mapped(attempt.rollback(true));
    }

    /** Returns true until the transaction (or this sub-transaction) commits, rolls back or is cancelled. */
    public boolean isActive() {
        return attempt.isActive() && !(scope != null && scope.isEnded());
    }

    private CompletableFuture<Savepoint> createSavepoint(String name) {
        String quoted = Identifiers.quote(name, "savepoint name");
        CompletableFuture<Savepoint> out = new CompletableFuture<>();
        whenDone(mapped(attempt.savepoints().create(quoted, name)), (v, e) -> {
            if (e != null) {
                out.completeExceptionally(e);
            } else {
                out.complete(new Savepoint(this, name));
            }
        });
        return out;
    }

    CompletableFuture<@Nullable Void> releaseSavepoint(String name) {
        return mapped(attempt.savepoints().release(Identifiers.quote(name, "savepoint name"), name));
    }

    private <T> CompletableFuture<T> statement(
            @Nullable String sql, @Nullable Object[] params, Function<Result, T> mapper) {
        return step((caller, sink) -> attempt.statement(sql, params, caller, sink), mapper);
    }

    /**
     * Queues a caller's statement or batch (unless this sub-transaction ended) and maps its result. The caller's
     * future is a {@link StepFuture}: cancelling it stops the step (see {@link #query}).
     *
     * @param queue queues it, given the caller's future and the sink to tell of its result
     */
    private <T> CompletableFuture<T> step(BiConsumer<StepFuture<?>, ResultSink> queue, Function<Result, T> mapper) {
        if (scope != null && scope.isEnded()) {
            return CompletableFuture.failedFuture(endedError("run a statement"));
        }
        StepFuture<T> result = new StepFuture<>(true);
        if (scope != null) {
            scope.track(result);
        }
        queue.accept(result, (qr, error) -> deliver(result, mapper, qr, error));
        return result;
    }

    /** Maps a step's result and completes the caller's future with it (or with the step's mapped error). */
    private <T> void deliver(
            StepFuture<T> result, Function<Result, T> mapper, @Nullable Result qr, @Nullable Throwable error) {
        if (error != null || qr == null) {
            attempt.deliver(
                    result,
                    null,
                    error != null ? error : new IllegalStateException("a statement ended without a result"));
            return;
        }
        T value;
        try {
            value = mapper.apply(qr);
        } catch (RuntimeException e) {
            attempt.deliver(result, null, e);
            return;
        }
        attempt.deliver(result, value, null);
    }

    private CompletableFuture<@Nullable Void> mapped(CompletableFuture<?> f) {
        return attempt.forCaller(f);
    }

    private RuntimeException endedError(String what) {
        return new TransactionException("cannot " + what + ": this nested transaction has already ended");
    }

    @Override
    public String toString() {
        return "Transaction{" + (scope == null ? "" : scope + ", ") + attempt + "}";
    }
}
