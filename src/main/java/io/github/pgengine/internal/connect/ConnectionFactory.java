package io.github.pgengine.internal.connect;

import com.github.jasync.sql.db.Configuration;
import com.github.jasync.sql.db.postgresql.PostgreSQLConnection;
import com.github.jasync.sql.db.postgresql.codec.MessageDecoder;
import com.github.jasync.sql.db.postgresql.column.PostgreSQLColumnDecoderRegistry;
import com.github.jasync.sql.db.postgresql.column.PostgreSQLColumnEncoderRegistry;
import com.github.jasync.sql.db.postgresql.exceptions.GenericDatabaseException;
import io.github.pgengine.ConnectionException;
import io.github.pgengine.internal.runtime.Completions;
import io.github.pgengine.internal.runtime.EngineTimer;
import io.github.pgengine.internal.wire.BackendKey;
import io.github.pgengine.internal.wire.DbConnection;
import io.github.pgengine.internal.wire.ProtocolHandler;
import io.github.pgengine.internal.wire.ServerError;
import io.github.pgengine.internal.wire.ServerErrorException;
import io.github.pgengine.internal.wire.Sockets;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

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
    /** Extra time the client waits beyond the query timeout before it gives up on the socket. */
    static final Duration CLIENT_GRACE = Duration.ofSeconds(1);

    private final ConnectionSettings settings;
    private final Consumer<DbConnection> onOpen;
    private final List<String> sessionStatements;
    private final List<Target> targets;
    private final Hosts.TargetSessionAttrs wanted;
    private final SessionSetup setup;

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
            list.add(
                    new Target(endpoint, settings.describe(endpoint), DriverOptions.configuration(settings, endpoint)));
        }
        this.targets = List.copyOf(list);
        this.setup = new SessionSetup(settings);
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
     * (see {@link SessionSetup#stillMatches}).
     *
     * @param connection a connection this factory opened
     * @return false when it should be closed
     */
    public boolean stillMatches(DbConnection connection) {
        return setup.stillMatches(connection);
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
                DriverOptions.keepalive(channel, settings);
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
            Completions.whenDone(connection.simple(setup.sql()), (result, error) -> {
                if (error != null) {
                    fail(error instanceof ServerErrorException ? error : connectError(error));
                    return;
                }
                String mismatch = setup.mismatch(result, anyServer);
                if (mismatch != null) {
                    fail(new ConnectionException(mismatch, null)); // first: closing fails the attempt too
                    connection.close();
                    return;
                }
                setup.kept(connection, result);
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
    }
}
