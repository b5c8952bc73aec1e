package io.github.pgengine.internal.listen;

import io.github.pgengine.EngineClosedException;
import io.github.pgengine.ListenEvent;
import io.github.pgengine.ListenOptions;
import io.github.pgengine.internal.wire.DbConnection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * An engine's listen subscriptions: where their dedicated connections come from (never the pool), and their end
 * when the engine closes.
 */
public final class Listeners {
    private final Supplier<CompletableFuture<DbConnection>> open;
    private final String where;
    private final Supplier<EngineClosedException> closedError;
    private final Set<ListenSubscription> active = ConcurrentHashMap.newKeySet();
    private final AtomicLong received = new AtomicLong();
    private volatile boolean closed;

    /**
     * @param open opens one dedicated connection with the engine's settings
     * @param where the server, for messages ({@code user@host:port/db})
     * @param closedError the error for subscriptions made after the engine closed
     */
    public Listeners(
            Supplier<CompletableFuture<DbConnection>> open, String where, Supplier<EngineClosedException> closedError) {
        this.open = open;
        this.where = where;
        this.closedError = closedError;
    }

    /**
     * Returns a cold publisher: each subscription listens on its own connection.
     *
     * @param options buffering, overflow and reconnect settings (checked at subscription)
     * @param channels the channel names (checked at subscription)
     * @return the publisher
     */
    public Flow.Publisher<ListenEvent> publisher(
            @Nullable ListenOptions options, List<? extends @Nullable String> channels) {
        return new ListenPublisher(this, options, channels);
    }

    /**
     * Returns a publisher that fails every subscriber with the given error, opening nothing.
     *
     * @param error makes the error
     * @return the publisher
     */
    public static Flow.Publisher<ListenEvent> refusing(Supplier<? extends RuntimeException> error) {
        return subscriber -> ListenPublisher.refuse(subscriber, error.get());
    }

    /** Ends every subscription: each delivers what it holds as demand allows, then completes. */
    public void closeAll() {
        closed = true;
        for (ListenSubscription s : active) {
            s.engineClosed();
        }
    }

    /**
     * Returns how many notifications reached a subscription's buffer (including those its overflow policy then
     * dropped), over the engine's life: for diagnostics, and for tests that must know a notification has arrived
     * before they request it.
     */
    public long notificationsReceived() {
        return received.get();
    }

    /** Returns how many subscriptions are active. */
    public int active() {
        return active.size();
    }

    void countReceived() {
        received.incrementAndGet();
    }

    boolean isClosed() {
        return closed;
    }

    EngineClosedException closedError() {
        return closedError.get();
    }

    CompletableFuture<DbConnection> open() {
        return open.get();
    }

    String where() {
        return where;
    }

    void add(ListenSubscription s) {
        active.add(s);
    }

    void remove(ListenSubscription s) {
        active.remove(s);
    }
}
