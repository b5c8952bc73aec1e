package io.github.pgengine.internal;

import static io.github.pgengine.internal.runtime.Completions.whenDone;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import io.github.pgengine.BatchPartiallyFailedException;
import io.github.pgengine.ConnectionException;
import io.github.pgengine.EngineClosedException;
import io.github.pgengine.EngineException;
import io.github.pgengine.EngineObserver;
import io.github.pgengine.Health;
import io.github.pgengine.ListenEvent;
import io.github.pgengine.ListenOptions;
import io.github.pgengine.PoolOptions;
import io.github.pgengine.PoolStats;
import io.github.pgengine.QueryTimeoutException;
import io.github.pgengine.internal.connect.ConnectionFactory;
import io.github.pgengine.internal.connect.ConnectionSettings;
import io.github.pgengine.internal.errors.ErrorMapper;
import io.github.pgengine.internal.exec.QueryRunner;
import io.github.pgengine.internal.listen.Listeners;
import io.github.pgengine.internal.observe.Observers;
import io.github.pgengine.internal.observe.QueryLog;
import io.github.pgengine.internal.pool.ConnectionPool;
import io.github.pgengine.internal.pool.Lease;
import io.github.pgengine.internal.pool.Lender;
import io.github.pgengine.internal.runtime.EngineThreads;
import io.github.pgengine.internal.runtime.EngineTimer;
import io.github.pgengine.internal.sql.BatchStatement;
import io.github.pgengine.internal.sql.Identifiers;
import io.github.pgengine.internal.sql.ParsedSql;
import io.github.pgengine.internal.sql.Statement;
import io.github.pgengine.internal.sql.StatementCache;
import io.github.pgengine.internal.tx.Attempt;
import io.github.pgengine.internal.tx.Cursor;
import io.github.pgengine.internal.tx.CursorPublisher;
import io.github.pgengine.internal.tx.TransactionRunner;
import io.github.pgengine.internal.wire.DbConnection;
import io.github.pgengine.internal.wire.PipelineCanceller;
import io.github.pgengine.internal.wire.Result;
import io.github.pgengine.internal.wire.ServerCanceller;
import io.github.pgengine.internal.wire.ServerErrorException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an engine does, behind the public {@code PostgresEngine} facade: where connections come from (the pool when
 * one runs, a connection per call otherwise), statements, transactions and cursors, and the engine's life cycle.
 */
public final class EngineCore {
    private static final Logger LOG = LoggerFactory.getLogger("io.github.pgengine.PostgresEngine");
    private static final String INSUFFICIENT_PRIVILEGE = "42501"; // insufficient_privilege
    /** PostgreSQL's limit for a NOTIFY payload: it must be shorter than this many bytes (default build). */
    static final int MAX_NOTIFY_PAYLOAD_BYTES = 8000;

    private final ConnectionSettings settings;
    private final String name;
    private final ConnectionFactory factory;
    private final StatementCache statements = new StatementCache();
    private final QueryRunner runner;
    private final TransactionRunner transactions;
    private final Observers observers;
    private final Listeners listeners;
    private final Object poolLock = new Object();
    private volatile @Nullable ConnectionPool<DbConnection> pool;
    private volatile boolean closed;
    /** The pool that {@link #close()} closed, for a later {@link #close(java.time.Duration)}; guarded by poolLock. */
    private @Nullable ConnectionPool<DbConnection> closingPool;
    /** Set once the engine has warned that statements run without a pool, or when it was built not to. */
    private final AtomicBoolean warnedWithoutPool;

