package io.github.pgengine.internal.tx;

import static io.github.pgengine.internal.runtime.Completions.whenDone;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import io.github.pgengine.internal.exec.CallerFutures;
import io.github.pgengine.internal.exec.QueryRunner;
import io.github.pgengine.internal.observe.Observers;
import io.github.pgengine.internal.pool.Lease;
import io.github.pgengine.internal.sql.StatementCache;
import io.github.pgengine.internal.wire.DbConnection;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One transaction's hold on a connection, across all its attempts (CockroachDB retries). Everything it sends goes
 * through one {@link StepQueue}, so statements a caller fires without waiting all run, in call order, before the
 * COMMIT that follows them; each {@link Attempt} keeps the ledger that decides whether COMMIT may be sent. The
 * connection is given back exactly once, by the queue's last step.
 */
public final class TransactionSession {
    /** CockroachDB's client-side retry savepoint. */
    public static final String RESTART_SAVEPOINT = "cockroach_restart";

    private final Lease lease;
    private final DbConnection connection;
    private final QueryRunner runner;
    private final StatementCache statements;
    private final boolean allowNested;
    private final boolean restartSavepoint;
    private final Observers.Scope scope;
    private final StepQueue queue = new StepQueue();
    private @Nullable Attempt current;

    /**
     * @param lease the borrowed connection, released by {@link #close()}
     * @param runner sends statements with logging
     * @param statements the engine's parse cache
     * @param allowNested whether sub-transactions may open
     * @param restartSavepoint whether the transaction uses CockroachDB's {@code cockroach_restart} savepoint
     * @param scope where the caller's statements are reported to observers
     */
    public TransactionSession(
            Lease lease,
            QueryRunner runner,
            StatementCache statements,
            boolean allowNested,
            boolean restartSavepoint,
            Observers.Scope scope) {
        this.lease = lease;
        this.scope = scope;
        this.connection = lease.connection();
        this.runner = runner;
        this.statements = statements;
        this.allowNested = allowNested;
        this.restartSavepoint = restartSavepoint;
    }

    /** Returns the pinned connection. */
    public DbConnection connection() {
        return connection;
    }

    QueryRunner runner() {
        return runner;
    }

    /** Returns what completes callers' futures. */
    CallerFutures callers() {
        return runner.callers();
    }

    /**
     * Completes a caller's step as every caller's future completes (on the callback executor when one is set): with
     * the value, or with the error mapped to the public exceptions.
     */
    <T extends @Nullable Object> void deliver(StepFuture<T> step, @Nullable T value, @Nullable Throwable error) {
        CallerFutures callers = runner.callers();
        if (error != null) {
            RuntimeException mapped = callers.mapped(error);
            callers.complete(() -> step.deliverError(mapped));
        } else {
            callers.complete(() -> step.deliver(value));
        }
    }

    /** A caller's future that completes, without a value, when an internal one does (its error mapped). */
    CompletableFuture<@Nullable Void> forCaller(CompletableFuture<?> internal) {
        return runner.callers().deliver(internal.<@Nullable Void>thenApply(r -> null));
    }

    StatementCache statements() {
        return statements;
    }

    Observers.Scope scope() {
        return scope;
    }

    boolean allowNested() {
        return allowNested;
    }

    boolean restartSavepoint() {
        return restartSavepoint;
    }

    /** Returns true once the caller cancelled (or the engine gave up on) the transaction. */
    public boolean isAbandoned() {
        return queue.isAbandoned();
    }

    /** Returns true when {@code a} is the attempt now running (call holding the queue's lock). */
    boolean isCurrent(Attempt a) {
        return current == a;
    }

    /**
     * Starts an attempt; the previous one, if any, is over.
     *
     * @return the attempt
     */
    public Attempt begin() {
        synchronized (queue.lock()) {
            Attempt previous = current;
            if (previous != null) {
                previous.replaced();
            }
            Attempt a = new Attempt(this, queue);
            current = a;
            return a;
        }
    }

    /**
     * The caller has gone: statements not yet sent fail with {@link CancellationException}, the one running is
     * cancelled on the server, and ROLLBACK follows (unless the server says no transaction is open any more). Then
     * the connection goes back. Does nothing once the connection is being given back.
     *
     * @return completes when the connection is back
     */
    @CanIgnoreReturnValue
    public CompletableFuture<@Nullable Void> abandon() {
        if (!queue.abandon()) {
            return queue.closed();
        }
        whenDone(runner.canceller().cancel(connection), (v, e) -> {
            whenDone(
                    queue.finalStep(() -> connection.transactionStatus() == 'I'
                            ? CompletableFuture.completedFuture(null)
                            : runner.control(connection, "ROLLBACK")),
                    (r, rollbackError) -> {
                        if (rollbackError != null) {
                            connection.retire();
                        }
                    });
            close();
        });
        return queue.closed();
    }

    /**
     * Gives the connection back once every queued step has run; later calls do nothing.
     *
     * @return completes when the connection is back
     */
    @CanIgnoreReturnValue
    public CompletableFuture<@Nullable Void> close() {
        return queue.closeWith(() -> {
            if (connection.isBusy() || connection.transactionStatus() != 'I') {
                connection.retire();
            }
            lease.release();
        });
    }
}
