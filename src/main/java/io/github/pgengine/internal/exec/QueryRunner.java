package io.github.pgengine.internal.exec;

import static io.github.pgengine.internal.runtime.Completions.whenDone;

import io.github.pgengine.internal.errors.ErrorMapper;
import io.github.pgengine.internal.observe.Observers;
import io.github.pgengine.internal.observe.QueryLog;
import io.github.pgengine.internal.pool.Lease;
import io.github.pgengine.internal.pool.Lender;
import io.github.pgengine.internal.runtime.EngineThreads;
import io.github.pgengine.internal.sql.BatchStatement;
import io.github.pgengine.internal.sql.ParsedSql;
import io.github.pgengine.internal.sql.Statement;
import io.github.pgengine.internal.wire.BatchStep;
import io.github.pgengine.internal.wire.DbConnection;
import io.github.pgengine.internal.wire.NoLongerStandbyException;
import io.github.pgengine.internal.wire.NotSentException;
import io.github.pgengine.internal.wire.PipelineCanceller;
import io.github.pgengine.internal.wire.Result;
import io.github.pgengine.internal.wire.ServerCanceller;
import io.github.pgengine.internal.wire.ServerErrorException;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs statements for an engine: borrows a connection, sends, logs, maps errors, gives the connection back,
 * then completes the caller's future (on the callback executor when one is set).
 *
 * <p>The caller's future is never the driver's: cancelling it cannot strand a connection. A connection that
 * arrives after the caller has gone goes straight back unused; cancelling while the statement runs sends a
 * CancelRequest, and the connection is reused only after the request has reached the server.
 */
public final class QueryRunner {
    private static final Logger LOG = LoggerFactory.getLogger("io.github.pgengine.PostgresEngine");
    private static final long[] NO_IDS = new long[0];

    private final QueryLog log;
    private final String where;
    private final @Nullable Executor callbacks;
    private final ServerCanceller canceller;
    private final PipelineCanceller pipelineCanceller;
    private final boolean rewriteInserts;

    /**
     * @param log the engine's query log
     * @param where the target, for messages ({@code user@host:port/db})
     * @param callbacks completes callers' futures, or {@code null} to complete them on the I/O thread
     * @param canceller stops statements on the server when their caller cancels
     * @param pipelineCanceller stops the running row of a batch whose rows commit one by one, and no other row
     * @param rewriteInserts batches of plain single-row inserts run as multi-row inserts
     */
    public QueryRunner(
            QueryLog log,
            String where,
            @Nullable Executor callbacks,
            ServerCanceller canceller,
            PipelineCanceller pipelineCanceller,
            boolean rewriteInserts) {
        this.log = log;
        this.where = where;
        this.callbacks = callbacks;
        this.canceller = canceller;
        this.pipelineCanceller = pipelineCanceller;
        this.rewriteInserts = rewriteInserts;
    }

    /** Returns what stops statements on the server when their caller cancels them. */
    public ServerCanceller canceller() {
        return canceller;
    }

    /**
     * Runs one request (a statement, a batch) on a borrowed connection: a caller's cancellation sends a cancel
     * request to the server, and the connection goes back once, after the answer. A request that provably never ran
     * (the connection was already closed, the server ended the session before answering any of it: see
     * {@link ServerErrorException#notRun()}, or a standby the session was kept for had been promoted) is sent again on
     * another connection, as long as the caller has not
     * waited longer than the lender's patience; the caller sees one call.
     *
     * @param call the call as observers see it; its completion runs wrapped by them
     * @param observed the statement to report to observers, or null to report none
     * @param batchSize its rows when it is a batch, else 0
     * @param lender where the connection comes from and goes back to
     * @param send sends the request on the connection and logs it; called again for each new connection
     * @param mapper turns the result into the caller's value (runs before the connection is released)
     * @param <T> the caller's type
     * @return the caller's future
     */
    public <T> CompletableFuture<T> run(
            Observers.Call call,
            @Nullable ParsedSql observed,
            int batchSize,
            Lender lender,
            Function<DbConnection, CompletableFuture<Result>> send,
            Function<Result, T> mapper) {
        return run(call, observed, batchSize, lender, send, mapper, false);
    }

    /**
     * Runs one request as {@link #run(Observers.Call, ParsedSql, int, Lender, Function, Function)} does.
     *
     * @param independentRows true for a batch whose rows commit one by one: part of it may have committed, so it is
     *     never sent again, and a cancel must hit the running row and none of the rows sent behind it
     */
    public <T> CompletableFuture<T> run(
            Observers.Call call,
            @Nullable ParsedSql observed,
            int batchSize,
            Lender lender,
            Function<DbConnection, CompletableFuture<Result>> send,
            Function<Result, T> mapper,
            boolean independentRows) {
        RequestRun<T> run = new RequestRun<>(call, observed, batchSize, lender, send, mapper, independentRows);
        run.borrow(null);
        return run.result;
    }