    /**
     * @param settings where and how to connect
     * @param name the engine's name in logs and messages
     * @param system {@code postgresql} or {@code cockroachdb}, for observers
     * @param logQueries log each statement before it runs
     * @param logResponses log each response
     * @param callbacks completes callers' futures, or {@code null} for the I/O thread
     * @param onOpen sees each new connection (must not throw or block)
     * @param sessionStatements statements every new session runs after its set-up (engine constants only)
     * @param rewriteInserts batches of plain single-row inserts run as multi-row inserts
     * @param warnWithoutPool warn once when a caller's statement runs without a pool
     */
    public EngineCore(
            ConnectionSettings settings,
            String name,
            String system,
            boolean logQueries,
            boolean logResponses,
            @Nullable Executor callbacks,
            Consumer<DbConnection> onOpen,
            boolean rewriteInserts,
            List<String> sessionStatements,
            boolean warnWithoutPool) {
        this.settings = settings;
        this.name = name;
        this.warnedWithoutPool = new AtomicBoolean(!warnWithoutPool);
        this.factory = new ConnectionFactory(settings, onOpen, sessionStatements);
        ServerCanceller canceller = new ServerCanceller(settings.host(), settings.port());
        this.runner = new QueryRunner(
                new QueryLog(name, logQueries, logResponses),
                settings.describe(),
                callbacks,
                canceller,
                new PipelineCanceller(canceller, factory::openBeside),
                rewriteInserts);
        this.transactions = new TransactionRunner(runner, statements);
        this.listeners = new Listeners(
                () -> closed ? CompletableFuture.failedFuture(closedError()) : factory.open(),
                settings.describe(),
                this::closedError);
        this.observers = new Observers(
                new EngineObserver.EngineInfo(name, system, settings.host(), settings.port(), settings.database()));
    }

    /**
     * Attaches an observer.
     *
     * @param observer sees what the engine does from now on
     * @return detaches it
     */
    public EngineObserver.Registration addObserver(EngineObserver observer) {
        return observers.add(observer);
    }

    /** Returns the resolved settings. */
    public ConnectionSettings settings() {
        return settings;
    }

    // ---------------------------------------------------------------- pool and life cycle

    /**
     * Starts a pool; a second call while one runs logs a warning and changes nothing.
     *
     * @param options sizes and timeouts
     * @return completes when {@code minIdle} connections are open; fails (and leaves no pool) when they cannot be
     */
    public CompletableFuture<@Nullable Void> startPool(PoolOptions options) {
        return runner.deliver(startPoolInternal(options));
    }

    private CompletableFuture<@Nullable Void> startPoolInternal(PoolOptions options) {
        Objects.requireNonNull(options, "options");
        ConnectionPool<DbConnection> created;
        synchronized (poolLock) {
            if (closed) {
                return CompletableFuture.failedFuture(closedError());
            }
            if (pool != null) {
                LOG.warn("A pool already exists for {}", name);
                return CompletableFuture.completedFuture(null);
            }
            created = new ConnectionPool<>(
                    name, options, new PooledConnections(factory, observers, runner.canceller()), EngineTimer.get());
            pool = created;
        }
        CompletableFuture<@Nullable Void> started = new CompletableFuture<>();
        whenDone(created.warmUp(), (v, error) -> {
            if (error == null) {
                LOG.info("Connection pool started for {} ({})", name, options);
                started.complete(null);
                return;
            }
            synchronized (poolLock) {
                if (pool == created) {
                    pool = null;
                }
            }
            created.close();
            started.completeExceptionally(ErrorMapper.map(error, settings.describe()));
        });
        return started;
    }

    /** How the pool opens, checks and closes driver connections, telling observers. */
    private record PooledConnections(ConnectionFactory factory, Observers observers, ServerCanceller canceller)
            implements ConnectionPool.Connections<DbConnection> {
        @Override
        public CompletableFuture<DbConnection> open() {
            return open(factory, observers);
        }

        /**
         * Opens a connection; observers hear of it before the caller does (so a caller that sees the failure sees it
         * counted), and cancelling the returned future still closes a connection that arrives late.
         */
        static CompletableFuture<DbConnection> open(ConnectionFactory factory, Observers observers) {
            CompletableFuture<DbConnection> opening = factory.open();
            if (observers.isEmpty()) {
                return opening;
            }
            return tellFirst(
                    opening,
                    (c, e) -> {
                        if (e == null) {
                            observers.opened();
                        } else {
                            observers.failed(ErrorMapper.unwrap(e));
                        }
                    },
                    c -> close(c, observers));
        }

        @CanIgnoreReturnValue
        static CompletableFuture<?> close(DbConnection c, Observers observers) {
            CompletableFuture<?> closing = c.close();
            if (!observers.isEmpty()) {
                observers.closed();
            }
            return closing;
        }

        @Override
        public boolean isUsable(DbConnection c) {
            return c.isUsable() && factory.stillMatches(c);
        }

        @Override
        @CanIgnoreReturnValue
        public CompletableFuture<?> close(DbConnection c) {
            return close(c, observers);
        }

        /** Cancels the running statement on the server (a Terminate would wait behind it), then closes. */
        @Override
        @CanIgnoreReturnValue
        public CompletableFuture<?> abort(DbConnection c) {
            c.retire();
            CompletableFuture<?> cancelled = c.isBusy() ? canceller.cancel(c) : CompletableFuture.completedFuture(null);
            return cancelled.handle((v, e) -> null).thenCompose(v -> close(c, observers));
        }
    }

