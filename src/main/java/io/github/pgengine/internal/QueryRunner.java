package io.github.pgengine.internal;

import com.github.jasync.sql.db.QueryResult;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Runs statements for an engine: borrows a connection, sends, logs, maps errors, gives the connection back,
 * then completes the caller's future (on the callback executor when one is set).
 *
 * <p>The caller's future is never the driver's: cancelling it cannot strand a connection. A connection that
 * arrives after the caller has gone goes straight back unused; a statement already running finishes (or
 * is stopped by the server's statement_timeout) before its connection is reused.
 */
public final class QueryRunner {
    private final QueryLog log;
    private final String where;
    private final @Nullable Executor callbacks;
    private final ServerCanceller canceller;

    /**
     * @param log the engine's query log
     * @param where the target, for messages ({@code user@host:port/db})
     * @param callbacks completes callers' futures, or {@code null} to complete them on the I/O thread
     * @param canceller stops statements on the server when their caller cancels
     */
    public QueryRunner(QueryLog log, String where, @Nullable Executor callbacks, ServerCanceller canceller) {
        this.log = log;
        this.where = where;
        this.callbacks = callbacks;
        this.canceller = canceller;
    }

    /** @return stops statements on the server */
    public ServerCanceller canceller() {
        return canceller;
    }

    /**
     * Runs one statement on a borrowed connection.
     *
     * @param acquire borrows a connection
     * @param release gives it back (or closes it)
     * @param sql the statement
     * @param values its normalised values
     * @param mapper turns the driver's result into the caller's value (runs before the connection is released)
     * @param <T> the caller's type
     * @return the caller's future
     */
    public <T> CompletableFuture<T> run(
            Supplier<CompletableFuture<DbConnection>> acquire,
            Consumer<DbConnection> release,
            ParsedSql sql,
            List<@Nullable Object> values,
            Function<QueryResult, T> mapper) {
        CompletableFuture<T> result = new CompletableFuture<>();
        CompletableFuture<DbConnection> lease;
        try {
            lease = acquire.get();
        } catch (RuntimeException e) {
            fail(result, e);
            return result;
        }
        result.whenComplete((r, e) -> {
            if (result.isCancelled()) {
                lease.cancel(false);
            }
        });
        lease.whenComplete((connection, acquireError) -> {
            if (acquireError != null) {
                fail(result, acquireError);
                return;
            }
            if (result.isDone()) {
                release.accept(connection);
                return;
            }
            CompletableFuture<QueryResult> sent = send(connection, sql, values);
            // completes once a cancel request (if the caller cancels while the statement runs) reached the server
            CompletableFuture<Void> cancelSent = new CompletableFuture<>();
            result.whenComplete((r, e) -> {
                if (result.isCancelled() && !sent.isDone()) {
                    canceller.cancel(connection).whenComplete((v, x) -> cancelSent.complete(null));
                } else {
                    cancelSent.complete(null);
                }
            });
            sent.whenComplete((qr, error) -> {
                if (result.isCancelled()) {
                    // the connection runs nothing else before the cancel request has reached the server
                    cancelSent.whenComplete((v, x) -> release.accept(connection));
                    return;
                }
                T value = null;
                Throwable failure = error;
                if (failure == null) {
                    try {
                        value = mapper.apply(qr);
                    } catch (RuntimeException e) {
                        failure = e;
                    }
                }
                release.accept(connection);
                if (failure != null) {
                    fail(result, failure);
                } else {
                    succeed(result, value);
                }
            });
        });
        return result;
    }

    /**
     * Sends one statement on a connection the caller holds, logging it.
     *
     * @param connection the connection
     * @param sql the statement
     * @param values its normalised values
     * @return the driver's result; fails with the driver's error, unmapped
     */
    public CompletableFuture<QueryResult> send(DbConnection connection, ParsedSql sql, List<@Nullable Object> values) {
        long id = log.before(sql.sql(), values);
        long start = id == 0 ? 0 : System.nanoTime();
        CompletableFuture<QueryResult> sent = connection.send(sql, values);
        // the caller continues after the log line is written
        return id == 0 ? sent : sent.whenComplete((r, e) -> log.after(id, start, r, e));
    }

    /**
     * Completes a caller's future with a value, on the callback executor when one is set.
     *
     * @param future the caller's future
     * @param value the value
     * @param <T> its type
     */
    public <T> void succeed(CompletableFuture<T> future, @Nullable T value) {
        if (callbacks == null) {
            future.complete(value);
        } else {
            callbacks.execute(() -> future.complete(value));
        }
    }

    /**
     * Fails a caller's future with an error as it is (only wrappers removed): for errors of the caller's own
     * callbacks, which must reach the caller unchanged.
     *
     * @param future the caller's future
     * @param error the error
     */
    public void failUnmapped(CompletableFuture<?> future, Throwable error) {
        Throwable e = ErrorMapper.unwrap(error);
        if (callbacks == null) {
            future.completeExceptionally(e);
        } else {
            callbacks.execute(() -> future.completeExceptionally(e));
        }
    }

    /**
     * Fails a caller's future with the mapped error, on the callback executor when one is set.
     *
     * @param future the caller's future
     * @param error any error
     */
    public void fail(CompletableFuture<?> future, Throwable error) {
        RuntimeException mapped = ErrorMapper.map(error, where);
        if (callbacks == null) {
            future.completeExceptionally(mapped);
        } else {
            callbacks.execute(() -> future.completeExceptionally(mapped));
        }
    }
}