    /** One caller's request, across the connections it is sent on. */
    private final class RequestRun<T> {
        final CompletableFuture<T> result = new CompletableFuture<>();
        private final Observers.Call call;
        private final @Nullable ParsedSql observed;
        private final int batchSize;
        private final Lender lender;
        private final Function<DbConnection, CompletableFuture<Result>> send;
        private final Function<Result, T> mapper;
        private final boolean independentRows;
        private final long deadline;
        private Observers.Observed observation = Observers.Observed.NONE;
        private int sends;

        RequestRun(
                Observers.Call call,
                @Nullable ParsedSql observed,
                int batchSize,
                Lender lender,
                Function<DbConnection, CompletableFuture<Result>> send,
                Function<Result, T> mapper,
                boolean independentRows) {
            this.call = call;
            this.observed = observed;
            this.batchSize = batchSize;
            this.lender = lender;
            this.send = send;
            this.mapper = mapper;
            this.independentRows = independentRows;
            this.deadline = System.nanoTime() + lender.patience().toNanos();
        }

        /**
         * Borrows a connection and sends the request on it.
         *
         * @param notRun the error of the last send, which never ran (the caller's error if no connection comes)
         */
        void borrow(@Nullable Throwable notRun) {
            Lease.borrow(
                    lender.acquire(),
                    lender.release(),
                    result,
                    error -> {
                        if (notRun == null) {
                            fail(call, result, error);
                        } else {
                            finish(null, notRun, error);
                        }
                    },
                    this::use);
        }

        private void use(Lease lease) {
            DbConnection connection = lease.connection();
            if (sends++ == 0 && observed != null) {
                observation = call.statement(observed, batchSize);
            }
            CompletableFuture<Result> sent = send.apply(connection);
            // completes once a cancel request (if the caller cancels while the statement runs) reached the server
            CompletableFuture<@Nullable Void> cancelSent = new CompletableFuture<>();
            whenDone(result, (r, e) -> {
                if (result.isCancelled() && !sent.isDone()) {
                    connection.stopSending();
                    whenDone(
                            independentRows ? pipelineCanceller.cancel(connection) : canceller.cancel(connection),
                            (v, x) -> cancelSent.complete(null));
                } else {
                    cancelSent.complete(null);
                }
            });
            whenDone(sent, (qr, error) -> {
                if (result.isCancelled()) {
                    observation.ended(null, new CancellationException("cancelled by the caller"));
                    // the connection runs nothing else before the cancel request has reached the server
                    whenDone(cancelSent, (v, x) -> lease.release());
                    return;
                }
                if (error != null && !independentRows && notRun(error) && System.nanoTime() - deadline < 0) {
                    lease.release();
                    LOG.debug(
                            "{}: the request never ran on {} ({}); sending it on another connection",
                            where,
                            connection,
                            ErrorMapper.unwrap(error).getMessage());
                    borrow(error);
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
                lease.release();
                finish(qr, failure, null);
                if (failure == null) {
                    observation.ended(qr, null);
                    succeed(call, result, value);
                }
            });
        }

        /** Fails the caller with the request's error (and why no other connection came, as suppressed). */
        private void finish(@Nullable Result qr, @Nullable Throwable failure, @Nullable Throwable noConnection) {
            if (failure == null) {
                return;
            }
            RuntimeException mapped = ErrorMapper.map(failure, where);
            if (noConnection != null) {
                mapped.addSuppressed(ErrorMapper.map(noConnection, where));
            }
            observation.ended(qr, mapped);
            complete(call.wrap(() -> result.completeExceptionally(mapped)));
        }
    }

    /** Whether a request's error proves that the server never ran it. */
    private static boolean notRun(Throwable error) {
        Throwable e = ErrorMapper.unwrap(error);
        return e instanceof NotSentException
                || e instanceof NoLongerStandbyException
                || (e instanceof ServerErrorException s && s.notRun());
    }

    /**
     * Sends a statement of a scope (a transaction), telling its observers when it starts and ends.
     *
     * @param scope where the statement is reported
     * @param sql the statement
     * @param batchSize its rows when it is a batch, else 0
     * @param send sends it
     * @return the result, as {@code send} gives it
     */
    public CompletableFuture<Result> observed(
            Observers.Scope scope, ParsedSql sql, int batchSize, Supplier<CompletableFuture<Result>> send) {
        Observers.Observed observation = scope.statement(sql, batchSize);
        if (observation == Observers.Observed.NONE) {
            return send.get();
        }
        CompletableFuture<Result> sent = send.get();
        whenDone(sent, (r, e) -> observation.ended(r, e == null ? null : ErrorMapper.map(e, where)));
        return sent;
    }

