package io.github.pgengine.internal.exec;

import io.github.pgengine.BatchPartiallyFailedException;
import io.github.pgengine.EngineException;
import io.github.pgengine.internal.errors.ErrorMapper;
import io.github.pgengine.internal.observe.Observers;
import io.github.pgengine.internal.pool.ConnectionPool;
import io.github.pgengine.internal.pool.EnginePool;
import io.github.pgengine.internal.pool.Lender;
import io.github.pgengine.internal.pool.PooledConnections;
import io.github.pgengine.internal.sql.BatchStatement;
import io.github.pgengine.internal.sql.Statement;
import io.github.pgengine.internal.sql.StatementCache;
import io.github.pgengine.internal.wire.DbConnection;
import io.github.pgengine.internal.wire.Result;
import io.github.pgengine.internal.wire.ServerErrorException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an engine's statements and batches outside transactions: checks and encodes them before any connection is
 * borrowed, chooses where the connection comes from (the pool when one runs, a connection of its own otherwise) and
 * hands the request to the {@link QueryRunner}.
 */
public final class StatementExecutor {
    private static final Logger LOG = LoggerFactory.getLogger("io.github.pgengine.PostgresEngine");

    private final String name;
    private final EnginePool pools;
    private final PooledConnections connections;
    private final Duration connectTimeout;
    private final StatementCache statements;
    private final QueryRunner runner;
    private final Observers observers;
    /** Set once the engine has warned that statements run without a pool, or when it was built not to. */
    private final AtomicBoolean warnedWithoutPool;

    /**
     * @param name the engine's name in logs
     * @param pools the engine's pool, when one runs, and whether the engine is closed
     * @param connections opens a connection of its own for a statement when no pool runs
     * @param connectTimeout how long a statement without a pool waits for its connection
     * @param statements the engine's parse cache
     * @param runner runs requests on lent connections
     * @param observers the engine's observers
     * @param warnWithoutPool warn once when a caller's statement runs without a pool
     */
    public StatementExecutor(
            String name,
            EnginePool pools,
            PooledConnections connections,
            Duration connectTimeout,
            StatementCache statements,
            QueryRunner runner,
            Observers observers,
            boolean warnWithoutPool) {
        this.name = name;
        this.pools = pools;
        this.connections = connections;
        this.connectTimeout = connectTimeout;
        this.statements = statements;
        this.runner = runner;
        this.observers = observers;
        this.warnedWithoutPool = new AtomicBoolean(!warnWithoutPool);
    }

    /** Where a caller's statement borrows its connection; the first one without a pool warns (once). */
    public Lender lender() {
        return lender(true);
    }

    /**
     * Where each attempt of a transaction borrows its connection.
     *
     * @return the lender
     * @throws io.github.pgengine.EngineClosedException once the engine is closed
     */
    public Lender transactionLender() {
        pools.checkOpen();
        return lender();
    }

    /**
     * Where a statement borrows its connection: the pool, or a connection of its own.
     *
     * @param callers false for the engine's own set-up and checks (prepDatabase, getVersion, checkVersion, ping),
     *     which run before a pool is started by design and never warn
     */
    private Lender lender(boolean callers) {
        ConnectionPool<DbConnection> current = pools.current();
        if (current == null) {
            if (callers && !warnedWithoutPool.get() && warnedWithoutPool.compareAndSet(false, true)) {
                LOG.warn(
                        "{}: statements run without a connection pool, so each opens and closes a connection of its"
                                + " own: about 60 times slower than a pooled connection (100 queries took 2,859 ms"
                                + " instead of 48 ms). Call startConnectionPool() (see docs/pool.md); for unpooled"
                                + " use on purpose (a script), build the engine with warnWithoutPool(false)."
                                + " Logged once.",
                        name);
            }
            return new Lender(connections::open, connections::close, connectTimeout);
        }
        if (observers.isEmpty()) {
            return new Lender(current::acquire, current::release, current.acquireTimeout());
        }
        return new Lender(
                () -> {
                    long start = System.nanoTime();
                    return PooledConnections.tellFirst(
                            current.acquire(),
                            (c, e) -> observers.acquired(
                                    System.nanoTime() - start, e == null ? null : ErrorMapper.unwrap(e)),
                            current::release);
                },
                current::release,
                current.acquireTimeout());
    }

