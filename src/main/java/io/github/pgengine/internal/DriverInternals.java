package io.github.pgengine.internal;

import com.github.jasync.sql.db.postgresql.PostgreSQLConnection;
import com.github.jasync.sql.db.postgresql.messages.backend.NoticeMessage;
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
    private static final Logger NOTICES = LoggerFactory.getLogger("io.github.pgengine.notice");
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

    /**
     * Logs the server's notices and warnings on {@code io.github.pgengine.notice} (jasync only logs them at INFO on
     * its own logger): WARNING severity at WARN, everything else at INFO.
     *
     * @param connection the driver connection
     * @param channel its channel
     * @param where the connection's description for the log line
     */
    static void logNotices(PostgreSQLConnection connection, Channel channel, String where) {
        try {
            if (HANDLER == null) {
                return;
            }
            Object handler = HANDLER.get(connection);
            ChannelHandlerContext ctx = channel.pipeline().context((io.netty.channel.ChannelHandler) handler);
            if (ctx == null) {
                return;
            }
            channel.pipeline().addBefore(ctx.name(), "pgengine-notices", new io.netty.channel.ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext c, Object msg) {
                    if (msg instanceof NoticeMessage notice) {
                        java.util.Map<Character, String> f = notice.getFields();
                        String severity = f.getOrDefault('V', f.getOrDefault('S', "NOTICE"));
                        String text = severity + " " + f.getOrDefault('C', "") + ": " + f.getOrDefault('M', "")
                                + (f.containsKey('H') ? " (hint: " + f.get('H') + ")" : "");
                        if ("WARNING".equals(severity)) {
                            NOTICES.warn("{}: {}", where, text);
                        } else {
                            NOTICES.info("{}: {}", where, text);
                        }
                    }
                    c.fireChannelRead(msg);
                }
            });
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("cannot watch the driver's notices", e);
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
