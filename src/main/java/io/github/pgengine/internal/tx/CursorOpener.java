package io.github.pgengine.internal.tx;

import static io.github.pgengine.internal.runtime.Completions.whenDone;

import io.github.pgengine.internal.exec.QueryRunner;
import io.github.pgengine.internal.exec.StatementExecutor;
import io.github.pgengine.internal.observe.Observers;
import io.github.pgengine.internal.pool.EnginePool;
import io.github.pgengine.internal.pool.Lease;
import io.github.pgengine.internal.pool.Lender;
import io.github.pgengine.internal.sql.Statement;
import io.github.pgengine.internal.sql.StatementCache;
import io.github.pgengine.internal.wire.Result;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Opens an engine's server-side cursors for its callers: one at a time ({@code cursor}), or one per subscription of a
 * demand-driven publisher ({@code stream}). Each runs in a read-only transaction on a connection of its own.
 */
public final class CursorOpener {
    private final EnginePool pools;
    private final StatementExecutor executor;
    private final QueryRunner runner;
    private final StatementCache statements;
    private final Observers observers;

    /**
     * @param pools whether the engine is closed
     * @param executor where a cursor borrows its connection
     * @param runner sends the cursor's statements
     * @param statements the engine's parse cache
     * @param observers the engine's observers
     */
    public CursorOpener(
            EnginePool pools,
            StatementExecutor executor,
            QueryRunner runner,
            StatementCache statements,
            Observers observers) {
        this.pools = pools;
        this.executor = executor;
        this.runner = runner;
        this.statements = statements;
        this.observers = observers;
    }

    /**
     * Opens a cursor for a caller: cancelling the returned future closes the cursor and gives its connection back.
     *
     * @param sql one query
     * @param params its values
     * @param batchSize rows per FETCH
     * @param wrap makes the caller's view of the cursor
     * @param <T> that view
     * @return the caller's future
     */
    public <T> CompletableFuture<T> cursor(
            String sql, List<? extends @Nullable Object> params, int batchSize, Function<Cursor, T> wrap) {
        CompletableFuture<T> result = new CompletableFuture<>();
        CompletableFuture<Cursor> opening = open(sql, params, batchSize);
        whenDone(result, (r, e) -> {
            if (result.isCancelled()) {
                whenDone(opening, (opened, failed) -> {
                    if (opened != null) {
                        opened.close();
                    }
                });
            }
        });
        whenDone(opening, (cursor, error) -> {
            if (error != null) {
                runner.callers().fail(result, error);
            } else if (result.isDone()) {
                cursor.close();
            } else {
                runner.callers().succeed(result, wrap.apply(cursor));
            }
        });
        return result;
    }

    /**
     * A demand-driven publisher over a cursor; each subscription opens its own.
     *
     * @param sql one query
     * @param params its values
     * @param fetchSize rows per FETCH
     * @param mapper turns a fetched batch into elements
     * @param <T> the element type
     * @return a cold publisher
     */
    public <T> Flow.Publisher<T> stream(
            String sql, List<? extends @Nullable Object> params, int fetchSize, Function<Result, List<T>> mapper) {
        Objects.requireNonNull(sql, "sql");
        Objects.requireNonNull(params, "params");
        checkBatchSize(fetchSize, "fetchSize");
        return new CursorPublisher<>(() -> open(sql, params, fetchSize), mapper);
    }

    private CompletableFuture<Cursor> open(String sql, List<? extends @Nullable Object> params, int batchSize) {
        Statement declare;
        try {
            Objects.requireNonNull(sql, "sql must not be null");
            Objects.requireNonNull(params, "params");
            checkBatchSize(batchSize, "batchSize");
            pools.checkOpen();
            declare = Cursor.declare(statements, sql, params.toArray());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        Observers.Call call = observers.capture();
        Lender lender = executor.lender();
        CompletableFuture<Cursor> result = new CompletableFuture<>();
        Lease.borrow(
                lender.acquire(),
                lender.release(),
                result,
                result::completeExceptionally,
                lease -> whenDone(
                        Cursor.open(lease, runner, statements, declare, batchSize, call, observers), (cursor, e) -> {
                            if (e != null) {
                                result.completeExceptionally(e);
                            } else if (!result.complete(cursor)) {
                                cursor.close();
                            }
                        }));
        return result;
    }

    private static void checkBatchSize(int size, String what) {
        if (size < 1) {
            throw new IllegalArgumentException(what + " must be at least 1 (was " + size + ")");
        }
    }
}
