package io.github.pgengine.internal;

import io.github.pgengine.EngineClosedException;
import io.github.pgengine.EngineException;
import io.github.pgengine.EngineObserver;
import io.github.pgengine.Health;
import io.github.pgengine.ListenEvent;
import io.github.pgengine.ListenOptions;
import io.github.pgengine.PoolOptions;
import io.github.pgengine.PoolStats;
import io.github.pgengine.internal.connect.ConnectionFactory;
import io.github.pgengine.internal.connect.ConnectionSettings;
import io.github.pgengine.internal.exec.CallerFutures;
import io.github.pgengine.internal.exec.QueryRunner;
import io.github.pgengine.internal.exec.ServerFacts;
import io.github.pgengine.internal.exec.StatementExecutor;
import io.github.pgengine.internal.listen.Listeners;
import io.github.pgengine.internal.observe.Observers;
import io.github.pgengine.internal.observe.QueryLog;
import io.github.pgengine.internal.pool.EnginePool;
import io.github.pgengine.internal.pool.PooledConnections;
import io.github.pgengine.internal.sql.Identifiers;
import io.github.pgengine.internal.sql.StatementCache;
import io.github.pgengine.internal.tx.Attempt;
import io.github.pgengine.internal.tx.Cursor;
import io.github.pgengine.internal.tx.CursorOpener;
import io.github.pgengine.internal.tx.TransactionRunner;
import io.github.pgengine.internal.wire.DbConnection;
import io.github.pgengine.internal.wire.PipelineCanceller;
import io.github.pgengine.internal.wire.Result;
import io.github.pgengine.internal.wire.ServerCanceller;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * What an engine does, behind the public {@code PostgresEngine} facade: the composition root that builds the engine's
 * parts, wires them and owns their life cycle. Statements go to the {@link StatementExecutor}, transactions to the
 * {@link TransactionRunner}, cursors to the {@link CursorOpener}, subscriptions to the {@link Listeners}, questions
 * about the server to the {@link ServerFacts}; the pool lives in the {@link EnginePool}.
 */
public final class EngineCore {
    /** PostgreSQL's limit for a NOTIFY payload: it must be shorter than this many bytes (default build). */
    static final int MAX_NOTIFY_PAYLOAD_BYTES = 8000;