    /**
     * Sends one caller's statement on a connection the caller holds, logging it.
     *
     * @param connection the connection
     * @param sql the statement
     * @param statement its values, as given and encoded
     * @return the result; fails with the driver's error, unmapped
     */
    public CompletableFuture<Result> send(DbConnection connection, ParsedSql sql, Statement statement) {
        return send(connection, List.of(), sql, statement);
    }

    /**
     * Sends one caller's statement after the engine's own statements that go in the same request (a transaction's
     * BEGIN), logging each.
     *
     * @param connection the connection
     * @param prefix the engine's statements to run first (may be empty)
     * @param sql the statement
     * @param statement its values, as given and encoded
     * @return the result; fails with the driver's error, unmapped
     */
    public CompletableFuture<Result> send(
            DbConnection connection, List<String> prefix, ParsedSql sql, Statement statement) {
        long[] prefixIds = logPrefix(prefix);
        long id = log.before(sql.sql(), statement.values());
        CompletableFuture<Result> sent = connection.execute(prefix, sql.serverSql(), statement.encoded());
        return id == 0 ? sent : logged(sent, id, prefix, prefixIds);
    }

    /**
     * Sends a caller's batch on a connection the caller holds, logging it as one statement with its row count and
     * how its rows were sent (plain inserts become multi-row inserts unless the engine switched that off).
     *
     * @param connection the connection
     * @param batch the statement and its rows
     * @return the result with each row's count; fails with the driver's error, unmapped
     */
    public CompletableFuture<Result> sendBatch(DbConnection connection, BatchStatement batch) {
        return sendBatch(connection, batch, false);
    }

    /**
     * Sends a caller's batch, all or nothing as {@link #sendBatch(DbConnection, BatchStatement)} does, or with each
     * row committing on its own (one statement and one Sync per row, never rewritten), logging the mode.
     *
     * @param connection the connection (outside a transaction when {@code independent})
     * @param batch the statement and its rows
     * @param independent whether each row commits on its own
     * @return the result with each row's count (and, when independent, each failed row's error); fails with the
     *     driver's error, unmapped
     */
    public CompletableFuture<Result> sendBatch(DbConnection connection, BatchStatement batch, boolean independent) {
        return sendBatch(connection, List.of(), batch, independent);
    }

