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
 * Closes the auto-configured engine with the application context, gracefully: new calls fail from the stop on, work
 * that already has a connection (a statement, a transaction) may finish within the shutdown timeout, and what still
 * runs after it is cancelled on the server. Its phase is below the web server's graceful shutdown, so requests drain
 * first.
 *
 * <p>A context that stops without a lifecycle stop (its refresh failed) still closes the engine, in
 * {@link #destroy()}.
 */
final class EngineLifecycle implements SmartLifecycle, DisposableBean {
    private static final Logger LOG = LoggerFactory.getLogger(EngineLifecycle.class);
    /** How long closing may take beyond the grace (a cancel's round trip, the sockets' close). */
    private static final Duration CLOSE_MARGIN = Duration.ofSeconds(2);

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

    /**
     * Closes the engine with the shutdown timeout as its grace ({@link PostgresEngine#close(Duration)}): work that has
     * a connection may finish within it, then what still runs is cancelled on the server; never fails.
     */
    CompletableFuture<@Nullable Void> close() {
        PoolStats at = engine.poolStats();
        if (at.inUse() > 0) {
            LOG.info(
                    "Closing pgengine {}: {} connection(s) in use may finish within {} (pgengine.shutdown-timeout), "
                            + "then what still runs is cancelled",
                    engine.name(),
                    at.inUse(),
                    shutdownTimeout);
        }
        return engine.close(shutdownTimeout)
                .completeOnTimeout(null, shutdownTimeout.plus(CLOSE_MARGIN).toNanos(), TimeUnit.NANOSECONDS)
                .handle((v, error) -> {
                    if (error != null) {
                        LOG.warn("pgengine {}: closing failed: {}", engine.name(), error.toString());
                    }
                    return null;
                });
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
