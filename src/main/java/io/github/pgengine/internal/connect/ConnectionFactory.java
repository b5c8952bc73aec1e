package io.github.pgengine.internal.connect;

import com.github.jasync.sql.db.Configuration;
import com.github.jasync.sql.db.SSLConfiguration;
import com.github.jasync.sql.db.postgresql.PostgreSQLConnection;
import com.github.jasync.sql.db.postgresql.codec.MessageDecoder;
import com.github.jasync.sql.db.postgresql.column.PostgreSQLColumnDecoderRegistry;
import com.github.jasync.sql.db.postgresql.column.PostgreSQLColumnEncoderRegistry;
import com.github.jasync.sql.db.postgresql.exceptions.GenericDatabaseException;
import com.github.jasync.sql.db.util.NettyUtils;
import io.github.pgengine.ConnectionException;
import io.github.pgengine.internal.runtime.Completions;
import io.github.pgengine.internal.runtime.EngineTimer;
import io.github.pgengine.internal.wire.BackendKey;
import io.github.pgengine.internal.wire.DbConnection;
import io.github.pgengine.internal.wire.ProtocolHandler;
import io.github.pgengine.internal.wire.Result;
import io.github.pgengine.internal.wire.ServerError;
import io.github.pgengine.internal.wire.ServerErrorException;
import io.github.pgengine.internal.wire.SessionRole;
import io.github.pgengine.internal.wire.Sockets;
import io.github.pgengine.internal.wire.StandbyCheck;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.nio.NioChannelOption;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import jdk.net.ExtendedSocketOptions;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens sessions: jasync connects, negotiates TLS and authenticates; then pgengine puts its
 * {@link ProtocolHandler} in place of jasync's decoder, sets TCP keepalive, and sets the session up in one round
 * trip (time zone UTC, {@code application_name}, {@code statement_timeout} when configured).
 *
 * <p>The whole opening is bounded by {@code connect_timeout}: a server that goes silent, or closes the socket,
 * at any step (TCP, TLS, authentication, set-up) fails the attempt with a {@link ConnectionException} at once or
 * at the deadline, and the socket is closed. An attempt that fails or is cancelled closes its socket at once, also
 * one whose channel the driver has not registered yet (as soon as it is), and writes nothing more on it: no
 * Terminate after an SSLRequest the server has not answered.
 */