    /**
     * Runs one caller's statement, checked and encoded before any connection is borrowed.
     *
     * @param sql one statement
     * @param params its values; {@code null} is one NULL
     * @param mapper turns the result into the caller's value
     * @param <T> the caller's type
     * @return the caller's future
     */
    public <T> CompletableFuture<T> run(String sql, @Nullable Object @Nullable [] params, Function<Result, T> mapper) {
        return run(sql, params, mapper, true, null);
    }

    /**
     * Runs one of the engine's own statements (set-up and checks), which never warns that no pool runs.
     *
     * @param sql one statement
     * @param mapper turns the result into the value
     * @param <T> its type
     * @return the future
     */
    public <T> CompletableFuture<T> runOwn(String sql, Function<Result, T> mapper) {
        return run(sql, new Object[0], mapper, false, null);
    }

    /**
     * Runs one of the engine's own statements as {@link #runOwn} does, noting when it leaves for the server.
     *
     * @param sql one statement
     * @param sentAt takes {@link System#nanoTime()} as the statement is sent
     * @param mapper turns the result into the value
     * @param <T> its type
     * @return the future
     */
    public <T> CompletableFuture<T> runOwnTimed(String sql, AtomicLong sentAt, Function<Result, T> mapper) {
        return run(sql, new Object[0], mapper, false, sentAt);
    }

    private <T> CompletableFuture<T> run(
            String sql,
            @Nullable Object @Nullable [] params,
            Function<Result, T> mapper,
            boolean callers,
            @Nullable AtomicLong sentAt) {
        Request request;
        try {
            Objects.requireNonNull(sql, "sql must not be null");
            pools.checkOpen();
            request = Request.of(Statement.of(statements, sql, params));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return runner.run(sentAt == null ? request : request.timed(sentAt), lender(callers), mapper);
    }

    /**
     * Runs one statement for each row: in one round trip, all or nothing (plain inserts as multi-row inserts unless
     * switched off), or each row committing on its own.
     *
     * @param sql one statement
     * @param rows each run's values
     * @param independent whether each row commits on its own; then failed rows fail the call with
     *     {@link BatchPartiallyFailedException}
     * @return each row's count
     */
    public CompletableFuture<long[]> executeBatch(
            String sql, List<? extends List<? extends @Nullable Object>> rows, boolean independent) {
        BatchStatement batch;
        try {
            pools.checkOpen();
            batch = BatchStatement.of(statements, sql, rows);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (batch.encoded().isEmpty()) {
            return CompletableFuture.completedFuture(new long[0]);
        }
        if (!independent) {
            return runner.run(Request.of(batch, false), lender(), Result::counts);
        }
        // rows that commit one by one are never sent again: the rows before a loss may have committed
        return runner.run(Request.of(batch, true), lender(), this::countsOrFailedRows);
    }

    /** The counts of a batch whose rows committed one by one; throws when some row failed. */
    private long[] countsOrFailedRows(Result result) {
        SortedMap<Integer, ServerErrorException> failed = result.rowErrors();
        if (failed.isEmpty()) {
            return result.counts();
        }
        Map<Integer, EngineException> errors = new TreeMap<>();
        for (Map.Entry<Integer, ServerErrorException> e : failed.entrySet()) {
            RuntimeException mapped = runner.callers().mapped(e.getValue());
            errors.put(
                    e.getKey(),
                    mapped instanceof EngineException ee
                            ? ee
                            : new EngineException(String.valueOf(mapped.getMessage()), mapped));
        }
        throw new BatchPartiallyFailedException(result.counts(), errors);
    }
}
