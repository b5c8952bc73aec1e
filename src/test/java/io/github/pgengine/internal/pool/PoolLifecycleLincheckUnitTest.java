package io.github.pgengine.internal.pool;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.github.pgengine.PoolOptions;
import io.github.pgengine.PoolStats;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The pool's and the lease's life cycle under every interleaving Lincheck's model checker finds, against stub
 * connections (no database): hand-offs racing cancellation, double releases, opens racing timeouts, close racing
 * release, a caller cancelling while its connection arrives. After each run the counters must add up, no
 * connection may be lent twice or lost, and nothing may stay in use.
 */
class PoolLifecycleLincheckUnitTest {
    private static final int INVOCATIONS = 500;
    private static final Logger POOL_LOG = (Logger) LoggerFactory.getLogger("io.github.pgengine.pool");
    private static Level previous;

    /** The double-release scenario logs an ERROR per run by design; thousands of them say nothing here. */
    @BeforeAll
    static void quiet() {
        previous = POOL_LOG.getLevel();
        POOL_LOG.setLevel(Level.OFF);
    }

    @AfterAll
    static void restore() {
        POOL_LOG.setLevel(previous);
    }

    /** A database-free connection. */
    static final class Stub {
        final int id;
        volatile boolean closed;
        volatile boolean usable = true;

        Stub(int id) {
            this.id = id;
        }

        @Override
        public String toString() {
            return "stub#" + id;
        }
    }

    /** Opens stubs at once (or, with {@code manual}, when the test completes the pending open). */
    static final class Stubs implements Connections<Stub> {
        final AtomicInteger opened = new AtomicInteger();
        final AtomicInteger closedCount = new AtomicInteger();
        final boolean manual;
        volatile CompletableFuture<Stub> pending;

        Stubs(boolean manual) {
            this.manual = manual;
        }

        @Override
        public CompletableFuture<Stub> open() {
            Stub s = new Stub(opened.incrementAndGet());
            if (!manual) {
                return CompletableFuture.completedFuture(s);
            }
            CompletableFuture<Stub> f = new CompletableFuture<>();
            pending = f;
            return f;
        }

        void finishOpen() {
            CompletableFuture<Stub> f = pending;
            if (f != null) {
                f.complete(new Stub(1000 + opened.get()));
            }
        }

        @Override
        public boolean isUsable(Stub c) {
            return c.usable && !c.closed;
        }

        @Override
        public CompletableFuture<?> close(Stub c) {
            c.closed = true;
            closedCount.incrementAndGet();
            return CompletableFuture.completedFuture(null);
        }
    }

    private static ConnectionPool<Stub> pool(Stubs stubs, ManualTimer timer, int maxSize) {
        PoolOptions options = PoolOptions.builder()
                .maxSize(maxSize)
                .minIdle(0)
                .acquireTimeout(Duration.ofSeconds(5))
                .build();
        return new ConnectionPool<>("lincheck", options, stubs, timer);
    }

