package io.github.pgengine.internal.pool;

import static io.github.pgengine.internal.runtime.Completions.whenDone;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import io.github.pgengine.EngineClosedException;
import io.github.pgengine.PoolExhaustedException;
import io.github.pgengine.PoolOptions;
import io.github.pgengine.PoolStats;
import io.github.pgengine.PoolTimeoutException;
import io.github.pgengine.internal.errors.ErrorMapper;
import io.github.pgengine.internal.runtime.Completions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small pool of connections: a LIFO idle stack and a FIFO queue of waiters under one lock.
 *
 * <p>Why not jasync's own pool: its callbacks hop to the common ForkJoinPool (a new thread per callback on a
 * 2-core machine), every take and give-back is a message to an actor coroutine, a cancelled caller leaks
 * its connection, every SQL error destroys the connection, and timeouts are only checked every 5 seconds.
 * Here a connection is handed straight to the next waiter on the thread that released it, cancelled
 * waiters are dropped, and each waiter has its own exact timeout. See docs/pool.md.
 *
 * <p>Invariants, under {@code lock}: {@code total} counts open and opening connections ({@code opening} of them
 * are being opened); {@code inUse} counts connections lent out or being handed to a waiter; every lent connection
 * is in {@code lent} exactly once; {@code idle} holds the rest. A connection is taken back only if it is in
 * {@code lent}, so a second release of the same connection cannot corrupt the counters: it is logged and ignored.
 * The queue of {@code waiters}, guarded by the same lock, states its own invariants (deadline order, one expiry
 * task, what {@code maxWaiters} bounds) in {@link Waiters}; each connection's notes (expiry, last use, where it was
 * borrowed), guarded by it too, are in {@link Slot}. Generic over the connection type so that its life cycle can be
 * checked without a database.
 *
 * @param <C> the connection type
 */
public final class ConnectionPool<C> {
    private static final Logger LOG = LoggerFactory.getLogger("io.github.pgengine.pool");

    private final String name;
    private final PoolOptions options;
    private final Connections<C> connections;
    private final ScheduledExecutorService timer;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Slot<C>> idle = new ArrayDeque<>();
    private final Waiters<C> waiters;
    private final IdentityHashMap<C, Slot<C>> lent = new IdentityHashMap<>();
    private final ScheduledFuture<?> housekeeping;
    private int total;
    private int opening;
    private int inUse;
    private boolean closed;
    /** Completes once the pool is closed and its last connection too (total reaches 0); null while open. */
    private @Nullable CompletableFuture<@Nullable Void> drained;

