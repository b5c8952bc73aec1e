package io.github.pgengine.internal.exec;

import static io.github.pgengine.internal.runtime.Completions.whenDone;

import io.github.pgengine.internal.errors.ErrorMapper;
import io.github.pgengine.internal.observe.Observers;
import io.github.pgengine.internal.observe.QueryLog;
import io.github.pgengine.internal.pool.Lease;
import io.github.pgengine.internal.pool.Lender;
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
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
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
    private final CallerFutures callers;
    private final Observers observers;
    private final ServerCanceller canceller;
    private final PipelineCanceller pipelineCanceller;
    private final boolean rewriteInserts;

    /**
     * @param log the engine's query log
     * @param callers completes callers' futures
     * @param observers the engine's observers, captured for each request when it is made
     * @param canceller stops statements on the server when their caller cancels
     * @param pipelineCanceller stops the running row of a batch whose rows commit one by one, and no other row
     * @param rewriteInserts batches of plain single-row inserts run as multi-row inserts
     */
    public QueryRunner(
            QueryLog log,
            CallerFutures callers,
            Observers observers,
            ServerCanceller canceller,
            PipelineCanceller pipelineCanceller,
            boolean rewriteInserts) {
        this.log = log;
        this.callers = callers;
        this.observers = observers;
        this.canceller = canceller;
        this.pipelineCanceller = pipelineCanceller;
        this.rewriteInserts = rewriteInserts;
    }

    /** Returns what stops statements on the server when their caller cancels them. */
    public ServerCanceller canceller() {
        return canceller;
    }

    /** Returns what completes callers' futures. */
    public CallerFutures callers() {
        return callers;
    }

    /**
     * Runs one request (a statement, a batch) on a borrowed connection, reporting it to the observers attached now:
     * a caller's cancellation sends a cancel request to the server, and the connection goes back once, after the
     * answer. A request that provably never ran (the connection was already closed, the server ended the session
     * before answering any of it: see {@link ServerErrorException#notRun()}, or a standby the session was kept for
     * had been promoted) is sent again on another connection, as long as the caller has not waited longer than the
     * lender's patience and its rows do not commit one by one; the caller sees one call.
     *
     * @param request what to send
     * @param lender where the connection comes from and goes back to
     * @param mapper turns the result into the caller's value (runs before the connection is released)
     * @param <T> the caller's type
     * @return the caller's future
     */
    public <T> CompletableFuture<T> run(Request request, Lender lender, Function<Result, T> mapper) {
        RequestRun<T> run = new RequestRun<>(observers.capture(), request, lender, mapper);
        run.borrow(null);
        return run.result;
    }

    /** Sends a request on a connection, logging it. */
    private CompletableFuture<Result> send(DbConnection connection, Request request) {
        AtomicLong clock = request.sentAt();
        if (clock != null) {
            clock.set(System.nanoTime());
        }
        BatchStatement batch = request.batch();
        return batch != null
                ? sendBatch(connection, batch, request.independentRows())
                : send(connection, request.sql(), Objects.requireNonNull(request.statement()));
    }

    /** One caller's request, across the connections it is sent on. */
    private final class RequestRun<T> {
        final CompletableFuture<T> result = new CompletableFuture<>();
        private final Observers.Call call;
        private final Request request;
        private final boolean independentRows;
        private final Lender lender;
        private final Function<Result, T> mapper;
        private final long deadline;
        private Observers.Observed observation = Observers.Observed.NONE;
        private int sends;

        RequestRun(Observers.Call call, Request request, Lender lender, Function<Result, T> mapper) {
            this.call = call;
            this.request = request;
            this.independentRows = request.independentRows();
            this.lender = lender;
            this.mapper = mapper;
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
                            callers.fail(call, result, error);
                        } else {
                            finish(null, notRun, error);
                        }
                    },
                    this::use);
        }

        private void use(Lease lease) {
            DbConnection connection = lease.connection();
            if (sends++ == 0) {
                observation = call.statement(request.sql(), request.batchSize());
            }
            CompletableFuture<Result> sent = send(connection, request);
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
                            callers.where(),
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
                    callers.succeed(call, result, value);
                }
            });
        }

        /** Fails the caller with the request's error (and why no other connection came, as suppressed). */
        private void finish(@Nullable Result qr, @Nullable Throwable failure, @Nullable Throwable noConnection) {
            if (failure == null) {
                return;
            }
            RuntimeException mapped = callers.mapped(failure);
            if (noConnection != null) {
                mapped.addSuppressed(callers.mapped(noConnection));
            }
            observation.ended(qr, mapped);
            callers.complete(call.wrap(() -> result.completeExceptionally(mapped)));
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
        whenDone(sent, (r, e) -> observation.ended(r, e == null ? null : callers.mapped(e)));
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

    /** Returns the target, for messages. */
    public String where() {
        return callers.where();
    }
}
