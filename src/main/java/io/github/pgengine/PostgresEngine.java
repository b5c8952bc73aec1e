package io.github.pgengine;

import io.github.pgengine.internal.ConfigParser;
import io.github.pgengine.internal.ErrorMapper;
import io.github.pgengine.internal.QueryLog;
import io.github.pgengine.internal.QueryRunner;
import io.github.pgengine.internal.driver.ConnectionFactory;
import io.github.pgengine.internal.driver.ConnectionSettings;
import io.github.pgengine.internal.driver.DbConnection;
import io.github.pgengine.internal.driver.EngineTimer;
import io.github.pgengine.internal.driver.Result;
import io.github.pgengine.internal.driver.ServerCanceller;
import io.github.pgengine.internal.pool.ConnectionPool;
import io.github.pgengine.internal.pool.Lease;
import io.github.pgengine.internal.sql.Identifiers;
import io.github.pgengine.internal.sql.Statement;
import io.github.pgengine.internal.sql.StatementCache;
import io.github.pgengine.internal.sql.VersionParser;
import io.github.pgengine.internal.tx.Cursor;
import io.github.pgengine.internal.tx.CursorPublisher;
import io.github.pgengine.internal.tx.TransactionRunner;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An asynchronous engine for one PostgreSQL database, modelled on the engine layer of the Python ORM Piccolo.
 *
 * <pre>{@code
 * PostgresEngine engine = new PostgresEngine(
 *         Map.of("host", "localhost", "port", 5432, "user", "app", "password", secret, "database", "app"),
 *         List.of("uuid-ossp"), true, true, Map.of());
 * engine.prepDatabase()
 *         .thenCompose(v -> engine.startConnectionPool())
 *         .thenCompose(v -> engine.query("select * from band where name = $1", "Pythonistas"))
 *         .thenAccept(rows -> System.out.println(rows.get(0).get("popularity")));
 * }</pre>
 *
 * <p>Every I/O method returns a new {@link CompletableFuture}. Without a pool each call opens its own
 * connection and closes it; after {@link #startConnectionPool()} calls borrow from the pool. Futures complete
 * on the driver's I/O thread unless a callback executor is set on the builder: do not block in callbacks.
 * Cancelling a returned future never loses a connection. Failures are {@link EngineException}s (or
 * {@link IllegalArgumentException} for bad arguments), never wrapped in a {@code CompletionException}.
 * Constructors do no I/O; they validate the configuration and throw {@link IllegalArgumentException}.
 */
public class PostgresEngine {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresEngine.class);
    private static final String INSUFFICIENT_PRIVILEGE = "42501"; // insufficient_privilege

    private final ConnectionSettings settings;
    private final List<String> extensions;
    private final List<String> quotedExtensions;
    private final boolean logQueries;
    private final boolean logResponses;
    private final Map<String, PostgresEngine> extraNodes;
    private final String name;
    private final ConnectionFactory factory;
    private final StatementCache statements = new StatementCache();
    private final QueryRunner runner;
    private final TransactionRunner transactions;
    private final RetryPolicy retryPolicy;
    private final AtomicBoolean warnedAboutServer = new AtomicBoolean();
    private final Object poolLock = new Object();
    private volatile @Nullable ConnectionPool<DbConnection> pool;
    private volatile boolean closed;

    /**
     * Creates an engine with no extensions, no logging and no extra nodes.
     *
     * @param config connection settings: {@code host}, {@code port}, {@code user}, {@code password},
     *     {@code database} and the keys in docs/configuration.md
     * @throws IllegalArgumentException for unknown keys or wrong value types
     */
    public PostgresEngine(Map<String, ?> config) {
        this(config, List.of(), false, false, Map.of());
    }

    /**
     * Creates an engine with the five settings of Piccolo's {@code PostgresEngine}.
     *
     * @param config connection settings (see docs/configuration.md)
     * @param extensions extensions {@link #prepDatabase()} creates
     * @param logQueries log each statement before it runs
     * @param logResponses log each response with its duration
     * @param extraNodes other engines by name (read replicas), reached with {@link #node(String)}
     * @throws IllegalArgumentException for unknown keys, wrong value types or extension names that cannot be
     *     identifiers
     */
    public PostgresEngine(
            Map<String, ?> config,
            List<String> extensions,
            boolean logQueries,
            boolean logResponses,
            Map<String, ? extends PostgresEngine> extraNodes) {
        this(new Builder().config(config).extensions(extensions).logQueries(logQueries).logResponses(logResponses)
                .extraNodes(extraNodes), ConnectionSettings.DEFAULT_PORT);
    }

    PostgresEngine(Builder b, int defaultPort) {
        this.settings = ConfigParser.fromEnvironment(defaultPort).parse(b.config, b.url);
        this.extensions = List.copyOf(b.extensions);
        this.quotedExtensions = b.extensions.stream().map(Identifiers::extensionName).toList();
        this.logQueries = b.logQueries;
        this.logResponses = b.logResponses;
        this.extraNodes = Map.copyOf(b.extraNodes);
        this.name = b.name != null ? b.name : settings.describe();
        this.factory = new ConnectionFactory(settings, this::onConnectionOpened);
        this.runner = new QueryRunner(new QueryLog(name, logQueries, logResponses), settings.describe(), b.callbackExecutor,
                new ServerCanceller(settings.host(), settings.port()));
        this.transactions = new TransactionRunner(runner, statements);
        this.retryPolicy = b.retryPolicy != null ? b.retryPolicy : defaultRetryPolicy();
    }

    /** @return the retry policy used when neither the builder nor the transaction sets one */
    RetryPolicy defaultRetryPolicy() {
        return RetryPolicy.none();
    }

    /** @return the retry policy transactions use unless their options set one */
    public RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    /** @return a builder for everything the constructors do not cover (URL, executor, name, ...) */
    public static Builder builder() {
        return new Builder();
    }

    /** @return {@code "postgres"} */
    public String engineType() {
        return "postgres";
    }

    /** @return the lowest server version this engine supports without a warning: 10 */
    public double minVersionNumber() {
        return 10;
    }

    /** @return the extensions {@link #prepDatabase()} creates */
    public List<String> extensions() {
        return extensions;
    }

    /** @return true when each statement is logged before it runs */
    public boolean logQueries() {
        return logQueries;
    }

    /** @return true when each response is logged */
    public boolean logResponses() {
        return logResponses;
    }

    /** @return the engine's name in logs: by default {@code user@host:port/database} */
    public String name() {
        return name;
    }

    // ---------------------------------------------------------------- version and preparation

    /**
     * Asks the server for its version as {@code major.minor} ({@code 15.4}). When the server cannot be reached
     * it logs a warning and returns 0, as the model does.
     *
     * @return the version; fails only for errors other than connection failures
     */
    public CompletableFuture<Double> getVersion() {
        return readVersion("SHOW server_version", VersionParser::postgres);
    }

    /**
     * Runs a one-value query and parses the version from it; an unreachable server gives a warning and 0.
     *
     * @param sql the query; its first column holds the version text
     * @param parser reads major.minor from that text
     * @return the version
     */
    final CompletableFuture<Double> readVersion(String sql, Function<String, Double> parser) {
        return query(sql).handle((rows, error) -> {
            if (error != null) {
                Throwable e = ErrorMapper.unwrap(error);
                if (e instanceof ConnectionException) {
                    LOG.warn("Unable to connect to database {}: {}", name, e.getMessage());
                    return 0.0;
                }
                throw e instanceof RuntimeException re ? re : new EngineException(e.toString(), e);
            }
            return parser.apply(String.valueOf(rows.get(0).get(0)));
        });
    }

    /**
     * Runs one set-up statement of its own; a missing privilege (SQLSTATE 42501) is handed to {@code warn} and the
     * future completes normally, any other error fails it.
     *
     * @param sql the statement
     * @param warn logs the warning for a missing privilege
     * @return completes when done
     */
    final CompletableFuture<Void> runSetUp(String sql, java.util.function.Consumer<EngineException> warn) {
        return runDdl(sql).handle((rows, error) -> {
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

    /**
     * Logs a warning when the server is older than {@link #minVersionNumber()} or cannot be reached. Never
     * fails.
     *
     * @return completes when the check is done
     */
    public CompletableFuture<@Nullable Void> checkVersion() {
        return getVersion().handle((version, error) -> {
            if (error != null) {
                LOG.warn("Unable to check the version of database {}: {}", name, ErrorMapper.unwrap(error).getMessage());
            } else if (version == 0.0) {
                LOG.warn("Unable to check the version of database {}: it cannot be reached", name);
            } else if (version < minVersionNumber()) {
                LOG.warn("{} is version {}, but pgengine's {} engine supports {} and newer; some features may not work",
                        name, version, engineType(), minVersionNumber());
            }
            return null;
        });
    }

    /**
     * Creates the configured extensions with {@code CREATE EXTENSION IF NOT EXISTS}, one after another. A
     * missing privilege (SQLSTATE 42501) is logged as a warning naming the extension, and the rest go on.
     *
     * @return completes when done; fails with the server's error for anything but 42501
     */
    public CompletableFuture<@Nullable Void> prepDatabase() {
        return createExtensions();
    }

    final CompletableFuture<Void> createExtensions() {
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (int i = 0; i < extensions.size(); i++) {
            String extension = extensions.get(i);
            String ddl = "CREATE EXTENSION IF NOT EXISTS " + quotedExtensions.get(i);
            chain = chain.thenCompose(v -> runSetUp(ddl, ee -> LOG.warn(
                    "Unable to create the {} extension on {}: {}. Ask a superuser to create it by hand: {};",
                    extension, name, ee.serverMessage(), ddl)));
        }
        return chain;
    }

    // ---------------------------------------------------------------- pool

    /**
     * Starts a connection pool with default options ({@link PoolOptions#defaults()}).
     *
     * @return completes when the pool's first connections are open; fails when they cannot be opened
     */
    public CompletableFuture<@Nullable Void> startConnectionPool() {
        return startConnectionPool(PoolOptions.defaults());
    }

    /**
     * Starts a connection pool. Calling it while a pool runs logs a warning and changes nothing.
     *
     * @param options sizes and timeouts
     * @return completes when {@code minIdle} connections are open; fails (and leaves no pool) when they cannot
     *     be opened
     */
    public CompletableFuture<@Nullable Void> startConnectionPool(PoolOptions options) {
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
            created = new ConnectionPool<>(name, options, new ConnectionPool.Connections<>() {
                @Override
                public CompletableFuture<DbConnection> open() {
                    return factory.open();
                }

                @Override
                public boolean isUsable(DbConnection c) {
                    return c.isUsable();
                }

                @Override
                public CompletableFuture<?> close(DbConnection c) {
                    return c.close();
                }
            }, EngineTimer.get());
            pool = created;
        }
        CompletableFuture<Void> started = new CompletableFuture<>();
        created.warmUp().whenComplete((v, error) -> {
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

    /**
     * Closes the pool: idle connections at once, lent ones when they come back. Without a pool it logs a
     * warning.
     *
     * @return completes when the idle connections are closed
     */
    public CompletableFuture<@Nullable Void> closeConnectionPool() {
        ConnectionPool<DbConnection> current;
        synchronized (poolLock) {
            current = pool;
            pool = null;
        }
        if (current == null) {
            LOG.warn("No pool is running for {}", name);
            return CompletableFuture.completedFuture(null);
        }
        return current.close().thenRun(() -> LOG.info("Connection pool closed for {}", name));
    }

    /** @return the pool's counters, or {@link PoolStats#NO_POOL} when no pool runs */
    public PoolStats poolStats() {
        ConnectionPool<DbConnection> current = pool;
        return current == null ? PoolStats.NO_POOL : current.stats();
    }

    // ---------------------------------------------------------------- statements

    /**
     * Runs one statement and returns its rows. Placeholders are {@code $1, $2, ...} or {@code ?}; a placeholder
     * inside a string literal, quoted identifier, comment or dollar-quoted body is text.
     *
     * @param sql one statement
     * @param params its values (see docs/types.md for the accepted Java types)
     * @return the rows, in order; fails with {@link EngineException} or {@link IllegalArgumentException}
     *     (wrong parameter count, several statements, empty SQL) before anything is sent
     */
    public CompletableFuture<List<Row>> query(String sql, @Nullable Object... params) {
        return run(sql, params, Rows::from);
    }

    /**
     * Runs one statement and returns how many rows it affected.
     *
     * @param sql one statement
     * @param params its values
     * @return the row count from the server's command tag (0 for statements without one)
     */
    public CompletableFuture<Long> execute(String sql, @Nullable Object... params) {
        return run(sql, params, Result::rowsAffected);
    }

    /**
     * Runs one DDL statement (or any statement without parameters).
     *
     * @param ddl the statement
     * @return its rows (usually none)
     */
    public CompletableFuture<List<Row>> runDdl(String ddl) {
        return run(ddl, new Object[0], Rows::from);
    }

    private <T> CompletableFuture<T> run(String sql, @Nullable Object @Nullable [] params, Function<Result, T> mapper) {
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
        Lender lender = lender();
        return runner.run(lender.acquire(), lender.release(), statement.sql(), statement, mapper);
    }

    // ---------------------------------------------------------------- transactions, atomic, cursors

    /**
     * Runs the work in a transaction with default options: BEGIN, the work, then COMMIT when the returned stage
     * succeeds or ROLLBACK when it fails or the work throws. The connection always goes back.
     *
     * <pre>{@code
     * engine.transaction(tx -> tx.execute("insert into band (name) values ($1)", "Pythonistas")
     *         .thenCompose(n -> tx.query("select count(*) as n from band")));
     * }</pre>
     *
     * @param work the callback; it must return a stage (use the transaction's own methods inside it)
     * @param <T> the result type
     * @return the work's result after COMMIT; fails with the work's error (a rollback error is added as
     *     suppressed). Cancelling it rolls back and gives the connection back.
     */
    public <T extends @Nullable Object> CompletableFuture<T> transaction(Function<Transaction, ? extends CompletionStage<T>> work) {
        return transaction(TransactionOptions.defaults(), work);
    }

    /**
     * Runs the work in a transaction with the given options (isolation, read-only, deferrable, nesting,
     * retries).
     *
     * @param options how the transaction begins and behaves
     * @param work the callback
     * @param <T> the result type
     * @return the work's result after COMMIT
     */
    public <T extends @Nullable Object> CompletableFuture<T> transaction(TransactionOptions options,
            Function<Transaction, ? extends CompletionStage<T>> work) {
        try {
            Objects.requireNonNull(options, "options");
            Objects.requireNonNull(work, "work");
            if (closed) {
                throw closedError();
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        TransactionRunner.Spec spec = new TransactionRunner.Spec(options.beginSql(), options.allowNested(),
                options.retryPolicy() != null ? options.retryPolicy() : retryPolicy, usesRestartSavepoint(),
                options.autocommitBeforeDdl(), options.idempotent());
        Lender lender = lender();
        return transactions.run(lender.acquire(), lender.release(), spec, attempt -> new Transaction(attempt, null), work);
    }

    /** @return true when transactions use CockroachDB's {@code SAVEPOINT cockroach_restart} protocol */
    boolean usesRestartSavepoint() {
        return false;
    }

    /**
     * Starts a queue of statements that run together in one transaction.
     *
     * <pre>{@code
     * engine.atomic().add("insert into band (name) values ($1)", "a").add("update manager set x = 1").run();
     * }</pre>
     *
     * @return an empty queue
     */
    public Atomic atomic() {
        return new Atomic(this, TransactionOptions.defaults());
    }

    /**
     * Opens a server-side cursor over a query and reads it in batches of {@code batchSize} rows. Uses the pool
     * when one runs.
     *
     * @param sql one query
     * @param params its values
     * @param batchSize rows per batch, at least 1
     * @return the open batch reader; fails with the query's error
     */
    public CompletableFuture<Batch> batch(String sql, List<? extends @Nullable Object> params, int batchSize) {
        CompletableFuture<Batch> result = new CompletableFuture<>();
        CompletableFuture<Cursor> opening = openCursor(sql, params, batchSize);
        result.whenComplete((r, e) -> {
            if (result.isCancelled()) {
                opening.thenAccept(Cursor::close);
            }
        });
        opening.whenComplete((cursor, error) -> {
            if (error != null) {
                runner.fail(result, error);
            } else if (result.isDone()) {
                cursor.close();
            } else {
                runner.succeed(result, new Batch(cursor));
            }
        });
        return result;
    }

    /**
     * Like {@link #batch(String, List, int)}, on the named extra node (a read replica).
     *
     * @param sql one query
     * @param params its values
     * @param batchSize rows per batch
     * @param node an extra node's name
     * @return the open batch reader; fails with {@link IllegalArgumentException} for an unknown node
     */
    public CompletableFuture<Batch> batch(String sql, List<? extends @Nullable Object> params, int batchSize, String node) {
        try {
            return node(node).batch(sql, params, batchSize);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Streams a query's rows through a server-side cursor, fetching {@code fetchSize} rows at a time and only
     * as the subscriber requests them. Each subscription runs the query on its own connection; cancelling the
     * subscription closes the cursor and gives the connection back.
     *
     * @param sql one query
     * @param params its values
     * @param fetchSize rows per fetch, at least 1
     * @return a cold publisher of rows
     */
    public Flow.Publisher<Row> stream(String sql, List<? extends @Nullable Object> params, int fetchSize) {
        Objects.requireNonNull(sql, "sql");
        Objects.requireNonNull(params, "params");
        checkBatchSize(fetchSize, "fetchSize");
        return new CursorPublisher<>(() -> openCursor(sql, params, fetchSize), Rows::from);
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
        Lender lender = lender();
        CompletableFuture<Cursor> result = new CompletableFuture<>();
        Lease.borrow(lender.acquire(), lender.release(), result, result::completeExceptionally, lease ->
                Cursor.open(lease, runner, statements, declare, batchSize).whenComplete((cursor, e) -> {
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

    /** Where connections come from and go back to: the pool when one runs, else a connection per call. */
    private record Lender(Supplier<CompletableFuture<DbConnection>> acquire, Consumer<DbConnection> release) {}

    private Lender lender() {
        ConnectionPool<DbConnection> current = pool;
        return current != null ? new Lender(current::acquire, current::release) : new Lender(factory::open, DbConnection::close);
    }

    // ---------------------------------------------------------------- nodes and lifecycle

    /**
     * @param name an extra node's name
     * @return that node's engine
     * @throws IllegalArgumentException listing the known names when there is no such node
     */
    public PostgresEngine node(String name) {
        PostgresEngine node = extraNodes.get(name);
        if (node == null) {
            throw new IllegalArgumentException("no extra node named '" + name + "'; known nodes: "
                    + (extraNodes.isEmpty() ? "(none)" : String.join(", ", new TreeSet<>(extraNodes.keySet()))));
        }
        return node;
    }

    /** @return the extra nodes by name (read-only) */
    public Map<String, PostgresEngine> extraNodes() {
        return extraNodes;
    }

    /**
     * Closes the engine and its pool. Later calls fail with {@link EngineClosedException}. Extra nodes are
     * engines of their own and stay open.
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
            pool = null;
        }
        return current == null ? CompletableFuture.completedFuture(null) : current.close();
    }

    /** @return true after {@link #close()} */
    public boolean isClosed() {
        return closed;
    }

    /** Called with each new connection; CockroachEngine overrides it. */
    void onConnectionOpened(DbConnection connection) {
        String crdb = connection.parameterStatuses().get("crdb_version");
        if (crdb != null && warnedAboutServer.compareAndSet(false, true)) {
            LOG.warn("{} is CockroachDB ({}), not PostgreSQL; use CockroachEngine for its retries, version and "
                    + "cluster settings", name, crdb);
        }
    }

    final EngineClosedException closedError() {
        return new EngineClosedException("engine " + name + " is closed", null);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "{" + engineType() + ", " + settings.describe()
                + (pool != null ? ", pool " + poolStats() : "") + "}";
    }

    /**
     * Builds a {@link PostgresEngine}; {@link CockroachEngine.Builder} extends it. Setters validate at once;
     * {@link #build()} does no I/O.
     */
    public static class Builder {
        Map<String, ?> config = Map.of();
        @Nullable String url;
        List<String> extensions = List.of();
        boolean logQueries;
        boolean logResponses;
        Map<String, PostgresEngine> extraNodes = Map.of();
        @Nullable Executor callbackExecutor;
        @Nullable String name;
        @Nullable RetryPolicy retryPolicy;

        /**
         * @param config connection settings (see docs/configuration.md for the keys); replaces earlier ones
         * @return this builder
         */
        public Builder config(Map<String, ?> config) {
            this.config = new LinkedHashMap<>(Objects.requireNonNull(config, "config"));
            return this;
        }

        /**
         * @param url a {@code postgresql://}, {@code postgres://} or {@code jdbc:postgresql://} URL; keys of the
         *     config map win over it
         * @return this builder
         */
        public Builder url(String url) {
            this.url = Objects.requireNonNull(url, "url");
            return this;
        }

        /**
         * @param extensions extensions {@code prepDatabase()} creates, in order
         * @return this builder
         */
        public Builder extensions(List<String> extensions) {
            this.extensions = List.copyOf(Objects.requireNonNull(extensions, "extensions"));
            return this;
        }

        /**
         * @param logQueries log each statement before it runs (logger {@code io.github.pgengine.query})
         * @return this builder
         */
        public Builder logQueries(boolean logQueries) {
            this.logQueries = logQueries;
            return this;
        }

        /**
         * @param logResponses log each response with its duration (logger {@code io.github.pgengine.response})
         * @return this builder
         */
        public Builder logResponses(boolean logResponses) {
            this.logResponses = logResponses;
            return this;
        }

        /**
         * @param extraNodes other engines (read replicas, other nodes) by name, reached with {@code node(name)}
         * @return this builder
         */
        public Builder extraNodes(Map<String, ? extends PostgresEngine> extraNodes) {
            this.extraNodes = Map.copyOf(Objects.requireNonNull(extraNodes, "extraNodes"));
            return this;
        }

        /**
         * @param executor completes the futures the engine returns; by default they complete on the driver's
         *     I/O thread, so callbacks must not block
         * @return this builder
         */
        public Builder callbackExecutor(Executor executor) {
            this.callbackExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * @param name shown in logs and messages; defaults to {@code user@host:port/database}
         * @return this builder
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * @param retryPolicy how transactions retry serialization failures (40001, 40P01); PostgresEngine's default
         *     is {@link RetryPolicy#none()}, CockroachEngine's {@link RetryPolicy#defaults()}
         * @return this builder
         */
        public Builder retryPolicy(RetryPolicy retryPolicy) {
            this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
            return this;
        }

        Builder() {}

        /**
         * Builds the engine; does no I/O.
         *
         * @return the engine
         * @throws IllegalArgumentException when a setting is wrong
         */
        public PostgresEngine build() {
            return new PostgresEngine(this, ConnectionSettings.DEFAULT_PORT);
        }
    }
}
