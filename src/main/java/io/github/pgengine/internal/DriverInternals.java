package io.github.pgengine.internal;

import com.github.jasync.sql.db.postgresql.PostgreSQLConnection;
import com.github.jasync.sql.db.postgresql.messages.backend.ProcessData;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import java.lang.reflect.Field;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reaches the two things jasync keeps private that a robust engine needs: the Netty channel (to learn at
 * once when the socket closes, which jasync ignores: pitfall 5.2) and the BackendKeyData (to send a
 * CancelRequest, which jasync never does). If a future jasync changes its fields, both degrade to
 * {@code null} and the engine falls back to timeouts.
 */
final class DriverInternals {
    private static final Logger LOG = LoggerFactory.getLogger(DriverInternals.class);
    private static final @Nullable Field HANDLER = field(PostgreSQLConnection.class, "connectionHandler");
    private static final @Nullable Field CONTEXT = HANDLER == null ? null : field(HANDLER.getType(), "currentContext");
    private static final @Nullable Field PROCESS_DATA = HANDLER == null ? null : field(HANDLER.getType(), "processData");

    private DriverInternals() {}

    static @Nullable Channel channel(PostgreSQLConnection connection) {
        try {
            if (HANDLER == null || CONTEXT == null) {
                return null;
            }
            Object ctx = CONTEXT.get(HANDLER.get(connection));
            return ctx instanceof ChannelHandlerContext c ? c.channel() : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("cannot reach the driver's channel", e);
            return null;
        }
    }

    static @Nullable ProcessData backendKey(PostgreSQLConnection connection) {
        try {
            if (HANDLER == null || PROCESS_DATA == null) {
                return null;
            }
            Object data = PROCESS_DATA.get(HANDLER.get(connection));
            return data instanceof ProcessData p ? p : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("cannot reach the driver's backend key", e);
            return null;
        }
    }

    private static @Nullable Field field(Class<?> type, String name) {
        try {
            Field f = type.getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("jasync field {}.{} is not reachable", type.getName(), name, e);
            return null;
        }
    }
}