    /**
     * Creates the pool; it opens connections only when asked ({@link #warmUp()} opens {@code minIdle}).
     *
     * @param name for logs and messages
     * @param options sizes and timeouts
     * @param connections opens, checks and closes connections
     * @param timer runs the pool's timeouts and housekeeping; tasks are short
     */
    public ConnectionPool(
            String name, PoolOptions options, Connections<C> connections, ScheduledExecutorService timer) {
        this.name = name;
        this.options = options;
        this.connections = connections;
        this.timer = timer;
        this.waiters = new Waiters<>(name, options, timer, lock, () -> closed, this::statsLocked);
        long period = Math.max(1_000, Math.min(30_000, options.idleTimeout().toMillis() / 2));
        this.housekeeping = timer.scheduleWithFixedDelay(this::housekeep, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Opens {@code minIdle} connections.
     *
     * @return completes when they are open; fails with the first connection error
     */
    public CompletableFuture<@Nullable Void> warmUp() {
        List<CompletableFuture<C>> started = new ArrayList<>();
        lock.lock();
        try {
            while (total < options.minIdle()) {
                total++;
                opening++;
                started.add(openInto());
            }
        } finally {
            lock.unlock();
        }
        return CompletableFuture.allOf(started.toArray(new CompletableFuture<?>[0]))
                .thenApply(v -> null);
    }

    /**
     * Lends a connection. The returned future may be cancelled: a waiter that is gone is skipped, and a
     * connection that arrives for it goes to the next waiter or back to the idle stack.
     *
     * @return the connection; fails with {@link PoolTimeoutException}, {@link PoolExhaustedException} or
     *     {@link EngineClosedException}
     */
    public CompletableFuture<C> acquire() {
        List<Slot<C>> stale = null;
        Waiters.Waiter<C> waiter;
        boolean open = false;
        Slot<C> ready = null;
        lock.lock();
        try {
            if (closed) {
                return CompletableFuture.failedFuture(
                        new EngineClosedException("the connection pool of " + name + " is closed", null));
            }
            long now = System.nanoTime();
            Slot<C> s;
            while ((s = idle.pollFirst()) != null) {
                if (now < s.expiresAt && connections.isUsable(s.connection)) {
                    inUse++;
                    lent.put(s.connection, s);
                    ready = s;
                    break;
                }
                total--;
                if (stale == null) {
                    stale = new ArrayList<>();
                }
                stale.add(s);
            }
            if (ready != null) {
                waiter = null;
            } else {
                boolean canOpen = total < options.maxSize();
                if (!canOpen && waiters.isFull(opening)) {
                    return CompletableFuture.failedFuture(waiters.exhausted());
                }
                waiter = waiters.add(now);
                if (canOpen) {
                    total++;
                    opening++;
                    open = true;
                }
            }
        } finally {
            lock.unlock();
            if (stale != null) {
                stale.forEach(x -> connections.close(x.connection));
            }
        }
        if (ready != null) {
            return lend(ready);
        }
        Waiters.Waiter<C> w = Objects.requireNonNull(waiter, "a caller without a connection waits");
        waiters.dropWhenCancelled(w);
        if (open) {
            openInto();
        }
        return w.future;
    }

    /**
     * Takes a connection back. A connection that is not usable (broken, expired, still running, inside a
     * transaction) is closed and, when callers wait, replaced. A connection that is not lent out is ignored.
     *
     * @param c the connection lent by {@link #acquire()}
     */
    public void release(C c) {
        boolean usable;
        Slot<C> slot;
        boolean open = false;
        lock.lock();
        try {
            slot = lent.remove(c);
            if (slot == null) {
                LOG.error(
                        "{}: {} was given back but is not lent out (a second release?); ignored",
                        name,
                        c,
                        new IllegalStateException("released here"));
                return;
            }
            slot.borrowedAt = null;
            usable = System.nanoTime() < slot.expiresAt && connections.isUsable(c);
            if (usable) {
                slot.lastUsed = System.nanoTime();
            } else {
                inUse--;
                total--;
                if (!closed && !waiters.isEmpty() && total < options.maxSize()) {
                    total++;
                    opening++;
                    open = true;
                }
            }
        } finally {
            lock.unlock();
        }
        if (usable) {
            offer(slot);
            return;
        }
        LOG.debug("{}: closing {} (not reusable)", name, c);
        connections.close(c);
        if (open) {
            openInto();
        }
        noteDrained();
    }

    /** Returns how long a caller waits for a connection at most. */
    public java.time.Duration acquireTimeout() {
        return options.acquireTimeout();
    }

    /** Returns the counters now. */
    public PoolStats stats() {
        lock.lock();
        try {
            return statsLocked();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes idle connections at once and the others when they come back; waiters fail.
     *
     * @return completes when the idle connections are closed
     */
    @CanIgnoreReturnValue
    public CompletableFuture<@Nullable Void> close() {
        List<Slot<C>> toClose;
        List<Waiters.Waiter<C>> toFail;
        ScheduledFuture<?> waiterTimer;
        lock.lock();
        try {
            if (closed) {
                return CompletableFuture.completedFuture(null);
            }
            closed = true;
            drained = new CompletableFuture<>();
            toClose = new ArrayList<>(idle);
            total -= idle.size();
            idle.clear();
            toFail = waiters.takeAll();
            waiterTimer = waiters.disarm();
        } finally {
            lock.unlock();
        }
        housekeeping.cancel(false);
        waiters.failClosed(toFail, waiterTimer);
        CompletableFuture<@Nullable Void> idleClosed = CompletableFuture.allOf(toClose.stream()
                        .map(s -> connections.close(s.connection))
                        .toArray(CompletableFuture<?>[]::new))
                .thenApply(v -> null);
        noteDrained();
        return idleClosed;
    }

    /**
     * Closes the pool gracefully: as {@link #close()} (no new lending, waiters fail, idle connections close), then
     * connections still lent out may finish their work within {@code grace} and close when they come back; those
     * still out after it are aborted ({@link Connections#abort}).
     *
     * @param grace how long lent connections may keep working
     * @return completes when every connection is closed, or when the aborts after the grace are over; never fails
     */
    public CompletableFuture<@Nullable Void> close(java.time.Duration grace) {
        CompletableFuture<@Nullable Void> idleClosed = close();
        CompletableFuture<@Nullable Void> all;
        lock.lock();
        try {
            all = Objects.requireNonNull(drained, "a closed pool has a drained future");
        } finally {
            lock.unlock();
        }
        CompletableFuture<@Nullable Void> out = new CompletableFuture<>();
        whenDone(idleClosed.thenCombine(all, (a, b) -> (Void) null), (v, e) -> out.complete(null));
        if (!out.isDone()) {
            ScheduledFuture<?> abort = timer.schedule(
                    () -> whenDone(abortLent(), (v, e) -> out.complete(null)),
                    Math.max(0, grace.toNanos()),
                    TimeUnit.NANOSECONDS);
            whenDone(out, (v, e) -> abort.cancel(false));
        }
        return out;
    }

    /** Aborts every connection still lent out. */
    private CompletableFuture<@Nullable Void> abortLent() {
        List<C> out;
        lock.lock();
        try {
            out = new ArrayList<>(lent.keySet());
        } finally {
            lock.unlock();
        }
        if (!out.isEmpty()) {
            LOG.warn(
                    "{}: {} connection(s) still at work when the close's grace ran out: cancelling and closing them",
                    name,
                    out.size());
        }
        return CompletableFuture.allOf(out.stream().map(connections::abort).toArray(CompletableFuture<?>[]::new))
                .thenApply(v -> null);
    }

    /** Completes {@link #drained} when the pool is closed and holds no connection any more. */
    private void noteDrained() {
        CompletableFuture<@Nullable Void> done = null;
        lock.lock();
        try {
            if (closed && total == 0) {
                done = drained;
            }
        } finally {
            lock.unlock();
        }
        if (done != null) {
            done.complete(null);
        }
    }

    private CompletableFuture<C> lend(Slot<C> s) {
        if (options.leakDetectionThreshold() != null) {
            Throwable stack = new Throwable("connection borrowed here");
            s.borrowedAt = stack;
            s.watchForLeak(stack, options.leakDetectionThreshold(), timer, name);
        }
        return CompletableFuture.completedFuture(s.connection);
    }

    /** Hands a connection counted in {@code inUse} (and not in {@code lent}) to the first live waiter, or to idle. */
    private void offer(Slot<C> s) {
        while (true) {
            Waiters.Waiter<C> w;
            boolean closeIt = false;
            Throwable stack =
                    options.leakDetectionThreshold() != null ? new Throwable("connection borrowed here") : null;
            lock.lock();
            try {
                w = waiters.pollFirst();
                if (w == null) {
                    inUse--;
                    if (closed) {
                        total--;
                        closeIt = true;
                    } else {
                        idle.addFirst(s);
                    }
                } else {
                    lent.put(s.connection, s);
                    s.borrowedAt = stack;
                }
            } finally {
                lock.unlock();
            }
            if (w == null) {
                if (closeIt) {
                    connections.close(s.connection);
                    noteDrained();
                }
                return;
            }
            if (w.future.complete(s.connection)) {
                if (stack != null) {
                    s.watchForLeak(stack, options.leakDetectionThreshold(), timer, name);
                }
                return;
            }
            lock.lock();
            try {
                lent.remove(s.connection);
                s.borrowedAt = null;
            } finally {
                lock.unlock();
            }
        }
    }

    /** Opens one connection already counted in {@code total} and {@code opening}, and offers it. */
    @CanIgnoreReturnValue
    private CompletableFuture<C> openInto() {
        CompletableFuture<C> connecting = Completions.calling(connections::open);
        return connecting.whenComplete((c, e) -> {
            if (e != null) {
                onOpenFailed(e);
                return;
            }
            Slot<C> s = Slot.opened(c, options.maxLifetime());
            LOG.debug("{}: opened {}", name, c);
            lock.lock();
            try {
                opening--;
                inUse++;
            } finally {
                lock.unlock();
            }
            offer(s);
        });
    }

    /** A failed open fails the oldest waiter with the reason, and tries again for the others. */
    private void onOpenFailed(Throwable e) {
        Waiters.Waiter<C> w;
        boolean retry = false;
        lock.lock();
        try {
            total--;
            opening--;
            waiters.noteConnectError(e);
            w = waiters.pollFirst();
            if (w != null && !closed && !waiters.isEmpty() && total < options.maxSize()) {
                total++;
                opening++;
                retry = true;
            }
        } finally {
            lock.unlock();
        }
        LOG.debug("{}: cannot open a connection: {}", name, e.toString());
        if (w != null) {
            w.future.completeExceptionally(ErrorMapper.unwrap(e));
        }
        if (retry) {
            openInto();
        }
        noteDrained();
    }

    /** Runs {@link #housekeepOnce()}; an exception is logged and housekeeping goes on at the next tick. */
    private void housekeep() {
        try {
            housekeepOnce();
        } catch (RuntimeException | Error e) {
            LOG.warn("{}: housekeeping failed; it runs again at the next tick", name, e);
        }
    }

    /** Closes idle connections past idleTimeout (above minIdle) or maxLifetime, and tops up minIdle. */
    void housekeepOnce() {
        List<Slot<C>> toClose = new ArrayList<>();
        int toOpen = 0;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            long now = System.nanoTime();
            long idleLimit = options.idleTimeout().toNanos();
            Iterator<Slot<C>> it = idle.descendingIterator();
            while (it.hasNext()) {
                Slot<C> s = it.next();
                boolean surplus = total - toClose.size() > options.minIdle() && now - s.lastUsed > idleLimit;
                if (now >= s.expiresAt || surplus || !connections.isUsable(s.connection)) {
                    it.remove();
                    toClose.add(s);
                }
            }
            total -= toClose.size();
            while (total < options.minIdle()) {
                total++;
                opening++;
                toOpen++;
            }
        } finally {
            lock.unlock();
        }
        toClose.forEach(s -> connections.close(s.connection));
        for (int i = 0; i < toOpen; i++) {
            openInto();
        }
    }

    private PoolStats statsLocked() {
        return new PoolStats(total, idle.size(), inUse, waiters.size(), options.maxSize());
    }
}
