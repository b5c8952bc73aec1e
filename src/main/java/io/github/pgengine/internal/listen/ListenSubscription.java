package io.github.pgengine.internal.listen;

import static io.github.pgengine.internal.runtime.Completions.whenDone;

import io.github.pgengine.ListenEvent;
import io.github.pgengine.ListenEvent.Notification;
import io.github.pgengine.ListenOptions;
import io.github.pgengine.ListenOverflowException;
import io.github.pgengine.internal.errors.ErrorMapper;
import io.github.pgengine.internal.runtime.Completions;
import io.github.pgengine.internal.runtime.Demand;
import io.github.pgengine.internal.runtime.DrainLoop;
import io.github.pgengine.internal.runtime.EngineThreads;
import io.github.pgengine.internal.runtime.EngineTimer;
import io.github.pgengine.internal.wire.DbConnection;
import io.github.pgengine.internal.wire.ServerNotification;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscriber's LISTEN on a dedicated connection: the connection is opened at subscription and LISTENs to every
 * channel in one round trip; notifications go into a bounded {@link ListenBuffer} and out as the subscriber requests
 * them. A lost connection (noticed when the socket closes: the server ended the session, the network or TCP
 * keepalive gave up) is re-opened with capped exponential backoff, for ever until the subscription ends, and once
 * every channel is listened to again a {@code MissedNotifications} marker goes where the gap is.
 *
 * <p>The first connection is not retried: when it cannot be opened, or its LISTEN fails, the subscriber gets the
 * error. Cancelling sends nothing more and closes the connection. The engine closing delivers what is buffered (as
 * demand allows), then completes.
 *
 * <p>Signals reach the subscriber one at a time, on the connection's I/O thread or the thread that called
 * {@link #request(long)}; never on the engine's timer.
 */
final class ListenSubscription implements Flow.Subscription {
    private static final Logger LOG = LoggerFactory.getLogger("io.github.pgengine.connection");
    private static final String SUBSCRIBER_THREW =
            "a listen subscriber's {} threw; the subscription was cancelled and its connection closed "
                    + "(Reactive Streams rule 2.13 forbids throwing from {})";

    private final Flow.Subscriber<? super ListenEvent> subscriber;
    private final ListenOptions options;
    private final List<String> channels;
    private final String listenSql;
    private final Listeners host;
    private final ListenBuffer buffer;
    private final DrainLoop loop = new DrainLoop(() -> {
        if (!this.terminated) {
            deliver();
        }
    });

    // guarded by this
    private long demand;
    private @Nullable DbConnection connection;
    private @Nullable ScheduledFuture<?> retry;
    private boolean listening;
    private boolean gapOpen;
    private Instant lostSince = Instant.EPOCH;
    private String lostBecause = "";
    private long nextDelayNanos;
    private int failedAttempts;
    private boolean cancelled;
    private boolean completing;
    private @Nullable Throwable error;

    // confined to the drain loop
    private boolean terminated;

    ListenSubscription(
            Flow.Subscriber<? super ListenEvent> subscriber,
            ListenOptions options,
            List<String> channels,
            String listenSql,
            Listeners host) {
        this.subscriber = subscriber;
        this.options = options;
        this.channels = channels;
        this.listenSql = listenSql;
        this.host = host;
        this.buffer = new ListenBuffer(options.bufferSize(), options.overflow());
        this.nextDelayNanos = options.reconnectInitialDelay().toNanos();
    }

    void start() {
        attempt();
    }

    /** Returns true once nothing more is to be received: cancelled, failed or completing. */
    private boolean finished() {
        return cancelled || completing || error != null;
    }

    // ---------------------------------------------------------------- the connection

    private void attempt() {
        synchronized (this) {
            retry = null;
            if (finished()) {
                return;
            }
        }
        CompletableFuture<DbConnection> opening = Completions.calling(host::open);
        whenDone(opening, (c, e) -> {
            if (e != null) {
                openFailed(e);
            } else {
                opened(c);
            }
        });
    }

    private void openFailed(Throwable e) {
        boolean first;
        synchronized (this) {
            if (finished()) {
                return;
            }
            first = !listening;
        }
        if (first) {
            fail(ErrorMapper.map(e, host.where()));
        } else {
            retryLater(e);
        }
    }

    private void opened(DbConnection c) {
        boolean wanted;
        synchronized (this) {
            wanted = !finished();
            if (wanted) {
                connection = c;
            }
        }
        if (!wanted) {
            c.close();
            return;
        }
        c.onNotification(n -> received(c, n));
        c.onEnd(reason -> attemptFailed(c, reason));
        whenDone(c.simple(listenSql), (r, e) -> {
            if (e != null) {
                attemptFailed(c, e);
            } else {
                listened(c);
            }
        });
    }

    private void listened(DbConnection c) {
        boolean resumed;
        Duration gap;
        synchronized (this) {
            if (connection != c || finished()) {
                return;
            }
            Instant now = Instant.now();
            resumed = gapOpen;
            gap = Duration.between(lostSince, now);
            closeGap(now);
            listening = true;
            failedAttempts = 0;
            nextDelayNanos = options.reconnectInitialDelay().toNanos();
        }
        if (resumed) {
            LOG.info(
                    "{}: the listener of {} listens again after {} ms without a connection; notifications sent in "
                            + "between were missed (a MissedNotifications event marks the gap)",
                    host.where(),
                    channels,
                    gap.toMillis());
        }
        drain();
    }

    /** Puts the marker of a lost connection in the buffer, once the listener listens again. */
    private void closeGap(Instant now) {
        if (gapOpen) {
            buffer.connectionLost(lostSince, now, lostBecause);
            gapOpen = false;
        }
    }

    /** The connection ended, or its LISTEN failed: the first one fails the subscriber, later ones are retried. */
    private void attemptFailed(DbConnection c, Throwable cause) {
        boolean first;
        synchronized (this) {
            if (connection != c) {
                return;
            }
            connection = null;
            if (finished()) {
                return;
            }
            first = !listening;
            if (!first && !gapOpen) {
                gapOpen = true;
                lostSince = Instant.now();
                lostBecause = String.valueOf(ErrorMapper.unwrap(cause).getMessage());
                LOG.info(
                        "{}: the listener of {} lost its connection ({}); re-opening it",
                        host.where(),
                        channels,
                        lostBecause);
            }
        }
        c.close();
        if (first) {
            fail(ErrorMapper.map(cause, host.where()));
        } else {
            retryLater(cause);
        }
    }

    /** Schedules the next attempt with capped exponential backoff (half of it random); logs the first failure. */
    private void retryLater(Throwable cause) {
        long delay;
        int failures;
        synchronized (this) {
            if (finished()) {
                return;
            }
            failures = failedAttempts++;
            long base = nextDelayNanos;
            nextDelayNanos = Math.min(options.reconnectMaxDelay().toNanos(), base * 2);
            delay = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
            retry = EngineTimer.get().schedule(this::attempt, delay, TimeUnit.NANOSECONDS);
        }
        if (failures == 1) {
            LOG.warn(
                    "{}: cannot re-open the listener's connection: {}; retrying at most every {} ms until it succeeds "
                            + "or the subscription ends",
                    host.where(),
                    ErrorMapper.unwrap(cause).getMessage(),
                    options.reconnectMaxDelay().toMillis());
        } else if (failures > 1) {
            LOG.debug("{}: the listener's connection still cannot be re-opened: {}", host.where(), cause.toString());
        }
    }

    private void received(DbConnection c, ServerNotification n) {
        boolean overflow = false;
        synchronized (this) {
            if (connection != c || finished()) {
                return;
            }
            Instant now = Instant.now();
            closeGap(now);
            if (!buffer.add(new Notification(n.channel(), n.payload(), n.processId()), now)) {
                int undelivered = buffer.notifications();
                buffer.clear();
                error = new ListenOverflowException(
                        "the listener's buffer of " + options.bufferSize() + " notifications (bufferSize) was full "
                                + "and the overflow policy is FAIL: the subscriber did not request notifications of "
                                + channels + " as fast as they came. The subscription has ended, its connection is "
                                + "closed, and the " + undelivered + " buffered notifications were not delivered. "
                                + "Request more, raise bufferSize, or choose DROP_OLDEST or DROP_NEWEST",
                        options.bufferSize());
                overflow = true;
            }
            host.countReceived();
        }
        if (overflow) {
            release();
        }
        drain();
    }

    /** Closes the connection and stops reconnecting; idempotent. */
    private void release() {
        DbConnection c;
        ScheduledFuture<?> r;
        synchronized (this) {
            c = connection;
            connection = null;
            r = retry;
            retry = null;
        }
        if (r != null) {
            r.cancel(false);
        }
        if (c != null) {
            c.close();
        }
    }

    private void fail(Throwable e) {
        synchronized (this) {
            if (error == null && !cancelled) {
                error = e;
            }
        }
        release();
        drain();
    }

    /**
     * The engine is closing: no more notifications; what is buffered is delivered, then onComplete. A connection lost
     * and not yet back is reported first, as a gap that lasted until now.
     */
    void engineClosed() {
        synchronized (this) {
            if (finished()) {
                return;
            }
            completing = true;
            if (gapOpen) {
                lostBecause += " (the engine was closed before the connection was back)";
                closeGap(Instant.now());
            }
        }
        release();
        drain();
    }

    // ---------------------------------------------------------------- the subscriber

    @Override
    public void request(long n) {
        if (n <= 0) {
            fail(Demand.notPositive(n, "events"));
            return;
        }
        synchronized (this) {
            demand = Demand.add(demand, n);
        }
        drain();
    }

    @Override
    public void cancel() {
        synchronized (this) {
            cancelled = true;
            buffer.clear();
        }
        release();
        host.remove(this);
    }

    /** Delivers what it can, serialised: one thread at a time runs the loop, never the engine's timer. */
    private void drain() {
        if (EngineThreads.onEngineThread()) {
            EngineThreads.io().execute(this::drain);
            return;
        }
        loop.run();
    }

    private void deliver() {
        while (true) {
            ListenEvent next = null;
            Throwable failure;
            boolean complete = false;
            synchronized (this) {
                if (cancelled) {
                    terminated = true;
                    return;
                }
                failure = error;
                if (failure == null) {
                    if (demand > 0 && !buffer.isEmpty()) {
                        next = buffer.poll();
                        if (demand != Long.MAX_VALUE) {
                            demand--;
                        }
                    } else if (completing && buffer.isEmpty()) {
                        complete = true;
                    } else {
                        return;
                    }
                } else {
                    buffer.clear();
                }
            }
            if (failure != null) {
                terminated = true;
                host.remove(this);
                Throwable e = failure;
                signal(() -> subscriber.onError(e), "onError");
                return;
            }
            if (complete) {
                terminated = true;
                host.remove(this);
                signal(subscriber::onComplete, "onComplete");
                return;
            }
            ListenEvent event = next;
            if (event != null && !signal(() -> subscriber.onNext(event), "onNext")) {
                terminated = true;
                cancel();
                return;
            }
        }
    }

    /** Calls the subscriber; one that throws breaks rule 2.13, and its subscription ends here. */
    private boolean signal(Runnable call, String what) {
        return DrainLoop.signal(call, what, LOG, SUBSCRIBER_THREW);
    }
}
