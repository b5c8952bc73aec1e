package io.github.pgengine.internal;

import io.github.pgengine.EngineClosedException;
import io.github.pgengine.PoolExhaustedException;
import io.github.pgengine.PoolOptions;
import io.github.pgengine.PoolStats;
import io.github.pgengine.PoolTimeoutException;
import java.util.ArrayDeque;
import io.github.pgengine.internal.driver.DbConnection;
import io.github.pgengine.internal.driver.EngineTimer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small pool of {@link DbConnection}s: a LIFO idle stack and a FIFO queue of waiters under one lock.
 *
 * <p>Why not jasync's own pool: its callbacks hop to the common ForkJoinPool (a new thread per callback on a
 * 2-core machine), every take and give-back is a message to an actor coroutine, a cancelled caller leaks
 * its connection, every SQL error destroys the connection, and timeouts are only checked every 5 seconds.
 * Here a connection is handed straight to the next waiter on the thread that released it, cancelled
 * waiters are dropped, and each waiter has its own exact timeout. See docs/pool.md.
 *
 * <p>Invariants, under {@code lock}: {@code total} counts open and opening connections ({@code opening} of them
 * are being opened); {@code inUse} counts connections lent out (and those being handed to a waiter), each of which
 * is in {@code lent} exactly once; {@code idle} holds the rest. A connection is taken back only if it is in
 * {@code lent}, so a second release of the same connection cannot corrupt the counters: it is logged and ignored.
 * {@code maxWaiters} bounds the callers that wait for a connection to come back, not those for whom one is being
 * opened.
 */
public final class ConnectionPool {
    private static final Logger LOG = LoggerFactory.getLogger("io.github.pgengine.pool");

    private final String name;
    private final PoolOptions options;
    private final Supplier<CompletableFuture<DbConnection>> factory;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<DbConnection> idle = new ArrayDeque<>();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private final IdentityHashMap<DbConnection, Boolean> lent = new IdentityHashMap<>();
    private final ScheduledFuture<?> housekeeping;
    private int total;
    private int opening;
    private int inUse;
    private boolean closed;
    private @Nullable Throwable lastConnectError;

    /** A caller waiting for a connection; all waiters share the acquire timeout, so the queue is in deadline order. */
    private static final class Waiter {
        final CompletableFuture<DbConnection> future = new CompletableFuture<>();
        final long deadline;

        Waiter(long deadline) {
            this.deadline = deadline;
        }
    }

    /** The one timer task that expires waiters, armed for the oldest waiter's deadline; null when none runs. */
    private @Nullable ScheduledFuture<?> expiry;