    /**
     * Closes the pool (idle connections at once, lent ones when they come back); without a pool, a warning.
     *
     * @return completes when the idle connections are closed
     */
    public CompletableFuture<@Nullable Void> closePool() {
        ConnectionPool<DbConnection> current;
        synchronized (poolLock) {
            current = pool;
            pool = null;
        }
        if (current == null) {
            LOG.warn("No pool is running for {}", name);
            return CompletableFuture.completedFuture(null);
        }
        return runner.deliver(current.close().thenApply(v -> {
            LOG.info("Connection pool closed for {}", name);
            return null;
        }));
    }

    /** Returns the pool's counters, or {@link PoolStats#NO_POOL}. */
    public PoolStats poolStats() {
        ConnectionPool<DbConnection> current = pool;
        return current == null ? PoolStats.NO_POOL : current.stats();
    }

    /**
     * Closes the engine and its pool; later calls fail with {@link EngineClosedException}.
     *
     * @return completes when the pool's idle connections are closed
     */
    public CompletableFuture<@Nullable Void> close() {
        ConnectionPool<DbConnection> current;
        synchronized (poolLock) {
            if (closed) {
                return CompletableFuture.completedFuture(null);
            }
            closed = true;
            current = pool;
            closingPool = current;
            pool = null;
        }
        listeners.closeAll();
        return current == null ? CompletableFuture.completedFuture(null) : runner.deliver(current.close());
    }

    /**
     * Closes the engine gracefully: as {@link #close()}, then the pool's lent connections may finish their work
     * within {@code grace}; what still runs after it is cancelled on the server and its connection closed.
     *
     * @param grace how long running work may go on
     * @return completes when every pooled connection is closed (at most about the grace plus a cancel's round trip)
     */
    public CompletableFuture<@Nullable Void> close(java.time.Duration grace) {
        ConnectionPool<DbConnection> current;
        synchronized (poolLock) {
            current = pool;
            if (!closed) {
                closed = true;
                pool = null;
            } else {
                current = closingPool;
            }
            closingPool = current;
        }
        listeners.closeAll();
        return current == null ? CompletableFuture.completedFuture(null) : runner.deliver(current.close(grace));
    }

    /** Returns true after {@link #close()}. */
    public boolean isClosed() {
        return closed;
    }

    /** Returns the error for calls after {@link #close()}. */
    public EngineClosedException closedError() {
        return new EngineClosedException("engine " + name + " is closed", null);
    }

    /**
     * A copy of a connection future whose observers hear of the outcome before the caller does (so a caller that
     * sees a failure sees it counted); cancelling the copy cancels the source, and a connection that arrives after
     * the copy was cancelled is given back.
     */
    private static CompletableFuture<DbConnection> tellFirst(
            CompletableFuture<DbConnection> source,
            java.util.function.BiConsumer<@Nullable DbConnection, @Nullable Throwable> tell,
            Consumer<DbConnection> giveBack) {
        CompletableFuture<DbConnection> out = new CompletableFuture<>();
        whenDone(out, (c, e) -> {
            if (out.isCancelled()) {
                source.cancel(false);
            }
        });
        whenDone(source, (c, e) -> {
            tell.accept(c, e);
            if (e == null) {
                if (!out.complete(c)) {
                    giveBack.accept(c);
                }
            } else {
                out.completeExceptionally(e);
            }
        });
        return out;
    }

    /** Where a caller's statement borrows its connection; the first one without a pool warns (once). */
    private Lender lender() {
        return lender(true);
    }

