package io.github.pgengine.internal.connect;

import com.github.jasync.sql.db.postgresql.PostgreSQLConnection;
import com.github.jasync.sql.db.postgresql.messages.backend.ProcessData;
import io.github.pgengine.internal.wire.BackendKey;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reaches the three private members of jasync's connection a robust engine needs: its connection handler, the
 * handler's Netty context (the channel: pgengine takes over the statement protocol on it and learns at once when
 * the socket closes) and the BackendKeyData (for CancelRequests, which jasync never sends). If a jasync upgrade
 * renames them, a WARN says what degrades, and {@link #missing()} lets a database-free test fail first.
 */
final class DriverInternals {
    private static final Logger LOG = LoggerFactory.getLogger(DriverInternals.class);
    private static final List<String> MISSING = new ArrayList<>();
    private static final @Nullable Field HANDLER = field(
            PostgreSQLConnection.class,
            "connectionHandler",
            "pgengine cannot take over the statement protocol: no connection can be opened");
    private static final @Nullable Field CONTEXT = HANDLER == null
            ? null
            : field(
                    HANDLER.getType(),
                    "currentContext",
                    "pgengine cannot take over the statement protocol: no connection can be opened");
    private static final @Nullable Field PROCESS_DATA = HANDLER == null
            ? null
            : field(
                    HANDLER.getType(),
                    "processData",
                    "cancelling a running statement cannot stop it on the server (no CancelRequest); it runs to its end");

    private DriverInternals() {}

    /** Returns the jasync members that could not be reached, with what degrades; empty when all resolve. */
    static List<String> missing() {
        synchronized (MISSING) {
            return List.copyOf(MISSING);
        }
    }

    static @Nullable Channel channel(PostgreSQLConnection connection) {
        try {
            if (HANDLER == null || CONTEXT == null) {
                return null;
            }
            Object ctx = CONTEXT.get(HANDLER.get(connection));
            return ctx instanceof ChannelHandlerContext c ? c.channel() : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("cannot reach the driver's channel: {}", e.toString());
            return null;
        }
    }

    /**
     * Hands the driver's channel to {@code action} as soon as it is registered, on its event loop. jasync's
     * {@code connect()} creates the channel and queues its registration on one of the group's loops before it
     * returns, and registration sets the handler's context (what {@link #channel} reads) in the same task; a task
     * queued on every loop after that therefore finds the channel on the loop that registered it. The action runs
     * at most once; it does not run when the channel never appears (registration failed).
     *
     * @param connection a connection whose {@code connect()} has been called
     * @param group the event loop group of its configuration
     * @param action what to do with the channel
     */
    static void whenRegistered(PostgreSQLConnection connection, EventLoopGroup group, Consumer<Channel> action) {
        Channel now = channel(connection);
        if (now != null) {
            action.accept(now);
            return;
        }
        AtomicBoolean done = new AtomicBoolean();
        Runnable look = () -> {
            Channel c = channel(connection);
            // acts on the loop that registered the channel, where the handler's context is safely visible
            if (c != null && c.eventLoop().inEventLoop() && done.compareAndSet(false, true)) {
                action.accept(c);
            }
        };
        for (EventExecutor loop : group) {
            try {
                loop.execute(look);
            } catch (RejectedExecutionException e) {
                // the group is shutting down: its channels are being closed anyway
            }
        }
    }

    static @Nullable BackendKey backendKey(PostgreSQLConnection connection) {
        try {
            if (HANDLER == null || PROCESS_DATA == null) {
                return null;
            }
            Object data = PROCESS_DATA.get(HANDLER.get(connection));
            return data instanceof ProcessData p ? new BackendKey(p.getProcessId(), p.getSecretKey()) : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("cannot reach the driver's backend key: {}", e.toString());
            return null;
        }
    }

    private static @Nullable Field field(Class<?> type, String name, String degrades) {
        try {
            Field f = type.getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            String what = type.getName() + "." + name + ": " + degrades;
            synchronized (MISSING) {
                MISSING.add(what);
            }
            LOG.warn("jasync member {} is not reachable ({}); {}", type.getName() + "." + name, e.toString(), degrades);
            return null;
        }
    }
}
