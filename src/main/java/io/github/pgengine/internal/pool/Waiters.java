package io.github.pgengine.internal.pool;

import static io.github.pgengine.internal.runtime.Completions.whenDone;

import io.github.pgengine.EngineClosedException;
import io.github.pgengine.PoolExhaustedException;
import io.github.pgengine.PoolOptions;
import io.github.pgengine.PoolStats;
import io.github.pgengine.PoolTimeoutException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The callers of a {@link ConnectionPool} waiting for a connection, oldest first, and the one timer task that fails
 * them at their deadline (acquireTimeout).
 *
 * <p>Invariants, under the pool's {@code lock} (which this class shares and never replaces): all waiters share the
 * acquire timeout, so {@code queue} is in deadline order and only its head needs timing; {@code expiry} is the one
 * timer task that expires waiters, armed for the oldest waiter's deadline, null when none runs; {@code maxWaiters}
 * bounds the callers that wait for a connection to come back, not those for whom one is being opened. Methods expect
 * the caller to hold the lock unless their documentation says otherwise.
 *
 * @param <C> the connection type
 */
final class Waiters<C> {
    /** A caller waiting for a connection; all waiters share the acquire timeout, so the queue is in deadline order. */
    static final class Waiter<C> {
        final CompletableFuture<C> future = new CompletableFuture<>();
        final long deadline;

        Waiter(long deadline) {
            this.deadline = deadline;
        }
    }

    private final String name;
    private final PoolOptions options;
    private final ScheduledExecutorService timer;
    private final ReentrantLock lock;
    private final BooleanSupplier closed;
    private final Supplier<PoolStats> statsLocked;
    private final ArrayDeque<Waiter<C>> queue = new ArrayDeque<>();

    private @Nullable Throwable lastConnectError;
    /** The one timer task that expires waiters, armed for the oldest waiter's deadline; null when none runs. */
    private @Nullable ScheduledFuture<?> expiry;

    /**
     * Creates an empty queue.
     *
     * @param name the pool's name, for messages
     * @param options the pool's options (acquireTimeout, maxWaiters)
     * @param timer runs the expiry task
     * @param lock the pool's lock, which guards this queue too
     * @param closed tells, under the lock, whether the pool is closed
     * @param statsLocked the pool's counters, read under the lock
     */
    Waiters(
            String name,
            PoolOptions options,
            ScheduledExecutorService timer,
            ReentrantLock lock,
            BooleanSupplier closed,
            Supplier<PoolStats> statsLocked) {
        this.name = name;
        this.options = options;
        this.timer = timer;
        this.lock = lock;
        this.closed = closed;
        this.statsLocked = statsLocked;
    }

    /**
     * Tells whether one more caller may not wait, given how many connections are being opened for waiters.
     *
     * @param opening connections being opened (their waiters do not count against maxWaiters)
     * @return true when maxWaiters callers already wait for a connection to come back
     */
    boolean isFull(int opening) {
        return queue.size() - opening >= options.maxWaiters();
    }

    /** Returns the failure for a caller refused because {@link #isFull} (built with the counters now). */
    PoolExhaustedException exhausted() {
        PoolStats stats = statsLocked.get();
        return new PoolExhaustedException(
                "the connection pool of " + name + " already has " + options.maxWaiters()
                        + " waiting callers (maxWaiters); " + stats,
                stats);
    }

    /**
     * Queues a caller whose deadline is acquireTimeout after {@code now}, and arms the expiry task if none runs.
     *
     * @param now {@link System#nanoTime()} now
     * @return the new waiter, last in the queue
     */
    Waiter<C> add(long now) {
        Waiter<C> waiter = new Waiter<>(now + options.acquireTimeout().toNanos());
        queue.addLast(waiter);
        if (expiry == null) {
            expiry = timer.schedule(this::expire, options.acquireTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
        return waiter;
    }

    /** Drops {@code w} from the queue once its caller cancels it. Call without the lock; it takes it when needed. */
    void dropWhenCancelled(Waiter<C> w) {
        whenDone(w.future, (c, e) -> {
            if (w.future.isCancelled()) {
                remove(w);
            }
        });
    }

    /** Takes the oldest waiter off the queue; null when none waits. */
    @Nullable
    Waiter<C> pollFirst() {
        return queue.pollFirst();
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    int size() {
        return queue.size();
    }

    /** Remembers why the last open failed: the cause given to callers who time out. */
    void noteConnectError(Throwable e) {
        lastConnectError = e;
    }

    /**
     * Empties the queue for the pool's close.
     *
     * @return the waiters to fail with {@link #failClosed} once the lock is released
     */
    List<Waiter<C>> takeAll() {
        List<Waiter<C>> all = new ArrayList<>(queue);
        queue.clear();
        return all;
    }

    /**
     * Forgets the expiry task for the pool's close.
     *
     * @return the task to cancel with {@link #failClosed} once the lock is released; null when none ran
     */
    @Nullable
    ScheduledFuture<?> disarm() {
        ScheduledFuture<?> task = expiry;
        expiry = null;
        return task;
    }

    /**
     * Cancels the expiry task and fails the waiters taken for the pool's close. Call without the lock.
     *
     * @param toFail from {@link #takeAll()}
     * @param waiterTimer from {@link #disarm()}
     */
    void failClosed(List<Waiter<C>> toFail, @Nullable ScheduledFuture<?> waiterTimer) {
        if (waiterTimer != null) {
            waiterTimer.cancel(false);
        }
        for (Waiter<C> w : toFail) {
            w.future.completeExceptionally(new EngineClosedException(
                    "the connection pool of " + name + " was closed while waiting for a connection", null));
        }
    }

    /** Fails the waiters whose deadline has passed (they are at the head of the queue) and re-arms for the next. */
    private void expire() {
        List<Waiter<C>> expired = new ArrayList<>();
        PoolStats stats;
        Throwable cause;
        lock.lock();
        try {
            long now = System.nanoTime();
            Waiter<C> head;
            while ((head = queue.peekFirst()) != null && (head.deadline - now <= 0 || head.future.isDone())) {
                queue.pollFirst();
                if (!head.future.isDone()) {
                    expired.add(head);
                }
            }
            expiry = head == null || closed.getAsBoolean()
                    ? null
                    : timer.schedule(this::expire, head.deadline - now, TimeUnit.NANOSECONDS);
            stats = statsLocked.get();
            cause = lastConnectError;
        } finally {
            lock.unlock();
        }
        for (Waiter<C> w : expired) {
            w.future.completeExceptionally(new PoolTimeoutException(
                    "no connection of " + name + " became free within "
                            + options.acquireTimeout().toMillis() + " ms (acquireTimeout); " + stats,
                    stats,
                    cause));
        }
    }

    /** Drops a waiter whose caller has gone. Takes the lock. */
    private void remove(Waiter<C> w) {
        lock.lock();
        try {
            queue.remove(w);
        } finally {
            lock.unlock();
        }
    }
}