    /**
     * Sends a caller's batch as {@link #sendBatch(DbConnection, BatchStatement, boolean)} does, after the engine's
     * own statements that go in the same request (a transaction's BEGIN; not with {@code independent}).
     *
     * @param connection the connection
     * @param prefix the engine's statements to run first (may be empty)
     * @param batch the statement and its rows
     * @param independent whether each row commits on its own
     * @return the result with each row's count; fails with the driver's error, unmapped
     */
    public CompletableFuture<Result> sendBatch(
            DbConnection connection, List<String> prefix, BatchStatement batch, boolean independent) {
        if (independent && !prefix.isEmpty()) {
            return CompletableFuture.failedFuture(
                    new IllegalStateException("a batch whose rows commit one by one cannot follow BEGIN"));
        }
        List<BatchStep> steps;
        try {
            steps = batch.steps(rewriteInserts && !independent);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        long[] prefixIds = logPrefix(prefix);
        long id = log.before(batch.sql().sql(), List.of(), batch.describe(steps, independent));
        CompletableFuture<Result> sent =
                independent ? connection.executeBatchIndependently(steps) : connection.executeBatch(prefix, steps);
        return id == 0 ? sent : logged(sent, id, prefix, prefixIds);
    }

    /**
     * Sends one of the engine's own statements (BEGIN, COMMIT, SAVEPOINT, ...), logging it.
     *
     * @param connection the connection
     * @param sql the statement, built from constants and quoted identifiers only
     * @return the result; fails with the driver's error, unmapped
     */
    public CompletableFuture<Result> control(DbConnection connection, String sql) {
        return control(connection, List.of(), sql);
    }

    /**
     * Sends one of the engine's own statements after others that go in the same Query (a transaction's BEGIN),
     * logging each.
     *
     * @param connection the connection
     * @param prefix the engine's statements to run first (may be empty)
     * @param sql the statement, built from constants and quoted identifiers only
     * @return the result; fails with the driver's error, unmapped
     */
    public CompletableFuture<Result> control(DbConnection connection, List<String> prefix, String sql) {
        long[] prefixIds = logPrefix(prefix);
        long id = log.before(sql, List.of());
        CompletableFuture<Result> sent = connection.simple(prefix, sql);
        return id == 0 ? sent : logged(sent, id, prefix, prefixIds);
    }

    private long[] logPrefix(List<String> prefix) {
        if (prefix.isEmpty()) {
            return NO_IDS;
        }
        long[] ids = new long[prefix.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = log.before(prefix.get(i), List.of(), " (sent with the next statement)");
        }
        return ids;
    }

    /**
     * Logs the answers of a request: those of the statements sent ahead of the caller's (each succeeded unless the
     * error names them), then the caller's.
     */
    private CompletableFuture<Result> logged(
            CompletableFuture<Result> sent, long id, List<String> prefix, long[] prefixIds) {
        long start = System.nanoTime();
        CompletableFuture<Result> out = new CompletableFuture<>();
        whenDone(sent, (r, e) -> {
            boolean prefixFailed =
                    e != null && ErrorMapper.unwrap(e) instanceof ServerErrorException s && s.sentAhead();
            for (int i = 0; i < prefixIds.length; i++) {
                String tag = prefix.get(i).split(" ", 2)[0];
                log.after(prefixIds[i], start, prefixFailed ? null : Result.empty(tag), prefixFailed ? e : null);
            }
            log.after(
                    id,
                    start,
                    prefixFailed ? null : r,
                    prefixFailed ? new CancellationException("not run: a statement sent ahead of it failed") : e);
            if (e != null) {
                out.completeExceptionally(e);
            } else {
                out.complete(r);
            }
        });
        return out;
    }

    /**
     * Completes a caller's future with a value, on the callback executor when one is set.
     *
     * @param future the caller's future
     * @param value the value
     * @param <T> its type
     */
    public <T extends @Nullable Object> void succeed(CompletableFuture<T> future, @Nullable T value) {
        succeed(Observers.Call.NONE, future, value);
    }

    /**
     * Completes a caller's future with a value, on the callback executor when one is set, wrapped by the call's
     * observers.
     *
     * @param call the call
     * @param future the caller's future
     * @param value the value
     * @param <T> its type
     */
    public <T extends @Nullable Object> void succeed(
            Observers.Call call, CompletableFuture<T> future, @Nullable T value) {
        complete(call.wrap(() -> future.complete(value)));
    }

    /**
     * Runs the completion of a caller's future as every completion runs: on the callback executor when one is set,
     * else here (or on an I/O thread when here is one of the engine's own threads).
     *
     * @param completion completes the future
     */
    public void completeCaller(Runnable completion) {
        complete(completion);
    }

    /**
     * Maps an error as the engine's callers see it.
     *
     * @param error any error
     * @return the error to hand the caller
     */
    public RuntimeException mapped(Throwable error) {
        return ErrorMapper.map(error, where);
    }

    /**
     * Completes a caller's future: on the callback executor when one is set, else here, unless here is one of the
     * engine's own threads (the timer): then on an I/O thread, so user code never runs on them.
     */
    private void complete(Runnable completion) {
        if (callbacks != null) {
            callbacks.execute(completion);
        } else {
            EngineThreads.offEngineThreads(completion);
        }
    }

    /**
     * A caller's copy of an engine-internal future, completed through {@link #succeed} and {@link #fail}.
     *
     * @param internal the engine's future
     * @param <T> its type
     * @return the caller's future
     */
    public <T extends @Nullable Object> CompletableFuture<T> deliver(CompletableFuture<T> internal) {
        CompletableFuture<T> out = new CompletableFuture<>();
        whenDone(internal, (v, e) -> {
            if (e != null) {
                fail(out, e);
            } else {
                succeed(out, v);
            }
        });
        return out;
    }

    /**
     * Fails a caller's future with an error as it is (only wrappers removed): for errors of the caller's own
     * callbacks, which must reach the caller unchanged.
     *
     * @param future the caller's future
     * @param error the error
     */
    public void failUnmapped(CompletableFuture<?> future, Throwable error) {
        failUnmapped(Observers.Call.NONE, future, error);
    }

    /**
     * Fails a caller's future with an error as it is, wrapped by the call's observers.
     *
     * @param call the call
     * @param future the caller's future
     * @param error the error
     */
    public void failUnmapped(Observers.Call call, CompletableFuture<?> future, Throwable error) {
        Throwable e = ErrorMapper.unwrap(error);
        complete(call.wrap(() -> future.completeExceptionally(e)));
    }

    /**
     * Fails a caller's future with the mapped error, on the callback executor when one is set.
     *
     * @param future the caller's future
     * @param error any error
     */
    public void fail(CompletableFuture<?> future, Throwable error) {
        fail(Observers.Call.NONE, future, error);
    }

    /**
     * Fails a caller's future with the mapped error, on the callback executor when one is set, wrapped by the call's
     * observers.
     *
     * @param call the call
     * @param future the caller's future
     * @param error any error
     */
    public void fail(Observers.Call call, CompletableFuture<?> future, Throwable error) {
        RuntimeException mapped = ErrorMapper.map(error, where);
        complete(call.wrap(() -> future.completeExceptionally(mapped)));
    }

    /** Returns the target, for messages. */
    public String where() {
        return where;
    }
}
