package io.github.pgengine;

import io.github.pgengine.internal.EngineCore;
import io.github.pgengine.internal.connect.ConfigParser;
import io.github.pgengine.internal.connect.ConnectionSettings;
import io.github.pgengine.internal.errors.ErrorMapper;
import io.github.pgengine.internal.listen.Listeners;
import io.github.pgengine.internal.sql.Identifiers;
import io.github.pgengine.internal.sql.VersionParser;
import io.github.pgengine.internal.tx.TransactionRunner;
import io.github.pgengine.internal.wire.DbConnection;
import io.github.pgengine.internal.wire.Result;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
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
import java.util.function.Function;
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
 *
 * <p>Open for one subclass only, {@link CockroachEngine} (which is final): what differs between the two is fixed at
 * construction, no overridable method is called from a constructor, and there are no protected hooks, so a subclass
 * of your own could not change behaviour and is not supported. (The class is not {@code sealed} because Kotlin
 * treats a sealed Java class as abstract and could no longer call its constructors.) Compose instead.
 */
public class PostgresEngine {
    /**
     * The count {@link #executeBatch} gives each row of a multi-row insert whose rows did not all insert one row (an
     * {@code ON CONFLICT DO NOTHING} skipped some, or a {@code BEFORE} trigger returned NULL): the row ran, how many
     * rows it wrote is not known. The same value as JDBC's {@code Statement.SUCCESS_NO_INFO}.
     */
    public static final long SUCCESS_NO_INFO = -2;

    /**
     * The count a failed row gets in {@link BatchPartiallyFailedException#counts()} when a batch ran with
     * {@link BatchOptions#independent()}. The same value as JDBC's {@code Statement.EXECUTE_FAILED}.
     */
    public static final long EXECUTE_FAILED = -3;

    /**
     * Whether {@link #executeBatch} rewrites plain inserts unless the builder or the configuration key
     * {@code rewrite_batched_inserts} says otherwise: true.
     */
    public static final boolean DEFAULT_REWRITE_BATCHED_INSERTS = ConnectionSettings.DEFAULT_REWRITE_BATCHED_INSERTS;

    private static final Logger LOG = LoggerFactory.getLogger(PostgresEngine.class);

    private final List<String> extensions;
    private final List<String> quotedExtensions;
    private final boolean logQueries;
    private final boolean logResponses;
    private final boolean rewriteBatchedInserts;
    private final Map<String, PostgresEngine> extraNodes;
    private final String name;
    private final RetryPolicy retryPolicy;
    private final Flavor flavor;
    private final AtomicBoolean warnedAboutServer = new AtomicBoolean();
    private final EngineCore core;