    private final ConnectionSettings settings;
    private final CallerFutures callers;
    private final Observers observers;
    private final EnginePool pools;
    private final StatementExecutor executor;
    private final TransactionRunner transactions;
    private final CursorOpener cursors;
    private final Listeners listeners;
    private final ServerFacts server;

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
        String where = settings.describe();
        ConnectionFactory factory = new ConnectionFactory(settings, onOpen, sessionStatements);
        ServerCanceller canceller = new ServerCanceller(settings.host(), settings.port());
        StatementCache statements = new StatementCache();
        this.observers = new Observers(
                new EngineObserver.EngineInfo(name, system, settings.host(), settings.port(), settings.database()));
        this.callers = new CallerFutures(where, callbacks);
        QueryRunner runner = new QueryRunner(
                new QueryLog(name, logQueries, logResponses),
                callers,
                observers,
                canceller,
                new PipelineCanceller(canceller, factory::openBeside),
                rewriteInserts);
        PooledConnections connections = new PooledConnections(factory, observers, canceller);
        EnginePool pools = new EnginePool(name, where, connections);
        this.pools = pools;
        this.executor = new StatementExecutor(
                name, pools, connections, settings.connectTimeout(), statements, runner, observers, warnWithoutPool);
        this.transactions = new TransactionRunner(runner, executor, statements, observers);
        this.cursors = new CursorOpener(pools, executor, runner, statements, observers);
        this.listeners = new Listeners(
                () -> pools.isClosed() ? CompletableFuture.failedFuture(pools.closedError()) : factory.open(),
                where,
                pools::closedError);
        this.server = new ServerFacts(name, executor, pools);
    }

    /** Attaches an observer; the registration detaches it. */
    public EngineObserver.Registration addObserver(EngineObserver observer) {
        return observers.add(observer);
    }

    /** Returns the resolved settings. */
    public ConnectionSettings settings() {
        return settings;
    }

    // ---------------------------------------------------------------- life cycle

    /** Starts a pool (a second call while one runs warns): see {@link EnginePool#start}. */
    public CompletableFuture<@Nullable Void> startPool(PoolOptions options) {
        return callers.deliver(pools.start(options));
    }

    /** Closes the pool (idle connections at once, lent ones when they come back); without a pool, a warning. */
    public CompletableFuture<@Nullable Void> closePool() {
        return delivered(pools.closePool());
    }

    /** Returns the pool's counters, or {@link PoolStats#NO_POOL}. */
    public PoolStats poolStats() {
        return pools.stats();
    }

    /** Closes the engine and its pool; later calls fail with {@link EngineClosedException}. */
    public CompletableFuture<@Nullable Void> close() {
        return delivered(pools.close(null, listeners::closeAll));
    }

    /**
     * Closes the engine gracefully: as {@link #close()}, then lent connections may finish their work within
     * {@code grace}; what still runs after it is cancelled on the server (see {@link EnginePool#close}).
     */
    public CompletableFuture<@Nullable Void> close(Duration grace) {
        return delivered(pools.close(grace, listeners::closeAll));
    }

    /** A caller's copy of a closing pool's future; done at once when there was nothing to close. */
    private CompletableFuture<@Nullable Void> delivered(@Nullable CompletableFuture<@Nullable Void> closing) {
        return closing == null ? CompletableFuture.completedFuture(null) : callers.deliver(closing);
    }

    /** Returns true after {@link #close()}. */
    public boolean isClosed() {
        return pools.isClosed();
    }

    /** Returns the error for calls after {@link #close()}. */
    public EngineClosedException closedError() {
        return pools.closedError();
    }

    // ---------------------------------------------------------------- work

    /** Runs one statement: see {@link StatementExecutor#run}. */
    public <T> CompletableFuture<T> run(String sql, @Nullable Object @Nullable [] params, Function<Result, T> mapper) {
        return executor.run(sql, params, mapper);
    }

    /** Runs one statement for each row: see {@link StatementExecutor#executeBatch}. */
    public CompletableFuture<long[]> executeBatch(
            String sql, List<? extends List<? extends @Nullable Object>> rows, boolean independent) {
        return executor.executeBatch(sql, rows, independent);
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
            pools.checkOpen();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return transactions.run(spec, facade, work);
    }

    /** Opens a cursor for a caller: see {@link CursorOpener#cursor}. */
    public <T> CompletableFuture<T> cursor(
            String sql, List<? extends @Nullable Object> params, int batchSize, Function<Cursor, T> wrap) {
        return cursors.cursor(sql, params, batchSize, wrap);
    }

    /** A demand-driven publisher over a cursor: see {@link CursorOpener#stream}. */
    public <T> Flow.Publisher<T> stream(
            String sql, List<? extends @Nullable Object> params, int fetchSize, Function<Result, List<T>> mapper) {
        return cursors.stream(sql, params, fetchSize, mapper);
    }

    // ---------------------------------------------------------------- LISTEN and NOTIFY

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
        return executor.run("SELECT pg_notify($1, $2)", new @Nullable Object[] {channel, payload}, r -> Boolean.TRUE)
                .<@Nullable Void>thenApply(sent -> null);
    }

    // ---------------------------------------------------------------- the server

    /** Reads the server's version: see {@link ServerFacts#readVersion}. */
    public CompletableFuture<Double> readVersion(String sql, Function<String, Double> parser) {
        return server.readVersion(sql, parser);
    }

    /** Asks the server for its version, timing the round trip: see {@link ServerFacts#ping}. */
    public CompletableFuture<Health> ping(String sql, Function<String, Double> parser) {
        return server.ping(sql, parser);
    }

    /** Returns the server's current WAL position ({@code 0/3000148}), to wait for on a replica after a write. */
    public CompletableFuture<String> currentLsn() {
        return server.currentLsn();
    }

    /** Waits for the server to reach a WAL position: see {@link ServerFacts#waitForLsn}. */
    public CompletableFuture<@Nullable Void> waitForLsn(String lsn, Duration timeout) {
        return server.waitForLsn(lsn, timeout);
    }

    /** Runs one set-up statement of the engine's: see {@link ServerFacts#runSetUp}. */
    public CompletableFuture<@Nullable Void> runSetUp(String sql, Consumer<EngineException> warn) {
        return server.runSetUp(sql, warn);
    }

    @Override
    public String toString() {
        return settings.describe() + (pools.current() != null ? ", pool " + poolStats() : "");
    }
}