    /**
     * Creates the pool; it opens connections only when asked ({@link #warmUp()} opens {@code minIdle}).
     *
     * @param name for logs and messages
     * @param options sizes and timeouts
     * @param factory opens one connection
     */
    public ConnectionPool(String name, PoolOptions options, Supplier<CompletableFuture<DbConnection>> factory) {
        this.name = name;
        this.options = options;
        this.factory = factory;
        long period = Math.max(1_000, Math.min(30_000, options.idleTimeout().toMillis() / 2));
        this.housekeeping = EngineTimer.get().scheduleWithFixedDelay(this::housekeep, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Opens {@code minIdle} connections.
     *
     * @return completes when they are open; fails with the first connection error
     */
    public CompletableFuture<Void> warmUp() {
        List<CompletableFuture<DbConnection>> opening = new ArrayList<>();
        lock.lock();
        try {
            while (total < options.minIdle()) {
                total++;
                this.opening++;
                opening.add(openInto());
            }
        } finally {
            lock.unlock();
        }
        return CompletableFuture.allOf(opening.toArray(new CompletableFuture<?>[0]));
    }

    /**
     * Lends a connection. The returned future may be cancelled: a waiter that is gone is skipped, and a
     * connection that arrives for it goes to the next waiter or back to the idle stack.
     *
     * @return the connection; fails with {@link PoolTimeoutException}, {@link PoolExhaustedException} or
     *     {@link EngineClosedException}
     */
    public CompletableFuture<DbConnection> acquire() {
        List<DbConnection> stale = null;
        Waiter waiter;
        boolean open = false;
        lock.lock();
        try {
            if (closed) {
                return CompletableFuture.failedFuture(new EngineClosedException("the connection pool of " + name
                        + " is closed", null));
            }
            long now = System.nanoTime();
            DbConnection c;
            while ((c = idle.pollFirst()) != null) {
                if (c.isUsable() && now < c.expiresAtNanos()) {
                    inUse++;
                    lent.put(c, Boolean.TRUE);
                    return lend(c);
                }
                total--;
                if (stale == null) {
                    stale = new ArrayList<>();
                }
                stale.add(c);
            }
            boolean canOpen = total < options.maxSize();
            if (!canOpen && waiters.size() - opening >= options.maxWaiters()) {
                PoolStats stats = statsLocked();
                return CompletableFuture.failedFuture(new PoolExhaustedException("the connection pool of " + name
                        + " already has " + options.maxWaiters() + " waiting callers (maxWaiters); " + stats, stats));
            }
            waiter = new Waiter(now + options.acquireTimeout().toNanos());
            waiters.addLast(waiter);
            if (expiry == null) {
                expiry = EngineTimer.get().schedule(this::expireWaiters, options.acquireTimeout().toNanos(),
                        TimeUnit.NANOSECONDS);
            }
            if (canOpen) {
                total++;
                opening++;
                open = true;
            }
        } finally {
            lock.unlock();
            if (stale != null) {
                stale.forEach(DbConnection::close);
            }
        }
        Waiter w = waiter;
        w.future.whenComplete((c, e) -> {
            if (w.future.isCancelled()) {
                remove(w);
            }
        });
        if (open) {
            openInto();
        }
        return w.future;
    }

    /**
     * Takes a connection back. A connection that is not usable (broken, expired, still running) is closed and,
     * when callers wait, replaced.
     *
     * @param c the connection lent by {@link #acquire()}
     */
    public void release(DbConnection c) {
        boolean usable = c.isUsable() && System.nanoTime() < c.expiresAtNanos();
        boolean open = false;
        lock.lock();
        try {
            if (lent.remove(c) == null) {
                LOG.error("{}: {} was given back but is not lent out (a second release?); ignored", name, c,
                        new IllegalStateException("released here"));
                return;
            }
            c.borrowedAt(null);
            if (usable) {
                c.lastUsedNanos(System.nanoTime());
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
            offer(c);
            return;
        }
        LOG.debug("{}: closing {} (not reusable)", name, c);
        c.close();
        if (open) {
            openInto();
        }
    }

    /** @return the counters now */
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
    public CompletableFuture<Void> close() {
        List<DbConnection> toClose;
        List<Waiter> toFail;
        lock.lock();
        try {
            if (closed) {
                return CompletableFuture.completedFuture(null);
            }
            closed = true;
            toClose = new ArrayList<>(idle);
            total -= idle.size();
            idle.clear();
            toFail = new ArrayList<>(waiters);
            waiters.clear();
        } finally {
            lock.unlock();
        }
        housekeeping.cancel(false);
        ScheduledFuture<?> timer;
        lock.lock();
        try {
            timer = expiry;
            expiry = null;
        } finally {
            lock.unlock();
        }
        if (timer != null) {
            timer.cancel(false);
        }
        for (Waiter w : toFail) {
            w.future.completeExceptionally(new EngineClosedException("the connection pool of " + name
                    + " was closed while waiting for a connection", null));
        }
        return CompletableFuture.allOf(toClose.stream().map(DbConnection::close).toArray(CompletableFuture<?>[]::new));
    }

    private CompletableFuture<DbConnection> lend(DbConnection c) {
        if (options.leakDetectionThreshold() != null) {
            c.borrowedAt(new Throwable("connection borrowed here"));
            watchForLeak(c, c.borrowedAt());
        }
        return CompletableFuture.completedFuture(c);
    }

    /** Hands a connection counted in {@code inUse} (and not in {@code lent}) to the first live waiter, or to idle. */
    private void offer(DbConnection c) {
        while (true) {
            Waiter w;
            boolean closeIt = false;
            lock.lock();
            try {
                w = waiters.pollFirst();
                if (w == null) {
                    inUse--;
                    if (closed) {
                        total--;
                        closeIt = true;
                    } else {
                        idle.addFirst(c);
                    }
                } else {
                    lent.put(c, Boolean.TRUE);
                }
            } finally {
                lock.unlock();
            }
            if (w == null) {
                if (closeIt) {
                    c.close();
                }
                return;
            }
            if (options.leakDetectionThreshold() != null) {
                c.borrowedAt(new Throwable("connection borrowed here"));
            }
            if (w.future.complete(c)) {
                if (c.borrowedAt() != null) {
                    watchForLeak(c, c.borrowedAt());
                }
                return;
            }
            lock.lock();
            try {
                lent.remove(c);
            } finally {
                lock.unlock();
            }
        }
    }

    /** Opens one connection already counted in {@code total} and offers it. */
    private CompletableFuture<DbConnection> openInto() {
        CompletableFuture<DbConnection> connecting;
        try {
            connecting = factory.get();
        } catch (RuntimeException e) {
            connecting = CompletableFuture.failedFuture(e);
        }
        return connecting.whenComplete((c, e) -> {
            if (e != null) {
                onOpenFailed(e);
                return;
            }
            long lifetime = options.maxLifetime().toNanos();
            long jitter = (long) (lifetime * 0.025 * ThreadLocalRandom.current().nextDouble());
            c.expiresAtNanos(System.nanoTime() + lifetime - jitter);
            LOG.debug("{}: opened {}", name, c);
            lock.lock();
            try {
                this.opening--;
                inUse++;
            } finally {
                lock.unlock();
            }
            offer(c);
        });
    }

    /** A failed open fails the oldest waiter with the reason, and tries again for the others. */
    private void onOpenFailed(Throwable e) {
        Waiter w;
        boolean retry = false;
        lock.lock();
        try {
            total--;
            opening--;
            lastConnectError = e;
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
    }

    /** Fails the waiters whose deadline has passed (they are at the head of the queue) and re-arms for the next. */
    private void expireWaiters() {
        List<Waiter> expired = new ArrayList<>();
        PoolStats stats;
        Throwable cause;
        lock.lock();
        try {
            long now = System.nanoTime();
            Waiter head;
            while ((head = waiters.peekFirst()) != null && (head.deadline - now <= 0 || head.future.isDone())) {
                waiters.pollFirst();
                if (!head.future.isDone()) {
                    expired.add(head);
                }
            }
            expiry = head == null ? null
                    : EngineTimer.get().schedule(this::expireWaiters, head.deadline - now, TimeUnit.NANOSECONDS);
            stats = statsLocked();
            cause = lastConnectError;
        } finally {
            lock.unlock();
        }
        for (Waiter w : expired) {
            w.future.completeExceptionally(new PoolTimeoutException("no connection of " + name + " became free within "
                    + options.acquireTimeout().toMillis() + " ms (acquireTimeout); " + stats, stats, cause));
        }
    }

    private void remove(Waiter w) {
        lock.lock();
        try {
            waiters.remove(w);
        } finally {
            lock.unlock();
        }
    }

    private void watchForLeak(DbConnection c, @Nullable Throwable borrowed) {
        if (borrowed == null || options.leakDetectionThreshold() == null) {
            return;
        }
        EngineTimer.get().schedule(() -> {
            if (c.borrowedAt() == borrowed) {
                LOG.warn("{}: {} has been held for more than {} ms (leakDetectionThreshold); it was borrowed here:",
                        name, c, options.leakDetectionThreshold().toMillis(), borrowed);
            }
        }, options.leakDetectionThreshold().toMillis(), TimeUnit.MILLISECONDS);
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
    private void housekeepOnce() {
        List<DbConnection> toClose = new ArrayList<>();
        int toOpen = 0;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            long now = System.nanoTime();
            long idleLimit = options.idleTimeout().toNanos();
            Iterator<DbConnection> it = idle.descendingIterator();
            while (it.hasNext()) {
                DbConnection c = it.next();
                boolean surplus = total - toClose.size() > options.minIdle() && now - c.lastUsedNanos() > idleLimit;
                if (!c.isUsable() || now >= c.expiresAtNanos() || surplus) {
                    it.remove();
                    toClose.add(c);
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
        toClose.forEach(DbConnection::close);
        for (int i = 0; i < toOpen; i++) {
            openInto();
        }
    }

    private PoolStats statsLocked() {
        return new PoolStats(total, idle.size(), inUse, waiters.size(), options.maxSize());
    }
}
