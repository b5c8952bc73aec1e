package io.github.pgengine.internal;

import com.github.jasync.sql.db.QueryResult;
import io.github.pgengine.TransactionException;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * One transaction's hold on a connection: statements run one after another in call order (a caller may fire
 * several without waiting), and the transaction's state decides what may still run.
 */
public final class TransactionSession {
    /** Where the transaction stands. */
    public enum State {
        ACTIVE,
        COMMITTED,
        ROLLED_BACK,
        /** Cancelled by the caller, or its connection failed: only the engine's ROLLBACK may run. */
        ABANDONED
    }

    private final DbConnection connection;
    private final QueryRunner runner;
    private final StatementCache statements;
    private final boolean allowNested;
    private final boolean restartSavepoint;
    private final AtomicInteger savepoints = new AtomicInteger();
    private final Object lock = new Object();
    private CompletableFuture<?> tail = CompletableFuture.completedFuture(null);
    private volatile State state = State.ACTIVE;

    /**
     * @param connection the pinned connection
     * @param runner sends statements with logging
     * @param statements the engine's parse cache
     * @param allowNested whether sub-transactions may open
     * @param restartSavepoint whether the transaction uses CockroachDB's {@code cockroach_restart} savepoint
     */
    public TransactionSession(DbConnection connection, QueryRunner runner, StatementCache statements,
            boolean allowNested, boolean restartSavepoint) {
        this.connection = connection;
        this.runner = runner;
        this.statements = statements;
        this.allowNested = allowNested;
        this.restartSavepoint = restartSavepoint;
    }

    /**
     * Sends the commit: {@code COMMIT}, or on CockroachDB {@code RELEASE SAVEPOINT cockroach_restart} then
     * {@code COMMIT}. Marks the transaction committed first, so nothing else of the caller's runs after it.
     *
     * @return completes when committed; fails with the server's error (unmapped)
     */
    public CompletableFuture<QueryResult> commit() {
        end(State.COMMITTED);
        if (!restartSavepoint) {
            return control("COMMIT", true);
        }
        return control("RELEASE SAVEPOINT " + TransactionRunner.RESTART_SAVEPOINT, true)
                .thenCompose(r -> control("COMMIT", true));
    }

    /** @return the pinned connection */
    public DbConnection connection() {
        return connection;
    }

    /** @return the runner, for completing callers' futures */
    public QueryRunner runner() {
        return runner;
    }

    /** @return the state now */
    public State state() {
        return state;
    }

    /** @return true when sub-transactions may open */
    public boolean allowNested() {
        return allowNested;
    }

    /** @return the next generated savepoint name: savepoint_1, savepoint_2, ... */
    public String nextSavepointName() {
        return "savepoint_" + savepoints.incrementAndGet();
    }

    /**
     * Queues a caller's statement.
     *
     * @param sql one statement
     * @param params its values
     * @return the result; fails with {@link TransactionException} when the transaction has ended, or the
     *     statement's error (unmapped)
     */
    public CompletableFuture<QueryResult> run(String sql, @Nullable Object[] params) {
        ParsedSql parsed;
        List<@Nullable Object> values;
        try {
            parsed = statements.statement(sql);
            values = ParameterValues.arrange(parsed, params);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return enqueue(parsed, values, false);
    }

    /**
     * Queues a statement of the engine's own (BEGIN, COMMIT, SAVEPOINT, ...).
     *
     * @param sql the statement, built only from constants and quoted identifiers
     * @param evenIfEnded true for the final ROLLBACK after a cancellation or failure
     * @return the result
     */
    public CompletableFuture<QueryResult> control(String sql, boolean evenIfEnded) {
        return enqueue(statements.statement(sql), List.of(), evenIfEnded);
    }

    /**
     * Ends the transaction in the engine's books (the SQL is sent separately).
     *
     * @param next the new state
     * @return false when the transaction had already ended
     */
    public boolean end(State next) {
        synchronized (lock) {
            if (state != State.ACTIVE) {
                return false;
            }
            state = next;
            return true;
        }
    }

    /** @return completes when every queued statement has finished */
    public CompletableFuture<Void> idle() {
        synchronized (lock) {
            return tail.handle((r, e) -> null);
        }
    }

    /**
     * @param what what the caller tried
     * @return an error explaining the transaction is over
     */
    public RuntimeException endedError(String what) {
        return switch (state) {
            case COMMITTED -> new TransactionException("cannot " + what + ": the transaction was already committed");
            case ROLLED_BACK -> new TransactionException("cannot " + what + ": the transaction was already rolled back");
            case ABANDONED -> new CancellationException("cannot " + what + ": the transaction was cancelled or its "
                    + "connection failed");
            case ACTIVE -> new IllegalStateException("active");
        };
    }

    private CompletableFuture<QueryResult> enqueue(ParsedSql sql, List<@Nullable Object> values, boolean evenIfEnded) {
        CompletableFuture<QueryResult> result = new CompletableFuture<>();
        synchronized (lock) {
            if (state != State.ACTIVE && !evenIfEnded) {
                result.completeExceptionally(endedError("run a statement"));
                return result;
            }
            // the queue's own future: a caller cancelling its copy cannot let the next statement start early
            CompletableFuture<?> previous = tail;
            tail = result;
            previous.whenComplete((r, e) -> {
                if (state != State.ACTIVE && !evenIfEnded) {
                    result.completeExceptionally(endedError("run a statement"));
                    return;
                }
                runner.send(connection, sql, values).whenComplete((qr, error) -> {
                    if (error != null) {
                        result.completeExceptionally(error);
                    } else {
                        result.complete(qr);
                    }
                });
            });
        }
        return result.copy();
    }
}