    /** Plain checks: AssertJ's assertion objects refuse equals(), which the model checker calls. */
    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }

    private static void assertConsistent(ConnectionPool<Stub> pool, Stubs stubs, int maxSize) {
        PoolStats s = pool.stats();
        check(s.inUse() == 0, "nothing in use: " + s);
        check(s.waiting() == 0, "nobody waiting: " + s);
        check(s.idle() >= 0 && s.idle() <= maxSize, "idle within bounds: " + s);
        check(s.total() == s.idle(), "every connection idle: " + s);
        check(stubs.opened.get() - stubs.closedCount.get() >= s.total(), "the pool holds only open stubs: " + s);
    }

    private static void run(Runnable... parts) {
        Thread[] threads = new Thread[parts.length];
        for (int i = 0; i < parts.length; i++) {
            threads[i] = new Thread(parts[i]);
            threads[i].start();
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void aHandOffRacingTheWaitersCancellationLendsTheConnectionOnceOrKeepsIt() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            Stubs stubs = new Stubs(false);
            ManualTimer timer = new ManualTimer();
            ConnectionPool<Stub> pool = pool(stubs, timer, 1);
            Stub c = pool.acquire().join();
            CompletableFuture<Stub> waiting = pool.acquire();
            run(() -> pool.release(c), () -> waiting.cancel(false));
            if (!waiting.isCancelled()) {
                pool.release(waiting.join());
            }
            assertConsistent(pool, stubs, 1);
            check(pool.acquire().join() == c, "the connection is still there");
        });
    }

    @Test
    void aSecondReleaseOfTheSameConnectionChangesNothing() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            Stubs stubs = new Stubs(false);
            ManualTimer timer = new ManualTimer();
            ConnectionPool<Stub> pool = pool(stubs, timer, 2);
            Stub c = pool.acquire().join();
            CompletableFuture<Stub> other = pool.acquire();
            run(() -> pool.release(c), () -> pool.release(c), () -> pool.release(other.join()));
            assertConsistent(pool, stubs, 2);
            check(pool.stats().total() == 2, "two connections: " + pool.stats());
        });
    }

    @Test
    void anOpenRacingTheAcquireTimeoutAndACancelLeavesNothingInUse() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            Stubs stubs = new Stubs(true);
            ManualTimer timer = new ManualTimer();
            ConnectionPool<Stub> pool = pool(stubs, timer, 1);
            CompletableFuture<Stub> first = pool.acquire();
            run(stubs::finishOpen, timer::runAll, () -> first.cancel(false));
            if (first.isDone() && !first.isCompletedExceptionally()) {
                pool.release(first.join());
            }
            assertConsistent(pool, stubs, 1);
        });
    }

    @Test
    void closingRacingAReleaseClosesEveryConnectionOnce() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            Stubs stubs = new Stubs(false);
            ManualTimer timer = new ManualTimer();
            ConnectionPool<Stub> pool = pool(stubs, timer, 2);
            Stub a = pool.acquire().join();
            Stub b = pool.acquire().join();
            pool.release(b);
            run(() -> pool.release(a), pool::close);
            PoolStats s = pool.stats();
            check(s.inUse() == 0 && s.total() == 0, "empty after close: " + s);
            check(a.closed && b.closed, "both closed");
            check(stubs.closedCount.get() == 2, "each closed once: " + stubs.closedCount.get());
        });
    }

    @Test
    void aCallerCancellingWhileItsLeaseArrivesGetsItBackExactlyOnce() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            Stubs stubs = new Stubs(true);
            ManualTimer timer = new ManualTimer();
            ConnectionPool<Stub> pool = pool(stubs, timer, 1);
            CompletableFuture<Object> caller = new CompletableFuture<>();
            AtomicInteger used = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            // the Lease rule, over the stub pool
            CompletableFuture<Stub> acquiring = pool.acquire();
            caller.whenComplete((r, e) -> {
                if (caller.isCancelled() && !acquiring.isDone()) {
                    acquiring.cancel(false);
                }
            });
            acquiring.whenComplete((c, e) -> {
                if (e != null) {
                    failed.incrementAndGet();
                } else if (caller.isDone()) {
                    pool.release(c);
                } else {
                    used.incrementAndGet();
                    pool.release(c);
                }
            });
            run(stubs::finishOpen, () -> caller.cancel(false));
            assertConsistent(pool, stubs, 1);
            check(used.get() + failed.get() <= 1, "used at most once");
        });
    }

    @Test
    void releasesRacingAGracefulCloseCompleteItOnceEveryConnectionIsClosed() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            Stubs stubs = new Stubs(false);
            ManualTimer timer = new ManualTimer();
            ConnectionPool<Stub> pool = pool(stubs, timer, 3);
            Stub a = pool.acquire().join();
            Stub b = pool.acquire().join();
            pool.release(pool.acquire().join());
            AtomicReference<CompletableFuture<?>> closing = new AtomicReference<>();
            run(() -> closing.set(pool.close(Duration.ofSeconds(5))), () -> pool.release(a), () -> pool.release(b));
            check(closing.get().isDone(), "the close completed with the last release, before its grace ran out");
            check(pool.stats().total() == 0, "no connection left: " + pool.stats());
            check(stubs.closedCount.get() == stubs.opened.get(), "every connection closed");
            timer.runAll();
            check(stubs.closedCount.get() == stubs.opened.get(), "nothing closed twice by the late timer");
        });
    }
}
