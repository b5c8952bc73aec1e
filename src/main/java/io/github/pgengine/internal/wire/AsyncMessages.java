package io.github.pgengine.internal.wire;

import io.netty.buffer.ByteBuf;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The messages the server may send at any time, between or within answers, that belong to no request: notices
 * (logged, and shown to a listener) and notifications (NOTIFY, handed to a listener). Also reads the fields of an
 * ErrorResponse, which share the notices' layout.
 */
final class AsyncMessages {
    private static final Logger LOG = LoggerFactory.getLogger("io.github.pgengine.connection");
    private static final Logger NOTICES = LoggerFactory.getLogger("io.github.pgengine.notice");

    private final String where;
    private volatile @Nullable Consumer<ServerError> notices;
    private volatile @Nullable Consumer<ServerNotification> notifications;

    /** @param where the connection's description, for the log */
    AsyncMessages(String where) {
        this.where = where;
    }

    /** @param listener sees every NoticeResponse (besides the log), on the event loop */
    void onNotice(@Nullable Consumer<ServerError> listener) {
        this.notices = listener;
    }

    /** @param listener sees every NotificationResponse, on the event loop (must not throw); without one they are logged at DEBUG */
    void onNotification(@Nullable Consumer<ServerNotification> listener) {
        this.notifications = listener;
    }

    /** A NoticeResponse: logged (WARNING at WARN, the rest at INFO) and shown to the listener. */
    void notice(ByteBuf body) {
        ServerError n = fields(body);
        Map<Character, String> f = n.fields();
        String text = n.severity() + " " + f.getOrDefault('C', "") + ": " + n.message()
                + (f.containsKey('H') ? " (hint: " + f.get('H') + ")" : "");
        if ("WARNING".equals(n.severity())) {
            NOTICES.warn("{}: {}", where, text);
        } else {
            NOTICES.info("{}: {}", where, text);
        }
        Consumer<ServerError> listener = notices;
        if (listener != null) {
            listener.accept(n);
        }
    }

    /** A NotificationResponse: handed to the listener, or logged at DEBUG and dropped. */
    void notification(ByteBuf body) {
        int processId = body.readInt();
        String channel = Exchange.cstring(body);
        String payload = Exchange.cstring(body);
        Consumer<ServerNotification> listener = notifications;
        if (listener != null) {
            listener.accept(new ServerNotification(processId, channel, payload));
        } else {
            LOG.debug("{}: notification on channel {} ignored", where, channel);
        }
    }

    /** Reads the fields of an ErrorResponse or NoticeResponse. */
    static ServerError fields(ByteBuf body) {
        Map<Character, String> fields = new HashMap<>();
        while (body.isReadable()) {
            byte code = body.readByte();
            if (code == 0) {
                break;
            }
            fields.put((char) code, Exchange.cstring(body));
        }
        return new ServerError(Map.copyOf(fields));
    }
}
