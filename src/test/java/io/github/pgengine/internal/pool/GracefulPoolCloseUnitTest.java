package io.github.pgengine.internal.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.PoolOptions;
import io.github.pgengine.internal.pool.PoolLifecycleLincheckUnitTest.Stub;
import io.github.pgengine.internal.pool.PoolLifecycleLincheckUnitTest.Stubs;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * A graceful close racing an open that completes for a waiter, on real threads, many times (Lincheck's model checker
 * fails internally on this scenario, so it runs here): what is still lent when the grace runs out is aborted, and
 * the close completes once the aborts are over; the counters end at zero once the callers give their connections
 * back.
 */
class GracefulPoolCloseUnitTest {
    private static final int ROUNDS = 2_000;

    @Test
    void aGracefulCloseRacingAnOpenAbortsWhatIsStillLentWhenTheGraceRunsOut() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            Stubs stubs = new Stubs(true);
            ManualTimer timer = new ManualTimer();
            ConnectionPool<Stub> pool = new ConnectionPool<>(
                    "graceful",
                    PoolOptions.builder()
                            .maxSize(2)
                            .minIdle(0)
                            .acquireTimeout(Duration.ofSeconds(5))
                            .build(),
                    stubs,
                    timer);
            CompletableFuture<Stub> first = pool.acquire();
            stubs.finishOpen();
            Stub a = first.join();
            CompletableFuture<Stub> second = pool.acquire();
            CompletableFuture<?>[] closing = new CompletableFuture<?>[1];
            CountDownLatch go = new CountDownLatch(1);
            Thread closer = new Thread(() -> {
                await(go);
                closing[0] = pool.close(Duration.ofSeconds(5));
            });
            Thread opener = new Thread(() -> {
                await(go);
                stubs.finishOpen();
            });
            closer.start();
            opener.start();
            go.countDown();
            closer.join();
            opener.join();

            assertThat(closing[0])
                    .as("round %d: a lent connection holds the close", round)
                    .isNotDone();
            timer.runAll(); // the grace runs out
            assertThat(closing[0]).as("round %d: done after the aborts", round).isDone();
            assertThat(a.closed)
                    .as("round %d: the lent connection was aborted", round)
                    .isTrue();
            Stub b = second.isCompletedExceptionally() ? null : second.join();
            assertThat(b == null || b.closed)
                    .as("round %d: one lent while closing was aborted too", round)
                    .isTrue();
            pool.release(a);
            if (b != null) {
                pool.release(b);
            }
            assertThat(pool.stats().total())
                    .as("round %d: %s", round, pool.stats())
                    .isZero();
            assertThat(stubs.closedCount.get())
                    .as("round %d: every stub closed", round)
                    .isGreaterThanOrEqualTo(1);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
