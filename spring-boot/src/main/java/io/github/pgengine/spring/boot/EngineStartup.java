package io.github.pgengine.spring.boot;

import io.github.pgengine.PoolOptions;
import io.github.pgengine.PostgresEngine;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts an engine while its bean is created, as a DataSource's pool starts: {@code prepDatabase()} (when asked), the
 * pool, one statement, the version check. It waits (the bean factory is synchronous) at most the start-up timeout; on
 * failure it closes the engine and throws, so the application does not start against a database it cannot reach.
 */
final class EngineStartup {
    private static final Logger LOG = LoggerFactory.getLogger(EngineStartup.class);

    private EngineStartup() {}

    /**
     * Starts the engine or closes it and throws.
     *
     * @param engine a new engine
     * @param prepare run {@code prepDatabase()} first
     * @param pool the pool's options, or {@code null} for no pool
     * @param timeout how long the whole start may take
     * @throws IllegalStateException naming the engine and the cause when it cannot start in time
     */
    static void start(PostgresEngine engine, boolean prepare, @Nullable PoolOptions pool, Duration timeout) {
        long begin = System.nanoTime();
        AtomicReference<CompletableFuture<?>> step = new AtomicReference<>();
        CompletableFuture<@Nullable Void> started = run(step, prepare ? engine::prepDatabase : null)
                .thenCompose(v -> run(step, pool != null ? () -> engine.startConnectionPool(pool) : null))
                .thenCompose(v -> run(step, () -> engine.query("SELECT 1")))
                .thenCompose(v -> run(step, engine::checkVersion));
        try {
            started.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw failed(engine, step, "it did not start within " + timeout + " (pgengine.startup-timeout)", null);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw failed(engine, step, String.valueOf(cause.getMessage()), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failed(engine, step, "interrupted while starting", e);
        }
        LOG.info(
                "pgengine {} started in {} ms ({})",
                engine.name(),
                (System.nanoTime() - begin) / 1_000_000,
                pool != null ? "pool of up to " + pool.maxSize() + " connections" : "no pool");
    }

    private static CompletableFuture<@Nullable Void> run(
            AtomicReference<CompletableFuture<?>> step, @Nullable Supplier<? extends CompletableFuture<?>> work) {
        if (work == null) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<?> f = work.get();
        step.set(f);
        return f.thenApply(x -> null);
    }

    private static IllegalStateException failed(
            PostgresEngine engine, AtomicReference<CompletableFuture<?>> step, String why, @Nullable Throwable cause) {
        CompletableFuture<?> current = step.get();
        if (current != null) {
            current.cancel(true);
        }
        engine.close().exceptionally(error -> {
            LOG.debug("closing {} after a failed start failed too", engine.name(), error);
            return null;
        });
        return new IllegalStateException("pgengine could not start " + engine.name() + ": " + why, cause);
    }
}
