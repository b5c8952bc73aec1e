package io.github.pgengine.spring.boot;

import io.github.pgengine.PoolStats;
import io.github.pgengine.PostgresEngine;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;

/**
 * Closes the auto-configured engine with the application context, gracefully: the context's stop waits, at most the
 * shutdown timeout, until no connection is in use and no caller waits for one (new work is still accepted meanwhile),
 * then closes the engine. Its phase is below the web server's graceful shutdown, so requests drain first.
 *
 * <p>A context that stops without a lifecycle stop (its refresh failed) still closes the engine, in
 * {@link #destroy()}.
 */
final class EngineLifecycle implements SmartLifecycle, DisposableBean {
    private static final Logger LOG = LoggerFactory.getLogger(EngineLifecycle.class);
    /** How often the drain looks at the pool's counters. */
    private static final Duration POLL = Duration.ofMillis(10);
    /** How long closing may take after the drain (idle connections close at once). */
    private static final Duration CLOSE_MARGIN = Duration.ofSeconds(1);

    private final PostgresEngine engine;
    private final Duration shutdownTimeout;
    private volatile boolean running;

    EngineLifecycle(PostgresEngine engine, Duration shutdownTimeout) {
        if (shutdownTimeout.isNegative()) {
            throw new IllegalArgumentException(
                    "pgengine.shutdown-timeout must not be negative (was " + shutdownTimeout + ")");
        }
        this.engine = engine;
        this.shutdownTimeout = shutdownTimeout;
    }

    @Override
    public void start() {
        running = true; // the engine started with its bean
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PgEngineAutoConfiguration.LIFECYCLE_PHASE;
    }

    @Override
    public void stop(Runnable callback) {
        running = false;
        close().whenComplete((v, error) -> callback.run());
    }

    @Override
    public void stop() {
        running = false;
        await(close());
    }

    @Override
    public void destroy() {
        if (!engine.isClosed()) {
            await(engine.close());
        }
    }

    /** Waits until nothing is in use or the timeout passes, then closes the engine; never fails. */
    CompletableFuture<@Nullable Void> close() {
        long deadline = System.nanoTime() + shutdownTimeout.toNanos();
        PoolStats at = engine.poolStats();
        if (busy(at)) {
            LOG.info(
                    "Closing pgengine {}: waiting up to {} for {} connections in use and {} waiting callers",
                    engine.name(),
                    shutdownTimeout,
                    at.inUse(),
                    at.waiting());
        }
        CompletableFuture<@Nullable Void> drained = new CompletableFuture<>();
        poll(drained, deadline);
        return drained.thenCompose(v -> {
                    PoolStats left = engine.poolStats();
                    if (busy(left)) {
                        LOG.warn(
                                "pgengine {}: {} connections still in use after {} (pgengine.shutdown-timeout); "
                                        + "closing the engine: their statements run on until they end, then their "
                                        + "connections close",
                                engine.name(),
                                left.inUse(),
                                shutdownTimeout);
                    }
                    return engine.close().completeOnTimeout(null, CLOSE_MARGIN.toNanos(), TimeUnit.NANOSECONDS);
                })
                .handle((v, error) -> {
                    if (error != null) {
                        LOG.warn("pgengine {}: closing failed: {}", engine.name(), error.toString());
                    }
                    return null;
                });
    }

    private void poll(CompletableFuture<@Nullable Void> drained, long deadline) {
        if (!busy(engine.poolStats()) || System.nanoTime() - deadline >= 0) {
            drained.complete(null);
            return;
        }
        CompletableFuture.delayedExecutor(POLL.toNanos(), TimeUnit.NANOSECONDS)
                .execute(() -> poll(drained, deadline));
    }

    private static boolean busy(PoolStats stats) {
        return stats.inUse() > 0 || stats.waiting() > 0;
    }

    private void await(CompletableFuture<?> f) {
        try {
            f.get(shutdownTimeout.plus(CLOSE_MARGIN).toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("pgengine {}: closing did not finish: {}", engine.name(), e.toString());
        }
    }
}