    /**
     * What differs between the engines, fixed by each class (never by an overridable method called from a
     * constructor).
     *
     * @param defaultPort the port when the configuration names none
     * @param defaultRetryPolicy the retry policy when neither the builder nor a transaction sets one
     * @param versionSql the query whose single value is the server's version text
     * @param versionParser reads {@code major.minor} from that text
     * @param restartSavepoint transactions use CockroachDB's {@code SAVEPOINT cockroach_restart} protocol
     * @param warnOnCockroach warn once when the server turns out to be CockroachDB
     * @param listenNotify the server supports LISTEN/NOTIFY
     * @param dbSystem the database system's name for observers ({@code postgresql}, {@code cockroachdb})
     * @param spreadHosts several hosts are tried in random order by default ({@code load_balance_hosts=random})
     */
    record Flavor(
            int defaultPort,
            RetryPolicy defaultRetryPolicy,
            String versionSql,
            Function<String, Double> versionParser,
            boolean restartSavepoint,
            boolean warnOnCockroach,
            boolean listenNotify,
            String dbSystem,
            boolean spreadHosts) {
        static final Flavor POSTGRES = new Flavor(
                ConnectionSettings.DEFAULT_PORT,
                RetryPolicy.none(),
                "SHOW server_version",
                VersionParser::postgres,
                false,
                true,
                true,
                "postgresql",
                false);
    }

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
        this(
                new Builder()
                        .config(config)
                        .extensions(extensions)
                        .logQueries(logQueries)
                        .logResponses(logResponses)
                        .extraNodes(extraNodes),
                Flavor.POSTGRES);
    }

    PostgresEngine(Builder b, Flavor flavor) {
        ConnectionSettings settings = ConfigParser.fromEnvironment(flavor.defaultPort(), flavor.spreadHosts())
                .parse(b.config, b.url);
        this.flavor = flavor;
        this.extensions = List.copyOf(b.extensions);
        this.quotedExtensions =
                b.extensions.stream().map(Identifiers::extensionName).toList();
        this.logQueries = b.logQueries;
        this.logResponses = b.logResponses;
        this.extraNodes = Map.copyOf(b.extraNodes);
        this.name = b.name != null ? b.name : settings.describe();
        this.retryPolicy = b.retryPolicy != null ? b.retryPolicy : flavor.defaultRetryPolicy();
        this.rewriteBatchedInserts =
                b.rewriteBatchedInserts != null ? b.rewriteBatchedInserts : settings.rewriteBatchedInserts();
        this.core = new EngineCore(
                settings,
                name,
                flavor.dbSystem(),
                logQueries,
                logResponses,
                b.callbackExecutor,
                this::connectionOpened,
                rewriteBatchedInserts,
                b.sessionStatements,
                b.warnWithoutPool);
    }

    /** Returns the retry policy transactions use unless their options set one. */
    public RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    /** Returns a builder for everything the constructors do not cover (URL, executor, name, ...). */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns {@code "postgres"}. */
    public String engineType() {
        return "postgres";
    }

    /** Returns the lowest server version this engine supports without a warning: 10. */
    public double minVersionNumber() {
        return 10;
    }

    /** Returns the extensions {@link #prepDatabase()} creates. */
    public List<String> extensions() {
        return extensions;
    }

    /** Returns true when each statement is logged before it runs. */
    public boolean logQueries() {
        return logQueries;
    }

    /** Returns true when each response is logged. */
    public boolean logResponses() {
        return logResponses;
    }

    /**
     * Returns true (the default) when {@link #executeBatch} sends a plain single-row {@code INSERT ... VALUES}
     * as multi-row inserts; see {@link Builder#rewriteBatchedInserts(boolean)}.
     */
    public boolean rewriteBatchedInserts() {
        return rewriteBatchedInserts;
    }

    /** Returns the engine's name in logs: by default {@code user@host:port/database}. */
    public String name() {
        return name;
    }

    // ---------------------------------------------------------------- version and preparation

    /**
     * Asks the server for its version as {@code major.minor} ({@code 15.4}; on CockroachDB the release, 24.1).
     *
     * @return the version; fails like any statement, with a {@link ConnectionException} when the server cannot be
     *     reached ({@link #checkVersion()} turns that into a warning, as the model does)
     */
    public CompletableFuture<Double> getVersion() {
        return core.readVersion(flavor.versionSql(), flavor.versionParser());
    }

    /**
     * Returns the server's WAL position: after a write on the primary, the position a replica must reach before a read
     * there sees the write ({@link #waitForLsn}). On a standby, the position it has replayed. See docs/hosts.md.
     *
     * @return the LSN as text, e.g. {@code 0/3000148}
     */
    public CompletableFuture<String> currentLsn() {
        return core.currentLsn();
    }

    /**
     * Waits until this engine's server has replayed (a standby) or written (a primary) the WAL up to a position:
     * read-your-writes on a read replica. Polls every few milliseconds; cancelling the future stops it.
     *
     * @param lsn a position from {@link #currentLsn()} on the primary
     * @param timeout how long to wait at most
     * @return completes once the position is reached; fails with {@link QueryTimeoutException} naming both positions
     *     after the timeout, with {@link IllegalArgumentException} for a malformed position
     */
    public CompletableFuture<@Nullable Void> waitForLsn(String lsn, Duration timeout) {
        return core.waitForLsn(lsn, timeout);
    }

    /**
     * Checks that the server answers: runs the version query and times its round trip. For health checks and
     * readiness probes.
     *
     * @return what was found; fails clearly (a {@link ConnectionException} naming the server) when the server is
     *     down, a {@link PoolTimeoutException} when the pool has no connection free in time
     */
    public CompletableFuture<Health> ping() {
        return core.ping(flavor.versionSql(), flavor.versionParser());
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
                Throwable e = ErrorMapper.unwrap(error);
                if (e instanceof ConnectionException) {
                    LOG.warn("Unable to connect to database {}: {}", name, e.getMessage());
                } else {
                    LOG.warn("Unable to check the version of database {}: {}", name, e.getMessage());
                }
            } else if (version < minVersionNumber()) {
                LOG.warn(
                        "{} is version {}, but pgengine's {} engine supports {} and newer; some features may not work",
                        name,
                        version,
                        engineType(),
                        minVersionNumber());
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

    final CompletableFuture<@Nullable Void> createExtensions() {
        CompletableFuture<@Nullable Void> chain = CompletableFuture.completedFuture(null);
        for (int i = 0; i < extensions.size(); i++) {
            String extension = extensions.get(i);
            String ddl = "CREATE EXTENSION IF NOT EXISTS " + quotedExtensions.get(i);
            chain = chain.thenCompose(v -> core.runSetUp(
                    ddl,
                    ee -> LOG.warn(
                            "Unable to create the {} extension on {}: {}. Ask a superuser to create it by hand: {};",
                            extension,
                            name,
                            ee.serverMessage(),
                            ddl)));
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
        return core.startPool(options);
    }

    /**
     * Closes the pool: idle connections at once, lent ones when they come back. Without a pool it logs a
     * warning.
     *
     * @return completes when the idle connections are closed
     */
    public CompletableFuture<@Nullable Void> closeConnectionPool() {
        return core.closePool();
    }

    /** Returns the pool's counters, or {@link PoolStats#NO_POOL} when no pool runs. */
    public PoolStats poolStats() {
        return core.poolStats();
    }

    /**
     * Attaches an observer that sees this engine's statements, transactions, connections and cursor rows from now
     * on (not those of its extra nodes: attach to each node too). pgengine's Micrometer and OpenTelemetry
     * integrations ({@code io.github.pgengine.micrometer.PgEngineMetrics},
     * {@code io.github.pgengine.opentelemetry.PgEngineTracing}) are observers; docs/metrics.md and docs/tracing.md.
     *
     * @param observer the observer
     * @return detaches it
     */
    public EngineObserver.Registration addObserver(EngineObserver observer) {
        return core.addObserver(observer);
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
     * Runs one statement for each row, all rows in one round trip and all or nothing: the rows run in one implicit
     * transaction, so a failing row leaves none of them applied. A plain single-row
     * {@code INSERT INTO t (...) VALUES (...)} (optionally {@code ON CONFLICT ... DO NOTHING}, no {@code RETURNING})
     * is sent as multi-row inserts of up to 128 rows each, unless the builder's
     * {@link Builder#rewriteBatchedInserts(boolean) rewriteBatchedInserts(false)} says otherwise; every other
     * statement runs once per row. An error names the row, or for a multi-row insert the rows it carried. For
     * inserts, {@code INSERT ... SELECT FROM unnest($1::int[], $2::text[])} with arrays as parameters is another way
     * (docs/bulk-writes.md).
     *
     * @param sql one statement ({@code $1} or {@code ?} placeholders), e.g. {@code INSERT INTO t VALUES ($1, $2)}
     * @param rows the values of each run, in placeholder order; an empty list sends nothing
     * @return the count of each row, in order: the statement's own count when it ran once per row (e.g. 1 per
     *     inserted row, 0 for a row ON CONFLICT DO NOTHING skipped, the matched rows of an UPDATE); for a row of a
     *     multi-row insert, 1 when every row of that insert wrote one row, else {@link #SUCCESS_NO_INFO}
     */
    public CompletableFuture<long[]> executeBatch(String sql, List<? extends List<? extends @Nullable Object>> rows) {
        return core.executeBatch(sql, rows, false);
    }

    /**
     * Runs one statement for each row, all or nothing as {@link #executeBatch(String, List)} does
     * ({@link BatchOptions#atomic()}), or with each row committing on its own ({@link BatchOptions#independent()}).
     *
     * <p>Independent: every row runs as one statement in an implicit transaction of its own (Parse, Bind, Execute and
     * Sync per row; plain inserts are not rewritten into multi-row inserts), the rows pipelined in windows of a
     * thousand, each window in one write, so a batch takes about one round trip per thousand rows. A failing row
     * undoes and stops no other. When no row failed the future completes with each row's count as
     * {@code executeBatch} gives them; otherwise it fails with {@link BatchPartiallyFailedException}, whose
     * {@link BatchPartiallyFailedException#counts() counts()} hold every row's count ({@link #EXECUTE_FAILED} for a
     * failed row) and whose {@link BatchPartiallyFailedException#errors() errors()} hold each failed row's error.
     * Cancelling the future writes no further rows and cancels the statement running; rows that already ran stay
     * committed. A lost connection fails the future with its {@link ConnectionException}; rows before it may have
     * committed.
     *
     * @param sql one statement ({@code $1} or {@code ?} placeholders)
     * @param rows the values of each run, in placeholder order; an empty list sends nothing
     * @param options {@link BatchOptions#atomic()} or {@link BatchOptions#independent()}
     * @return the count of each row, in order
     */
    public CompletableFuture<long[]> executeBatch(
            String sql, List<? extends List<? extends @Nullable Object>> rows, BatchOptions options) {
        if (options == null) {
            return CompletableFuture.failedFuture(new NullPointerException("options must not be null"));
        }
        return core.executeBatch(sql, rows, options.isIndependent());
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
        return core.run(sql, params, mapper);
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
    public <T extends @Nullable Object> CompletableFuture<T> transaction(
            Function<Transaction, ? extends CompletionStage<T>> work) {
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
    public <T extends @Nullable Object> CompletableFuture<T> transaction(
            TransactionOptions options, Function<Transaction, ? extends CompletionStage<T>> work) {
        if (options == null) {
            return CompletableFuture.failedFuture(new NullPointerException("options"));
        }
        RetryPolicy policy = options.retryPolicy();
        TransactionRunner.Spec spec = new TransactionRunner.Spec(
                options.beginSql(),
                options.allowNested(),
                policy != null ? policy : retryPolicy,
                flavor.restartSavepoint(),
                options.autocommitBeforeDdl(),
                options.idempotent());
        return core.transaction(spec, attempt -> new Transaction(attempt, null), work);
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
        return core.cursor(sql, params, batchSize, Batch::new);
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
    public CompletableFuture<Batch> batch(
            String sql, List<? extends @Nullable Object> params, int batchSize, String node) {
        try {
            return node(node).batch(sql, params, batchSize);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Streams a query's rows through a server-side cursor, fetching {@code fetchSize} rows at a time once the
     * subscriber requests rows. While the subscriber consumes one batch, the next is already being fetched (one
     * batch ahead, no further), so at most two batches ({@code 2 * fetchSize} rows) are held in memory per
     * subscription. A batch shorter than {@code fetchSize} is the last: the cursor closes without another FETCH.
     * Each subscription runs the query on its own connection; cancelling the subscription closes the cursor and
     * gives the connection back. An error in a FETCH reaches {@code onError} once, after the rows fetched before it.
     *
     * @param sql one query
     * @param params its values
     * @param fetchSize rows per fetch, at least 1
     * @return a cold publisher of rows
     */
    public Flow.Publisher<Row> stream(String sql, List<? extends @Nullable Object> params, int fetchSize) {
        return core.stream(sql, params, fetchSize, Rows::from);
    }

    // ---------------------------------------------------------------- LISTEN/NOTIFY

    /**
     * Listens to one or more channels with {@link ListenOptions#defaults()}; see
     * {@link #listen(ListenOptions, String, String...)}.
     *
     * @param channel a channel name
     * @param more more channel names
     * @return a cold publisher of notifications and gap markers
     */
    public Flow.Publisher<ListenEvent> listen(String channel, String... more) {
        return listen(ListenOptions.defaults(), channel, more);
    }

    /**
     * Listens to one or more channels: each subscription opens a dedicated connection of its own (never one of the
     * pool's, and whether or not a pool runs), sends {@code LISTEN} for every channel, and delivers each
     * {@link ListenEvent.Notification} as the subscriber requests it. Up to {@link ListenOptions#bufferSize()}
     * notifications wait for demand; past that the {@link ListenOptions#overflow()} policy applies.
     *
     * <p>A lost connection is re-opened with capped exponential backoff until it succeeds or the subscription ends,
     * every channel is listened to again, and a {@link ListenEvent.MissedNotifications} event then marks the gap.
     * Cancelling closes the connection. Closing the engine ends every subscription: buffered notifications are
     * delivered as demand allows, then {@code onComplete}.
     *
     * <p>Channel names are case-sensitive and may hold ASCII letters, digits, {@code _}, {@code -}, {@code .} and
     * {@code :} (1 to 63 characters). A name outside that rule, a closed engine, or a first connection that cannot be
     * opened fails the subscriber ({@link IllegalArgumentException}, {@link EngineClosedException},
     * {@link ConnectionException}); nothing is sent for a bad name. Signals arrive on the connection's I/O thread (or
     * the thread calling {@code request}): do not block in them. See docs/listen-notify.md.
     *
     * @param options buffering, overflow policy and reconnect backoff
     * @param channel a channel name
     * @param more more channel names
     * @return a cold publisher of notifications and gap markers
     */
    public Flow.Publisher<ListenEvent> listen(ListenOptions options, String channel, String... more) {
        List<@Nullable String> channels = new ArrayList<>();
        channels.add(channel);
        if (more == null) {
            channels.add(null);
        } else {
            Collections.addAll(channels, more);
        }
        if (!flavor.listenNotify()) {
            return Listeners.refusing(this::listenNotSupported);
        }
        return core.listen(options, channels);
    }

    /**
     * Sends a notification to a channel with {@code SELECT pg_notify($1, $2)} on a pooled (or own) connection: the
     * channel and the payload are parameters, never SQL text. Listeners receive it at once (it runs in its own
     * implicit transaction); inside a transaction, run {@code SELECT pg_notify($1, $2)} with the transaction's
     * {@code execute}, and it is delivered when the transaction commits, and never if it rolls back.
     *
     * @param channel a channel name (the rule of {@link #listen(ListenOptions, String, String...)})
     * @param payload the payload, shorter than 8000 bytes in UTF-8 (PostgreSQL's limit), or null for none (listeners
     *     see an empty payload)
     * @return completes when the server has accepted the notification; fails with {@link IllegalArgumentException}
     *     for a bad channel name or a payload too long, before anything is sent
     */
    public CompletableFuture<@Nullable Void> notify(String channel, @Nullable String payload) {
        if (!flavor.listenNotify()) {
            return CompletableFuture.failedFuture(listenNotSupported());
        }
        return core.notify(channel, payload);
    }

    private EngineException listenNotSupported() {
        return new EngineException(
                "CockroachDB does not support LISTEN/NOTIFY (https://github.com/cockroachdb/cockroach/issues/41522), "
                        + "so " + name + " refuses listen and notify without sending anything; use a changefeed "
                        + "(CREATE CHANGEFEED) for change notifications",
                null);
    }

    // ---------------------------------------------------------------- nodes and lifecycle

    /**
     * Returns the engine of an extra node.
     *
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

    /** Returns the extra nodes by name (read-only). */
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
        return core.close();
    }

    /**
     * Closes the engine gracefully, for an application's shutdown. As {@link #close()}, new calls fail at once with
     * {@link EngineClosedException}, and so do callers still waiting for a pooled connection. Statements and
     * transactions that already have a connection may finish within {@code grace}. What still runs after it is
     * cancelled on the server and its connection closed: its caller sees the cancellation (SQLSTATE 57014, a {@link
     * QueryTimeoutException}) or a {@link ConnectionException}, and a transaction is rolled back. Extra nodes are
     * engines of their own and stay open. Without a pool there is nothing to wait for: each call closes its own
     * connection when it ends.
     *
     * @param grace how long running work may go on; zero cancels it at once
     * @return completes when every pooled connection is closed: within the grace plus a cancel's round trip
     */
    public CompletableFuture<@Nullable Void> close(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative, got " + grace);
        }
        return core.close(grace);
    }

    /** Returns true after {@link #close()}. */
    public boolean isClosed() {
        return core.isClosed();
    }

    /** Returns the engine's machinery, for CockroachEngine. */
    final EngineCore core() {
        return core;
    }

    /** Sees each new connection: a PostgresEngine talking to CockroachDB warns once. */
    private void connectionOpened(DbConnection connection) {
        String crdb = connection.parameterStatuses().get("crdb_version");
        if (flavor.warnOnCockroach() && crdb != null && warnedAboutServer.compareAndSet(false, true)) {
            LOG.warn(
                    "{} is CockroachDB ({}), not PostgreSQL; use CockroachEngine for its retries, version and "
                            + "cluster settings",
                    name,
                    crdb);
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "{" + engineType() + ", " + core + "}";
    }

    /**
     * Builds a {@link PostgresEngine}; {@link CockroachEngine.Builder} extends it. Setters validate at once;
     * {@link #build()} does no I/O.
     */
    public static sealed class Builder permits CockroachEngine.Builder {
        Map<String, ?> config = Map.of();

        @Nullable
        String url;

        List<String> extensions = List.of();
        boolean logQueries;
        boolean logResponses;

        @Nullable
        Boolean rewriteBatchedInserts;
        /** Statements every new session runs after its set-up (CockroachEngine's follower reads). */
        List<String> sessionStatements = List.of();

        Map<String, PostgresEngine> extraNodes = Map.of();

        @Nullable
        Executor callbackExecutor;

        @Nullable
        String name;

        @Nullable
        RetryPolicy retryPolicy;

        boolean warnWithoutPool = true;

        /**
         * Sets {@code config}.
         *
         * @param config connection settings (see docs/configuration.md for the keys); replaces earlier ones
         * @return this builder
         */
        public Builder config(Map<String, ?> config) {
            this.config = new LinkedHashMap<>(Objects.requireNonNull(config, "config"));
            return this;
        }

        /**
         * Sets {@code url}.
         *
         * @param url a {@code postgresql://}, {@code postgres://} or {@code jdbc:postgresql://} URL; keys of the
         *     config map win over it
         * @return this builder
         */
        public Builder url(String url) {
            this.url = Objects.requireNonNull(url, "url");
            return this;
        }

        /**
         * Sets {@code extensions}.
         *
         * @param extensions extensions {@code prepDatabase()} creates, in order
         * @return this builder
         */
        public Builder extensions(List<String> extensions) {
            this.extensions = List.copyOf(Objects.requireNonNull(extensions, "extensions"));
            return this;
        }

        /**
         * Sets {@code logQueries}.
         *
         * @param logQueries log each statement before it runs (logger {@code io.github.pgengine.query})
         * @return this builder
         */
        public Builder logQueries(boolean logQueries) {
            this.logQueries = logQueries;
            return this;
        }

        /**
         * Sets {@code logResponses}.
         *
         * @param logResponses log each response with its duration (logger {@code io.github.pgengine.response})
         * @return this builder
         */
        public Builder logResponses(boolean logResponses) {
            this.logResponses = logResponses;
            return this;
        }

        /**
         * Sets {@code rewriteBatchedInserts}, on by default; wins over the configuration key
         * {@code rewrite_batched_inserts} (also a URL parameter, as in pgjdbc).
         *
         * @param rewriteBatchedInserts whether {@code executeBatch} sends a plain single-row
         *     {@code INSERT INTO t (...) VALUES (...) [ON CONFLICT ... DO NOTHING]} as multi-row inserts (up to 128
         *     rows each, still one round trip, all or nothing); off, it runs the statement once per row and every
         *     row gets its exact count, where a multi-row insert gives a row {@link #SUCCESS_NO_INFO} when some rows
         *     of its statement did nothing (see docs/bulk-writes.md)
         * @return this builder
         */
        public Builder rewriteBatchedInserts(boolean rewriteBatchedInserts) {
            this.rewriteBatchedInserts = rewriteBatchedInserts;
            return this;
        }

        /**
         * Sets {@code extraNodes}.
         *
         * @param extraNodes other engines (read replicas, other nodes) by name, reached with {@code node(name)}
         * @return this builder
         */
        public Builder extraNodes(Map<String, ? extends PostgresEngine> extraNodes) {
            this.extraNodes = Map.copyOf(Objects.requireNonNull(extraNodes, "extraNodes"));
            return this;
        }

        /**
         * Sets {@code executor}.
         *
         * @param executor completes the futures the engine returns; by default they complete on the driver's
         *     I/O thread, so callbacks must not block
         * @return this builder
         */
        public Builder callbackExecutor(Executor executor) {
            this.callbackExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Sets {@code name}.
         *
         * @param name shown in logs and messages; defaults to {@code user@host:port/database}
         * @return this builder
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Sets {@code retryPolicy}.
         *
         * @param retryPolicy how transactions retry serialization failures (40001, 40P01); PostgresEngine's default
         *     is {@link RetryPolicy#none()}, CockroachEngine's {@link RetryPolicy#defaults()}
         * @return this builder
         */
        public Builder retryPolicy(RetryPolicy retryPolicy) {
            this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
            return this;
        }

        /**
         * Sets {@code warnWithoutPool}, on by default. Without {@code startConnectionPool()} every statement opens
         * and closes a connection of its own (about 60 times slower than a pooled one), and the first one logs a
         * WARN saying so, once per engine; the engine's own {@code prepDatabase()}, {@code getVersion()},
         * {@code checkVersion()} and {@code ping()} never do. Switch it off for unpooled use on purpose, such as a
         * script (see docs/pool.md).
         *
         * @param warnWithoutPool whether the first statement run without a pool logs the warning
         * @return this builder
         */
        public Builder warnWithoutPool(boolean warnWithoutPool) {
            this.warnWithoutPool = warnWithoutPool;
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
            return new PostgresEngine(this, Flavor.POSTGRES);
        }
    }
}
