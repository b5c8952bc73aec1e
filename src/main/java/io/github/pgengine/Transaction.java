package io.github.pgengine;

import com.github.jasync.sql.db.QueryResult;
import io.github.pgengine.internal.ErrorMapper;
import io.github.pgengine.internal.Identifiers;
import io.github.pgengine.internal.TransactionSession;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A transaction in progress, handed to the callback of {@link PostgresEngine#transaction(Function)}.
 *
 * <p>Statements run on the transaction's connection in the order they are called; a statement called after
 * the transaction ended fails with {@link TransactionException}. A sub-transaction
 * ({@link #transaction(Function)}) runs on a savepoint: its failure rolls back to the savepoint and fails its
 * own stage, and the outer transaction may go on.
 */
public final class Transaction {
    private final TransactionSession session;
    private final @Nullable String savepoint;
    private final AtomicBoolean nestedEnded = new AtomicBoolean();

    Transaction(TransactionSession session, @Nullable String savepoint) {
        this.session = session;
        this.savepoint = savepoint;
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
        return statement(sql, params, QueryResult::getRowsAffected);
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
     * Runs the work as a sub-transaction on a generated savepoint: released when the work's stage succeeds,
     * rolled back to when it fails (and the stage fails with the work's error).
     *
     * @param work the sub-transaction's callback
     * @param <T> its result type
     * @return the work's result; fails with {@link TransactionException} when nesting is not allowed
     */
    public <T> CompletableFuture<T> transaction(Function<Transaction, ? extends CompletionStage<T>> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        if (!session.allowNested()) {
            result.completeExceptionally(new TransactionException("nested transactions are not allowed in this "
                    + "transaction (allowNested is false)"));
            return result;
        }
        if (!isActive()) {
            result.completeExceptionally(endedError("start a nested transaction"));
            return result;
        }
        String name = session.nextSavepointName();
        String quoted = Identifiers.quote(name, "savepoint name");
        control("SAVEPOINT " + quoted).whenComplete((r, error) -> {
            if (error != null) {
                session.runner().fail(result, error);
                return;
            }
            Transaction nested = new Transaction(session, name);
            CompletionStage<T> stage;
            try {
                stage = work.apply(nested);
                if (stage == null) {
                    throw new NullPointerException("the transaction callback returned null instead of a CompletionStage");
                }
            } catch (Throwable t) {
                stage = CompletableFuture.failedFuture(t);
            }
            stage.whenComplete((value, workError) -> {
                if (!nested.nestedEnded.compareAndSet(false, true)) {
                    complete(result, value, workError);
                } else if (workError == null) {
                    control("RELEASE SAVEPOINT " + quoted).whenComplete((x, releaseError) ->
                            complete(result, value, releaseError));
                } else {
                    Throwable e = ErrorMapper.unwrap(workError);
                    control("ROLLBACK TO SAVEPOINT " + quoted).thenCompose(x -> control("RELEASE SAVEPOINT " + quoted))
                            .whenComplete((x, rollbackError) -> {
                                if (rollbackError != null) {
                                    e.addSuppressed(ErrorMapper.map(rollbackError, "the transaction's connection"));
                                }
                                session.runner().failUnmapped(result, e);
                            });
                }
            });
        });
        return result;
    }

    /**
     * Creates a savepoint named {@code savepoint_1}, {@code savepoint_2}, ... (numbered per transaction).
     *
     * @return the savepoint
     */
    public CompletableFuture<Savepoint> savepoint() {
        return createSavepoint(session.nextSavepointName());
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
     * Rolls back to a savepoint of this transaction by name.
     *
     * @param name the savepoint's name
     * @return completes when rolled back; fails with {@link IllegalArgumentException} for a bad name, or the
     *     server's error (3B001 when there is no such savepoint)
     */
    public CompletableFuture<Void> rollbackTo(String name) {
        String quoted;
        try {
            quoted = Identifiers.savepointName(name);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return control("ROLLBACK TO SAVEPOINT " + quoted).thenApply(r -> null);
    }

    /**
     * Commits now. The engine will not commit again when the callback's stage completes. In a sub-transaction
     * this releases its savepoint.
     *
     * @return completes when committed; fails with {@link TransactionException} when already ended
     */
    public CompletableFuture<Void> commit() {
        if (savepoint != null) {
            if (!nestedEnded.compareAndSet(false, true)) {
                return CompletableFuture.failedFuture(new TransactionException("cannot commit: this nested transaction "
                        + "has already ended"));
            }
            return control("RELEASE SAVEPOINT " + Identifiers.quote(savepoint, "savepoint name")).thenApply(r -> null);
        }
        if (session.state() != TransactionSession.State.ACTIVE) {
            return CompletableFuture.failedFuture(endedError("commit"));
        }
        return mapped(session.commit()).thenApply(r -> null);
    }

    /**
     * Rolls back now. The engine will not roll back again when the callback's stage completes. In a
     * sub-transaction this rolls back to its savepoint.
     *
     * @return completes when rolled back; fails with {@link TransactionException} when already ended
     */
    public CompletableFuture<Void> rollback() {
        if (savepoint != null) {
            if (!nestedEnded.compareAndSet(false, true)) {
                return CompletableFuture.failedFuture(new TransactionException("cannot roll back: this nested "
                        + "transaction has already ended"));
            }
            String quoted = Identifiers.quote(savepoint, "savepoint name");
            return control("ROLLBACK TO SAVEPOINT " + quoted).thenCompose(r -> control("RELEASE SAVEPOINT " + quoted))
                    .thenApply(r -> null);
        }
        if (!session.end(TransactionSession.State.ROLLED_BACK)) {
            return CompletableFuture.failedFuture(endedError("roll back"));
        }
        return mapped(session.control("ROLLBACK", true)).thenApply(r -> null);
    }

    /** @return true until the transaction (or this sub-transaction) commits, rolls back or is cancelled */
    public boolean isActive() {
        return session.state() == TransactionSession.State.ACTIVE && !(savepoint != null && nestedEnded.get());
    }

    private CompletableFuture<Savepoint> createSavepoint(String name) {
        String quoted = Identifiers.quote(name, "savepoint name");
        return control("SAVEPOINT " + quoted).thenApply(r -> new Savepoint(this, name));
    }

    CompletableFuture<Void> releaseSavepoint(String name) {
        return control("RELEASE SAVEPOINT " + Identifiers.quote(name, "savepoint name")).thenApply(r -> null);
    }

    private <T> CompletableFuture<T> statement(String sql, @Nullable Object[] params, Function<QueryResult, T> mapper) {
        if (!isActive()) {
            return CompletableFuture.failedFuture(endedError("run a statement"));
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        session.run(sql, params == null ? new Object[] {null} : params).whenComplete((qr, error) -> {
            if (error != null) {
                session.runner().fail(result, error);
                return;
            }
            T value;
            try {
                value = mapper.apply(qr);
            } catch (RuntimeException e) {
                session.runner().fail(result, e);
                return;
            }
            session.runner().succeed(result, value);
        });
        return result;
    }

    private CompletableFuture<QueryResult> control(String sql) {
        if (!isActive()) {
            return CompletableFuture.failedFuture(endedError("run " + sql.split(" ")[0]));
        }
        return mapped(session.control(sql, false));
    }

    private CompletableFuture<QueryResult> mapped(CompletableFuture<QueryResult> f) {
        CompletableFuture<QueryResult> out = new CompletableFuture<>();
        f.whenComplete((r, e) -> {
            if (e != null) {
                session.runner().fail(out, e);
            } else {
                session.runner().succeed(out, r);
            }
        });
        return out;
    }

    private RuntimeException endedError(String what) {
        if (session.state() == TransactionSession.State.ACTIVE && savepoint != null) {
            return new TransactionException("cannot " + what + ": this nested transaction has already ended");
        }
        return session.endedError(what);
    }

    private <T> void complete(CompletableFuture<T> result, @Nullable T value, @Nullable Throwable error) {
        if (error != null) {
            session.runner().fail(result, error);
        } else {
            session.runner().succeed(result, value);
        }
    }

    @Override
    public String toString() {
        return "Transaction{" + (savepoint == null ? "" : "savepoint " + savepoint + ", ") + session.state() + ", on "
                + session.connection() + "}";
    }
}
