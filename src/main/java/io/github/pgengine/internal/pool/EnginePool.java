package io.github.pgengine.internal.pool;

import static io.github.pgengine.internal.runtime.Completions.whenDone;

import io.github.pgengine.EngineClosedException;
import io.github.pgengine.PoolOptions;
import io.github.pgengine.PoolStats;
import io.github.pgengine.internal.errors.ErrorMapper;
import io.github.pgengine.internal.runtime.EngineTimer;
import io.github.pgengine.internal.wire.DbConnection;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An engine's pool and its life: the pool running now (if any), starting and closing it, and the engine's own
 * closing, after which nothing new may start.
 */
public final class EnginePool {
    private static final Logger LOG = LoggerFactory.getLogger("io.github.pgengine.PostgresEngine");

    private final String name;
    private final String where;
    private final PooledConnections connections;
    private final Object lock = new Object();
    private volatile @Nullable ConnectionPool<DbConnection> pool;
    private volatile boolean closed;
    /** The pool that closing the engine closed, for a later close with a grace period; guarded by lock. */
    private @Nullable ConnectionPool<DbConnection> closingPool;

    /**
     * @param name the engine's name in logs and messages
     * @param where the target, for messages ({@code user@host:port/db})
     * @param connections how the pool opens, checks and closes connections
     */
    public EnginePool(String name, String where, PooledConnections connections) {
        this.name = name;
        this.where = where;
        this.connections = connections;
    }

    /** Returns the pool running now, or null. */
    public @Nullable ConnectionPool<DbConnection> current() {
        return pool;
    }

    /**
     * Starts a pool; a second call while one runs logs a warning and changes nothing.
     *
     * @param options sizes and timeouts
     * @return completes when {@code minIdle} connections are open; fails (and leaves no pool) when they cannot be
     */
    public CompletableFuture<@Nullable Void> start(PoolOptions options) {
        Objects.requireNonNull(options, "options");
        ConnectionPool<DbConnection> created;
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(closedError());
            }
            if (pool != null) {
                LOG.warn("A pool already exists for {}", name);
                return CompletableFuture.completedFuture(null);
            }
            created = new ConnectionPool<>(name, options, connections, EngineTimer.get());
            pool = created;
        }
        CompletableFuture<@Nullable Void> started = new CompletableFuture<>();
        whenDone(created.warmUp(), (v, error) -> {
            if (error == null) {
                LOG.info("Connection pool started for {} ({})", name, options);
                started.complete(null);
                return;
            }
            synchronized (lock) {
                if (pool == created) {
                    pool = null;
                }
            }
            created.close();
            started.completeExceptionally(ErrorMapper.map(error, where));
        });
        return started;
    }

    /**
     * Closes the pool (idle connections at once, lent ones when they come back); without a pool, a warning.
     *
     * @return completes when the idle connections are closed; null when no pool ran
     */
    public @Nullable CompletableFuture<@Nullable Void> closePool() {
        ConnectionPool<DbConnection> current;
        synchronized (lock) {
            current = pool;
            pool = null;
        }
        if (current == null) {
            LOG.warn("No pool is running for {}", name);
            return null;
        }
        return current.close().thenApply(v -> {
            LOG.info("Connection pool closed for {}", name);
            return null;
        });
    }

    /**
     * Closes the engine and its pool: without a grace period once (later calls change nothing); with one, lent
     * connections may finish their work within it (also after a close without one), and what still runs after it is
     * cancelled on the server and its connection closed.
     *
     * @param grace how long running work may go on, or null to close lent connections when they come back
     * @param closing runs once the engine counts as closed, before the pool starts closing
     * @return completes when the pool's idle connections (with a grace period: all of them) are closed; null when
     *     there is no pool to close (or the engine was already closed and no grace period is given)
     */
    public @Nullable CompletableFuture<@Nullable Void> close(@Nullable Duration grace, Runnable closing) {
        ConnectionPool<DbConnection> current;
        synchronized (lock) {
            if (closed && grace == null) {
                return null;
            }
            current = closed ? closingPool : pool;
            closed = true;
            pool = null;
            closingPool = current;
        }
        closing.run();
        if (current == null) {
            return null;
        }
        return grace == null ? current.close() : current.close(grace);
    }

    /** Returns the pool's counters, or {@link PoolStats#NO_POOL}. */
    public PoolStats stats() {
        ConnectionPool<DbConnection> current = pool;
        return current == null ? PoolStats.NO_POOL : current.stats();
    }

    /** Returns true once the engine is closed. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Throws {@link #closedError()} once the engine is closed.
     *
     * @throws EngineClosedException when it is
     */
    public void checkOpen() {
        if (closed) {
            throw closedError();
        }
    }

    /** Returns the error for calls after the engine closed. */
    public EngineClosedException closedError() {
        return new EngineClosedException("engine " + name + " is closed", null);
    }
}