public final class ConnectionFactory {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionFactory.class);
    /** Extra time the client waits beyond the query timeout before it gives up on the socket. */
    static final Duration CLIENT_GRACE = Duration.ofSeconds(1);

    private static final Executor DIRECT = Runnable::run;
    private static final String IN_HOT_STANDBY = "in_hot_standby"; // reported by PostgreSQL 14+
    private static final String DEFAULT_READ_ONLY = "default_transaction_read_only"; // reported by PostgreSQL 14+
    /**
     * How much later than pgengine's own deadline jasync's connect timer fires. Its timer ends the attempt with
     * {@code disconnect()}, which writes a Terminate message, also right after the SSLRequest of a socket the server
     * has not answered yet (it then refuses the bytes: "received unencrypted data after SSL request"); pgengine's
     * deadline closes the socket without writing, and jasync's timer then finds it closed.
     */
    static final Duration DRIVER_TIMER_MARGIN = Duration.ofSeconds(5);

    private final ConnectionSettings settings;
    private final Consumer<DbConnection> onOpen;
    private final List<String> sessionStatements;
    private final List<Target> targets;
    private final Hosts.TargetSessionAttrs wanted;
    private final String setupSql;
    /** The column of the set-up query holding {@code transaction_read_only}; {@code pg_is_in_recovery()} follows. */
    private final int roleColumn;
    /**
     * How many times a kept session found its server changed (a standby promoted, a primary turned read-only):
     * sessions kept before the latest change are replaced when next borrowed or given back, so one change costs at
     * most one call of the pool (which does not run) instead of one per pooled connection.
     */
    private final AtomicLong roleChanges = new AtomicLong();

    /**
     * @param settings where and how to connect
     * @param onOpen sees each new connection before it is used (must not throw or block)
     */
    public ConnectionFactory(ConnectionSettings settings, Consumer<DbConnection> onOpen) {
        this(settings, onOpen, List.of());
    }

    /**
     * @param settings where and how to connect
     * @param onOpen sees each new connection before it is used (must not throw or block)
     * @param sessionStatements statements each new session runs, in order, after its set-up (the engine's own
     *     constants, e.g. CockroachDB's {@code SET default_transaction_use_follower_reads = on})
     */
    public ConnectionFactory(
            ConnectionSettings settings, Consumer<DbConnection> onOpen, List<String> sessionStatements) {
        this.settings = settings;
        this.onOpen = onOpen;
        this.sessionStatements = List.copyOf(sessionStatements);
        this.wanted = settings.hosts().target();
        List<Target> list = new ArrayList<>();
        for (Hosts.Endpoint endpoint : settings.hosts().endpoints()) {
            list.add(new Target(endpoint, settings.describe(endpoint), configuration(settings, endpoint)));
        }
        this.targets = List.copyOf(list);
        StringBuilder sql = new StringBuilder("select pg_backend_pid(), set_config('TimeZone', 'UTC', false), "
                + "set_config('application_name', " + literal(settings.applicationName()) + ", false)");
        Duration statementTimeout = settings.statementTimeout();
        if (statementTimeout != null) {
            sql.append(", set_config('statement_timeout', '")
                    .append(statementTimeout.toMillis())
                    .append("', false)");
        }
        this.roleColumn = statementTimeout != null ? 4 : 3;
        if (wanted != Hosts.TargetSessionAttrs.ANY) {
            sql.append(", current_setting('transaction_read_only'), pg_is_in_recovery()");
        }
        if (wanted.staysOnStandby()) {
            // a session that is read-only when it opens stays so, even if its server is promoted meanwhile
            sql.append(", CASE WHEN current_setting('transaction_read_only') = 'on' "
                    + "THEN set_config('default_transaction_read_only', 'on', false) END");
        }
        this.setupSql = sql.toString();
    }

    /** One of the hosts, with what the factory last learnt of it. */
    private static final class Target {
        final Hosts.Endpoint endpoint;
        /** {@code user@host:port/database} for this host. */
        final String where;

        final Configuration configuration;
        /** {@code System.nanoTime()} before which the host is tried only after the others. */
        volatile long avoidUntil = Long.MIN_VALUE;

        Target(Hosts.Endpoint endpoint, String where, Configuration configuration) {
            this.endpoint = endpoint;
            this.where = where;
            this.configuration = configuration;
        }

        boolean avoided(long now) {
            return avoidUntil != Long.MIN_VALUE && now - avoidUntil < 0;
        }
    }

    private static Configuration configuration(ConnectionSettings settings, Hosts.Endpoint endpoint) {
        return new Configuration(
                settings.user(),
                endpoint.host(),
                endpoint.port(),
                settings.passwordFor(endpoint.host(), endpoint.port()),
                settings.database(),
                ssl(settings),
                StandardCharsets.UTF_8,
                // only start-up messages pass through jasync's decoder
                16 * 1024 * 1024,
                PooledByteBufAllocator.DEFAULT,
                (int) Math.min(
                        Integer.MAX_VALUE,
                        settings.connectTimeout().plus(DRIVER_TIMER_MARGIN).toMillis()),
                null,
                null,
                List.of(),
                NettyUtils.INSTANCE.getDefaultEventLoopGroup(),
                DIRECT,
                settings.searchPath(),
                null,
                null,
                null);
    }

    /** Quotes a text value as an SQL literal, whatever standard_conforming_strings says. */
    private static String literal(String value) {
        String quoted = "'" + value.replace("'", "''") + "'";
        return value.indexOf('\\') >= 0 ? "E" + quoted.replace("\\", "\\\\") : quoted;
    }

    /**
     * Opens and prepares one session. If the returned future is cancelled or already complete when the session
     * is ready, the session is closed, so nothing leaks.
     *
     * @return the session; fails with {@link ConnectionException}, or {@link ServerErrorException} for the
     *     server's refusal (bad password, unknown database, too many connections: a
     *     {@link ServerErrorException#refusedSession}) or a failed set-up statement
     */
    public CompletableFuture<DbConnection> open() {
        if (targets.size() == 1 && wanted == Hosts.TargetSessionAttrs.ANY) {
            Opening opening = new Opening(targets.get(0), false);
            opening.start();
            return opening.out;
        }
        HostSearch search = new HostSearch();
        search.next();
        return search.out;
    }

    /**
     * Opens a session on the server another connection of this factory is on, whatever the target's session
     * attributes (for a statement about that connection, such as a cancel).
     *
     * @param beside a connection this factory opened
     * @return the session; fails when no host of this factory is the connection's, or as {@link #open()} fails
     */
    public CompletableFuture<DbConnection> openBeside(DbConnection beside) {
        for (Target t : targets) {
            if (t.where.equals(beside.where())) {
                Opening opening = new Opening(t, true);
                opening.start();
                return opening.out;
            }
        }
        return CompletableFuture.failedFuture(
                new ConnectionException("no host of " + settings.describe() + " is " + beside.where(), null));
    }

    /**
     * Says, without a round trip, whether a pooled connection is still what the engine wants, as of its last answer
     * (PostgreSQL 14+ reports {@code in_hot_standby} and {@code default_transaction_read_only} with the answer after
     * they change): a session kept on a standby that was since promoted is not, for {@code standby},
     * {@code read-only} and {@code prefer-standby}; a session on a server that became a standby or read-only is not,
     * for {@code primary} and {@code read-write}. Once one connection is found changed (here, or by its
     * {@link StandbyCheck}), every connection kept before is replaced too. What this cannot see (a promotion since the
     * last answer), the standby check sent with the next call catches.
     *
     * @param connection a connection this factory opened
     * @return false when it should be closed
     */
    public boolean stillMatches(DbConnection connection) {
        SessionRole role = connection.role();
        if (wanted == Hosts.TargetSessionAttrs.ANY || role == null) {
            return true;
        }
        long seen = roleChanges.get();
        if (role.generation() != seen) {
            return false;
        }
        Map<String, String> status = connection.parameterStatuses();
        boolean matches = switch (wanted) {
            case ANY -> true;
            case PRIMARY -> !"on".equals(status.get(IN_HOT_STANDBY));
            case READ_WRITE -> !"on".equals(status.get(IN_HOT_STANDBY)) && !"on".equals(status.get(DEFAULT_READ_ONLY));
            case READ_ONLY ->
                role.standby()
                        ? !"off".equals(status.get(IN_HOT_STANDBY))
                        : !"off".equals(status.get(DEFAULT_READ_ONLY));
            case STANDBY, PREFER_STANDBY -> !role.standby() || !"off".equals(status.get(IN_HOT_STANDBY));
        };
        if (!matches) {
            roleChanges.compareAndSet(seen, seen + 1);
        }
        return matches;
    }

    /**
     * Notes what a session that is kept was found to be: its generation, and, when it must stay on a standby, the
     * check every later call carries.
     */
    private void kept(DbConnection connection, Result setup) {
        if (wanted == Hosts.TargetSessionAttrs.ANY) {
            return;
        }
        @Nullable
        Object[] row =
                setup.rows().isEmpty() ? new @Nullable Object[0] : setup.rows().get(0);
        boolean standby = row.length > roleColumn + 1 && truthy(row[roleColumn + 1]);
        long generation = roleChanges.get();
        connection.role(new SessionRole(standby, generation));
        if (standby && wanted.staysOnStandby()) {
            connection.checkStandbyBeforeEachCall(
                    new StandbyCheck(wanted.libpqName(), () -> roleChanges.compareAndSet(generation, generation + 1)));
        }
    }

    /**
     * Tries the hosts in order (shuffled with {@code load_balance_hosts=random}; hosts that failed or did not match
     * within {@code host_recheck_interval} last) until one gives a session of the wanted kind; for
     * {@code prefer-standby} a second round takes any server.
     */
    private final class HostSearch {
        final CompletableFuture<DbConnection> out = new CompletableFuture<>();
        private final List<Target> order;
        private final List<String> failures = new ArrayList<>();
        private @Nullable Throwable lastFailure;
        private int index;
        private boolean anyServer = wanted != Hosts.TargetSessionAttrs.PREFER_STANDBY;
        private volatile @Nullable Opening current;

        HostSearch() {
            List<Target> shuffled = new ArrayList<>(targets);
            if (settings.hosts().random()) {
                Collections.shuffle(shuffled, ThreadLocalRandom.current());
            }
            long now = System.nanoTime();
            List<Target> sorted = new ArrayList<>();
            shuffled.stream().filter(t -> !t.avoided(now)).forEach(sorted::add);
            shuffled.stream().filter(t -> t.avoided(now)).forEach(sorted::add);
            this.order = sorted;
            Completions.whenDone(out, (c, e) -> {
                Opening o = current;
                if (out.isCancelled() && o != null) {
                    o.out.cancel(false);
                }
            });
        }

        void next() {
            if (out.isDone()) {
                return;
            }
            if (index == order.size()) {
                if (!anyServer) {
                    anyServer = true;
                    index = 0;
                    failures.clear();
                } else {
                    out.completeExceptionally(new ConnectionException(
                            "cannot connect to " + settings.describe()
                                    + (wanted == Hosts.TargetSessionAttrs.ANY
                                            ? ""
                                            : " with target_session_attrs=" + wanted.libpqName())
                                    + ": " + String.join("; ", failures),
                            lastFailure));
                    return;
                }
            }
            Target t = order.get(index++);
            Opening o = new Opening(t, anyServer);
            current = o;
            Completions.whenDone(o.out, (c, e) -> {
                if (e == null) {
                    t.avoidUntil = Long.MIN_VALUE;
                    if (!out.complete(c)) {
                        c.close();
                    }
                    return;
                }
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                lastFailure = cause;
                t.avoidUntil = System.nanoTime() + settings.hosts().recheck().toNanos();
                failures.add(t.endpoint + ": " + (cause.getMessage() == null ? cause.toString() : cause.getMessage()));
                next();
            });
            o.start();
        }
    }

    /** One attempt to open a session on one host, with its deadline. */
    private final class Opening {
        final CompletableFuture<DbConnection> out = new CompletableFuture<>();
        private final Target target;
        /** The host this opening tries, as errors and the connection name it: {@code user@host:port/database}. */
        private final String where;

        private final boolean anyServer;
        private @Nullable ScheduledFuture<?> timer;
        /**
         * The driver's channel once registered; an attempt that fails or is cancelled closes it then or as soon as
         * it is set (see {@link #registered}).
         */
        private volatile @Nullable Channel channel;
        /** The driver's connect future, once {@code connect()} has returned it. */
        private volatile @Nullable CompletableFuture<PostgreSQLConnection> driverConnected;

        Opening(Target target, boolean anyServer) {
            this.target = target;
            this.where = target.where;
            this.anyServer = anyServer;
        }

        void start() {
            PostgreSQLConnection d;
            CompletableFuture<PostgreSQLConnection> connected;
            try {
                d = new PostgreSQLConnection(
                        target.configuration,
                        PostgreSQLColumnEncoderRegistry.Companion.getInstance(),
                        PostgreSQLColumnDecoderRegistry.Companion.getInstance(),
                        connection -> new StartupDelegate(connection, this::driverFailed));
                connected = d.connect();
                driverConnected = connected;
            } catch (RuntimeException e) {
                fail(connectError(e));
                return;
            }
            timer = EngineTimer.get()
                    .schedule(
                            () -> fail(new ConnectionException(
                                    "cannot connect to "
                                            + where + ": no answer within "
                                            + settings.connectTimeout().toMillis()
                                            + " ms (connect_timeout)",
                                    null)),
                            settings.connectTimeout().toNanos(),
                            TimeUnit.NANOSECONDS);
            Completions.whenDone(out, (c, e) -> {
                ScheduledFuture<?> t = timer;
                if (t != null) {
                    t.cancel(false);
                }
                Channel registered = channel;
                if (e != null && registered != null) {
                    giveUp(registered);
                }
            });
            DriverInternals.whenRegistered(d, target.configuration.getEventLoopGroup(), this::registered);
            Completions.whenDone(connected, (c, e) -> {
                if (e != null) {
                    fail(connectError(e));
                } else if (!out.isDone()) {
                    Channel authenticated = DriverInternals.channel(d);
                    if (authenticated == null) {
                        fail(new ConnectionException(
                                "cannot take over the connection to " + where
                                        + ": the driver's channel is not reachable (see the WARN from DriverInternals)",
                                null));
                        return;
                    }
                    authenticated.eventLoop().execute(() -> takeOver(d, authenticated));
                }
            });
        }

        /**
         * Watches the driver's channel once it is registered (its TCP connect has at most just started): the attempt
         * fails at once when the socket closes during TCP, TLS, authentication or set-up; and an attempt that has
         * already failed or been cancelled, before the channel existed, closes it now, before the driver goes on to
         * authenticate a session nobody wants (which would hold a server slot until connect_timeout).
         */
        private void registered(Channel registered) {
            channel = registered;
            registered
                    .closeFuture()
                    .addListener(f -> fail(new ConnectionException(
                            "cannot connect to " + where + ": the server closed the connection during set-up", null)));
            if (out.isCompletedExceptionally()) {
                giveUp(registered);
            }
        }

        /**
         * Closes the channel of an attempt that failed or was cancelled, writing nothing more. On its event loop, so
         * that a set-up under way (see {@link #takeOver}, which runs there too and checks the attempt first) knows
         * the end is the engine's own and does not report a connection lost.
         */
        private void giveUp(Channel registered) {
            Runnable close = () -> {
                ProtocolHandler protocol = registered.pipeline().get(ProtocolHandler.class);
                if (protocol != null) {
                    protocol.closing();
                }
                Sockets.close(registered);
            };
            if (registered.eventLoop().inEventLoop()) {
                close.run(); // at once: the driver may be about to write (its disconnect after a refusal)
                return;
            }
            try {
                registered.eventLoop().execute(close);
            } catch (RejectedExecutionException e) {
                Sockets.close(registered); // the event loop is shutting down
            }
        }

        private void takeOver(PostgreSQLConnection d, Channel channel) {
            if (out.isDone()) {
                return;
            }
            ProtocolHandler protocol;
            try {
                ChannelPipeline pipeline = channel.pipeline();
                protocol = new ProtocolHandler(where, settings.maxMessageSize(), d.parameterStatuses());
                pipeline.replace(MessageDecoder.class, "pgengine-protocol", protocol);
                keepalive(channel);
            } catch (RuntimeException e) {
                fail(new ConnectionException("cannot take over the connection to " + where + ": " + e, e));
                return;
            }
            BackendKey key = DriverInternals.backendKey(d);
            Duration timeout = settings.queryTimeout().isZero()
                    ? Duration.ZERO
                    : settings.queryTimeout().plus(CLIENT_GRACE);
            DbConnection connection =
                    new DbConnection(d, channel, protocol, where, key != null ? key.processId() : 0, key, timeout);
            Completions.whenDone(connection.simple(setupSql), (result, error) -> {
                if (error != null) {
                    fail(error instanceof ServerErrorException ? error : connectError(error));
                    return;
                }
                String mismatch = mismatch(result);
                if (mismatch != null) {
                    fail(new ConnectionException(mismatch, null)); // first: closing fails the attempt too
                    connection.close();
                    return;
                }
                kept(connection, result);
                sessionStatements(connection, 0);
            });
        }

        /** Runs the engine's session statements one by one, then hands the connection over. */
        private void sessionStatements(DbConnection connection, int index) {
            if (index < sessionStatements.size()) {
                Completions.whenDone(connection.simple(sessionStatements.get(index)), (r, error) -> {
                    if (error != null) {
                        fail(error instanceof ServerErrorException ? error : connectError(error));
                    } else {
                        sessionStatements(connection, index + 1);
                    }
                });
                return;
            }
            try {
                onOpen.accept(connection);
            } catch (RuntimeException e) {
                fail(e);
                return;
            }
            if (!out.complete(connection)) {
                connection.close();
            }
        }

        private void fail(Throwable e) {
            out.completeExceptionally(e);
        }

        /**
         * The server refused the session, or the socket, TLS or authentication failed, before pgengine took the
         * channel over (see {@link StartupDelegate}): the attempt fails with it, and so does the driver's own connect
         * future, which stops the driver's connect timer.
         */
        private void driverFailed(Throwable e) {
            fail(connectError(e));
            CompletableFuture<PostgreSQLConnection> driver = driverConnected;
            if (driver != null) {
                driver.completeExceptionally(e);
            }
        }

        private RuntimeException connectError(Throwable t) {
            Throwable e = t;
            while (e instanceof CompletionException && e.getCause() != null) {
                e = e.getCause();
            }
            if (e instanceof GenericDatabaseException g) {
                return ServerErrorException.refusedSession(
                        new ServerError(g.getErrorMessage().getFields()));
            }
            if (e instanceof ServerErrorException s) {
                return s;
            }
            if (e instanceof ConnectionException c) {
                return c;
            }
            if (e instanceof TimeoutException) {
                return new ConnectionException(
                        "cannot connect to " + where + ": no answer within "
                                + settings.connectTimeout().toMillis() + " ms (connect_timeout)",
                        e);
            }
            return new ConnectionException("cannot connect to " + where + ": " + e, e);
        }

        /** Returns why the session is not of the wanted kind, or null when it is. */
        private @Nullable String mismatch(Result setup) {
            if (wanted == Hosts.TargetSessionAttrs.ANY
                    || (anyServer && wanted == Hosts.TargetSessionAttrs.PREFER_STANDBY)) {
                return null;
            }
            @Nullable
            Object[] row = setup.rows().isEmpty()
                    ? new @Nullable Object[0]
                    : setup.rows().get(0);
            if (row.length < roleColumn + 2) {
                return "the server did not tell whether it is read-only or in recovery";
            }
            boolean readOnly = truthy(row[roleColumn]);
            boolean inRecovery = truthy(row[roleColumn + 1]);
            if (wanted.accepts(readOnly, inRecovery)) {
                return null;
            }
            return "the server is " + (inRecovery ? "a standby (in recovery)" : "a primary")
                    + (readOnly ? ", read-only" : ", read-write") + ", not " + wanted.libpqName();
        }
    }

    private static boolean truthy(@Nullable Object v) {
        if (v instanceof Boolean b) {
            return b;
        }
        String s = String.valueOf(v).trim().toLowerCase(java.util.Locale.ROOT);
        return s.equals("on") || s.equals("t") || s.equals("true");
    }

    /** Turns on TCP keepalive with the configured probe timing, so a dead peer is noticed within a bounded time. */
    private void keepalive(Channel channel) {
        ConnectionSettings settings = this.settings;
        if (!settings.keepalives()) {
            channel.config().setOption(io.netty.channel.ChannelOption.SO_KEEPALIVE, false);
            return;
        }
        try {
            channel.config().setOption(io.netty.channel.ChannelOption.SO_KEEPALIVE, true);
            channel.config().setOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), (int)
                    Math.max(1, settings.keepalivesIdle().toSeconds()));
            channel.config().setOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL), (int)
                    Math.max(1, settings.keepalivesInterval().toSeconds()));
            channel.config()
                    .setOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), settings.keepalivesCount());
        } catch (RuntimeException | LinkageError e) {
            LOG.debug("cannot set TCP keepalive timing on {}: {}", channel, e.toString());
        }
    }

    private static SSLConfiguration ssl(ConnectionSettings s) {
        SSLConfiguration.Mode mode = switch (s.sslMode()) {
            case DISABLE -> SSLConfiguration.Mode.Disable;
            case PREFER -> SSLConfiguration.Mode.Prefer;
            case REQUIRE -> SSLConfiguration.Mode.Require;
            case VERIFY_CA -> SSLConfiguration.Mode.VerifyCA;
            case VERIFY_FULL -> SSLConfiguration.Mode.VerifyFull;
        };
        return new SSLConfiguration(mode, file(s.sslRootCert()), file(s.sslCert()), file(s.sslKey()));
    }

    private static @Nullable File file(@Nullable String path) {
        return path == null ? null : new File(path);
    }
}