    /**
     * Where a statement borrows its connection: the pool, or a connection of its own.
     *
     * @param callers false for the engine's own set-up and checks (prepDatabase, getVersion, checkVersion, ping),
     *     which run before a pool is started by design and never warn
     */
    private Lender lender(boolean callers) {
        ConnectionPool<DbConnection> current = pool;
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
            return new Lender(
                    () -> PooledConnections.open(factory, observers),
                    c -> PooledConnections.close(c, observers),
                    settings.connectTimeout());
        }
        if (observers.isEmpty()) {
            return new Lender(current::acquire, current::release, current.acquireTimeout());
        }
        return new Lender(
                () -> {
                    long start = System.nanoTime();
                    return tellFirst(
                            current.acquire(),
                            (c, e) -> observers.acquired(
                                    System.nanoTime() - start, e == null ? null : ErrorMapper.unwrap(e)),
                            current::release);
                },
                current::release,
                current.acquireTimeout());
    }

    // ---------------------------------------------------------------- work

    /**
     * Runs one statement, checked and encoded before any connection is borrowed.
     *
     * @param sql one statement
     * @param params its values; {@code null} is one NULL
     * @param mapper turns the result into the caller's value
     * @param <T> the caller's type
     * @return the caller's future
     */
    public <T> CompletableFuture<T> run(String sql, @Nullable Object @Nullable [] params, Function<Result, T> mapper) {
        return run(sql, params, mapper, true);
    }

    private <T> CompletableFuture<T> run(
            String sql, @Nullable Object @Nullable [] params, Function<Result, T> mapper, boolean callers) {
        Statement statement;
        try {
            Objects.requireNonNull(sql, "sql must not be null");
            if (closed) {
                throw closedError();
            }
            statement = Statement.of(statements, sql, params);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return onLentConnection(
                statement.sql(), 0, c -> runner.send(c, statement.sql(), statement), mapper, lender(callers));
    }

    /**
     * Sends a checked request on a connection from the lender (the pool, or one of its own) and gives it back,
     * reporting it to the observers attached now; a request that provably never ran is sent again on another
     * connection.
     */
    private <T> CompletableFuture<T> onLentConnection(
            ParsedSql observed,
            int batchSize,
            Function<DbConnection, CompletableFuture<Result>> send,
            Function<Result, T> mapper,
            Lender lender) {
        return runner.run(observers.capture(), observed, batchSize, lender, send, mapper);
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
            if (closed) {
                throw closedError();
            }
            batch = BatchStatement.of(statements, sql, rows);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (batch.encoded().isEmpty()) {
            return CompletableFuture.completedFuture(new long[0]);
        }
        if (!independent) {
            return onLentConnection(
                    batch.sql(), batch.encoded().size(), c -> runner.sendBatch(c, batch), Result::counts, lender());
        }
        // rows that commit one by one are never sent again: the rows before a loss may have committed
        return runner.run(
                observers.capture(),
                batch.sql(),
                batch.encoded().size(),
                lender(),
                c -> runner.sendBatch(c, batch, true),
                this::countsOrFailedRows,
                true);
    }

    /** The counts of a batch whose rows committed one by one; throws when some row failed. */
    private long[] countsOrFailedRows(Result result) {
        SortedMap<Integer, ServerErrorException> failed = result.rowErrors();
        if (failed.isEmpty()) {
            return result.counts();
        }
        Map<Integer, EngineException> errors = new TreeMap<>();
        for (Map.Entry<Integer, ServerErrorException> e : failed.entrySet()) {
            RuntimeException mapped = ErrorMapper.map(e.getValue(), runner.where());
            errors.put(
                    e.getKey(),
                    mapped instanceof EngineException ee
                            ? ee
                            : new EngineException(String.valueOf(mapped.getMessage()), mapped));
        }
        throw new BatchPartiallyFailedException(result.counts(), errors);
    }

    /**
     * Runs a transaction callback.
     *
     * @param spec how the transaction runs
     * @param facade makes the caller's view of an attempt
     * @param work the callback
     * @param <X> the caller's transaction type
     * @param <T> the result type
     * @return the work's result after COMMIT
     */
    public <X, T extends @Nullable Object> CompletableFuture<T> transaction(
            TransactionRunner.Spec spec,
            Function<Attempt, X> facade,
            Function<? super X, ? extends CompletionStage<T>> work) {
        try {
            Objects.requireNonNull(work, "work");
            if (closed) {
                throw closedError();
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return transactions.run(observers.capture(), this::transactionLender, spec, facade, work);
    }

    /** Where each attempt of a transaction borrows its connection; refuses once the engine is closed. */
    private Lender transactionLender() {
        if (closed) {
            throw closedError();
        }
        return lender();
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
        CompletableFuture<Cursor> opening = openCursor(sql, params, batchSize);
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
                runner.fail(result, error);
            } else if (result.isDone()) {
                cursor.close();
            } else {
                runner.succeed(result, wrap.apply(cursor));
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
        return new CursorPublisher<>(() -> openCursor(sql, params, fetchSize), mapper);
    }

    private CompletableFuture<Cursor> openCursor(String sql, List<? extends @Nullable Object> params, int batchSize) {
        Statement declare;
        try {
            Objects.requireNonNull(sql, "sql must not be null");
            Objects.requireNonNull(params, "params");
            checkBatchSize(batchSize, "batchSize");
            if (closed) {
                throw closedError();
            }
            declare = Cursor.declare(statements, sql, params.toArray());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        Observers.Call call = observers.capture();
        Lender lender = lender();
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

    /**
     * A cold publisher of notifications: each subscription LISTENs on a dedicated connection of its own (never the
     * pool's), opened with the engine's settings.
     *
     * @param options buffering, overflow and reconnect settings
     * @param channels the channel names, checked at subscription
     * @return the publisher
     */
    public Flow.Publisher<ListenEvent> listen(@Nullable ListenOptions options, List<@Nullable String> channels) {
        return listeners.publisher(options, channels);
    }

    /** Returns the engine's listen subscriptions (diagnostics and tests). */
    public Listeners listeners() {
        return listeners;
    }

    /**
     * Sends a notification with {@code pg_notify}: channel and payload travel as parameters.
     *
     * @param channel the channel name (the rule of {@link Identifiers#channelName})
     * @param payload the payload, shorter than 8000 bytes in UTF-8, or null for none
     * @return completes when the server has run it (outside a transaction: delivered to listeners)
     */
    public CompletableFuture<@Nullable Void> notify(String channel, @Nullable String payload) {
        try {
            Identifiers.channelName(channel);
            int bytes = payload == null ? 0 : payload.getBytes(StandardCharsets.UTF_8).length;
            if (bytes >= MAX_NOTIFY_PAYLOAD_BYTES) {
                throw new IllegalArgumentException("payload must be shorter than " + MAX_NOTIFY_PAYLOAD_BYTES
                        + " bytes in UTF-8 (was " + bytes + " bytes), PostgreSQL's limit for a notification; send a "
                        + "key and keep the data in a table");
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return run("SELECT pg_notify($1, $2)", new @Nullable Object[] {channel, payload}, r -> Boolean.TRUE)
                .<@Nullable Void>thenApply(sent -> null);
    }

    /**
     * Runs a one-value query and parses the version from it.
     *
     * @param sql the query; its first column holds the version text
     * @param parser reads major.minor from that text
     * @return the version; fails like any statement (a {@link ConnectionException} when the server is down)
     */
    public CompletableFuture<Double> readVersion(String sql, Function<String, Double> parser) {
        return run(sql, new Object[0], r -> parser.apply(versionText(r)), false);
    }

    /**
     * Asks the server for its version, timing the round trip.
     *
     * @param sql the version query
     * @param parser reads major.minor from its text
     * @return what was found; fails like any statement
     */
    public CompletableFuture<Health> ping(String sql, Function<String, Double> parser) {
        Statement statement;
        try {
            if (closed) {
                throw closedError();
            }
            statement = Statement.of(statements, sql, new Object[0]);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        AtomicLong sentAt = new AtomicLong();
        record Answer(String text, Duration roundTrip) {}
        CompletableFuture<Answer> answer = onLentConnection(
                statement.sql(),
                0,
                c -> {
                    sentAt.set(System.nanoTime());
                    return runner.send(c, statement.sql(), statement);
                },
                r -> new Answer(versionText(r), Duration.ofNanos(System.nanoTime() - sentAt.get())),
                lender(false));
        // the pool's state once the ping's own connection is back
        CompletableFuture<Health> health =
                answer.thenApply(a -> new Health(name, a.text(), parser.apply(a.text()), a.roundTrip(), poolStats()));
        whenDone(health, (h, e) -> {
            if (health.isCancelled()) {
                answer.cancel(false);
            }
        });
        return health;
    }

    /**
     * Returns the server's current WAL position, to wait for on a replica after a write.
     *
     * @return the LSN as text ({@code 0/3000148})
     */
    public CompletableFuture<String> currentLsn() {
        return run(
                "SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END::text",
                new Object[0],
                EngineCore::firstText);
    }

    /**
     * Completes once the server has replayed (a standby) or written (a primary) the WAL up to a position.
     *
     * @param lsn the position, as {@link #currentLsn()} gives it
     * @param timeout how long to wait at most
     * @return completes when it has; fails with {@link QueryTimeoutException} after the timeout, naming both positions
     */
    public CompletableFuture<@Nullable Void> waitForLsn(String lsn, Duration timeout) {
        try {
            Objects.requireNonNull(lsn, "lsn");
            Objects.requireNonNull(timeout, "timeout");
            if (!lsn.matches("[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}")) {
                throw new IllegalArgumentException(
                        "lsn must look like 0/3000148 (two hexadecimal numbers), was '" + lsn + "'");
            }
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive (was " + timeout + ")");
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<@Nullable Void> out = new CompletableFuture<>();
        pollLsn(lsn, System.nanoTime() + timeout.toNanos(), timeout, out);
        return out;
    }

    private static final String REACHED_SQL = "SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() "
            + "ELSE pg_current_wal_lsn() END::text AS at, CASE WHEN pg_is_in_recovery() "
            + "THEN pg_last_wal_replay_lsn() >= $1::pg_lsn ELSE pg_current_wal_lsn() >= $1::pg_lsn END AS reached";

    private void pollLsn(String lsn, long deadline, Duration timeout, CompletableFuture<@Nullable Void> out) {
        if (out.isDone()) {
            return;
        }
        CompletableFuture<Object[]> check =
                run(REACHED_SQL, new Object[] {lsn}, r -> r.rows().get(0));
        whenDone(check, (row, error) -> {
            if (error != null) {
                out.completeExceptionally(ErrorMapper.unwrap(error));
            } else if (Boolean.TRUE.equals(row[1])) {
                out.complete(null);
            } else if (System.nanoTime() - deadline >= 0) {
                out.completeExceptionally(new QueryTimeoutException(
                        name + " has not reached WAL position " + lsn + " within " + timeout.toMillis()
                                + " ms (it is at " + row[0] + ")",
                        null));
            } else {
                EngineTimer.later(
                        () -> EngineThreads.offEngineThreads(() -> pollLsn(lsn, deadline, timeout, out)),
                        LSN_POLL_MILLIS,
                        TimeUnit.MILLISECONDS);
            }
        });
    }

    private static final long LSN_POLL_MILLIS = 5;

    private static String firstText(Result r) {
        if (r.rows().isEmpty() || r.rows().get(0).length == 0 || r.rows().get(0)[0] == null) {
            throw new EngineException("the server gave no WAL position", null);
        }
        return String.valueOf(r.rows().get(0)[0]);
    }

    private static String versionText(Result r) {
        if (r.rows().isEmpty() || r.rows().get(0).length == 0 || r.rows().get(0)[0] == null) {
            throw new EngineException("the server gave no version", null);
        }
        return String.valueOf(r.rows().get(0)[0]);
    }

    /**
     * Runs one set-up statement of its own; a missing privilege (SQLSTATE 42501) is handed to {@code warn} and the
     * future completes normally, any other error fails it.
     *
     * @param sql the statement
     * @param warn logs the warning for a missing privilege
     * @return completes when done
     */
    public CompletableFuture<@Nullable Void> runSetUp(String sql, Consumer<EngineException> warn) {
        return run(sql, new Object[0], r -> r, false).handle((result, error) -> {
            if (error == null) {
                return null;
            }
            Throwable e = ErrorMapper.unwrap(error);
            if (e instanceof EngineException ee && INSUFFICIENT_PRIVILEGE.equals(ee.sqlState())) {
                warn.accept(ee);
                return null;
            }
            throw e instanceof RuntimeException re ? re : new EngineException(e.toString(), e);
        });
    }

    private static void checkBatchSize(int size, String what) {
        if (size < 1) {
            throw new IllegalArgumentException(what + " must be at least 1 (was " + size + ")");
        }
    }

    @Override
    public String toString() {
        return settings.describe() + (pool != null ? ", pool " + poolStats() : "");
    }
}
