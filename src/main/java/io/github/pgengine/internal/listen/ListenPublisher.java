package io.github.pgengine.internal.listen;

import io.github.pgengine.ListenEvent;
import io.github.pgengine.ListenOptions;
import io.github.pgengine.internal.sql.Identifiers;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Flow;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cold publisher of notifications: each subscriber gets a {@link ListenSubscription} on a connection of its own.
 * Bad arguments (a channel name that is not allowed, no options) and a closed engine fail the subscriber before any
 * connection is opened.
 */
final class ListenPublisher implements Flow.Publisher<ListenEvent> {
    private static final Logger LOG = LoggerFactory.getLogger("io.github.pgengine.connection");

    private final Listeners host;
    private final @Nullable ListenOptions options;
    private final List<@Nullable String> channels;

    ListenPublisher(Listeners host, @Nullable ListenOptions options, List<? extends @Nullable String> channels) {
        this.host = host;
        this.options = options;
        this.channels = new ArrayList<>(channels);
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ListenEvent> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        ListenOptions checkedOptions;
        String sql;
        List<String> names;
        try {
            checkedOptions = Objects.requireNonNull(options, "options must not be null");
            Set<String> unique = new LinkedHashSet<>();
            StringBuilder listen = new StringBuilder();
            for (String channel : channels) {
                if (channel == null) {
                    throw new IllegalArgumentException("channel name must not be null");
                }
                String quoted = Identifiers.channelName(channel);
                if (unique.add(channel)) {
                    listen.append(listen.length() == 0 ? "" : "; ")
                            .append("LISTEN ")
                            .append(quoted);
                }
            }
            if (unique.isEmpty()) {
                throw new IllegalArgumentException("listen needs at least one channel name");
            }
            if (host.isClosed()) {
                throw host.closedError();
            }
            sql = listen.toString();
            names = List.copyOf(unique);
        } catch (RuntimeException e) {
            refuse(subscriber, e);
            return;
        }
        ListenSubscription s = new ListenSubscription(subscriber, checkedOptions, names, sql, host);
        host.add(s);
        try {
            subscriber.onSubscribe(s);
        } catch (RuntimeException e) {
            LOG.warn(
                    "a listen subscriber's onSubscribe threw; the subscription is cancelled (Reactive Streams rule "
                            + "2.13)",
                    e);
            s.cancel();
            return;
        }
        s.start();
        if (host.isClosed()) {
            s.engineClosed();
        }
    }

    static void refuse(Flow.Subscriber<? super ListenEvent> subscriber, RuntimeException e) {
        try {
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {}

                @Override
                public void cancel() {}
            });
            subscriber.onError(e);
        } catch (RuntimeException thrown) {
            LOG.warn("a listen subscriber threw from onSubscribe or onError (Reactive Streams rule 2.13)", thrown);
        }
    }
}
