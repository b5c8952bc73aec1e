package io.github.pgengine.internal.pool;

import io.github.pgengine.internal.wire.DbConnection;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Where an engine's connections come from and go back to: its pool when one runs, else a connection opened per call
 * and closed after it.
 *
 * @param acquire borrows a connection
 * @param release gives it back
 * @param patience how long a caller waits for a connection (the pool's acquire timeout, or the connect timeout
 *     without a pool): the time within which a request that provably never ran is sent again on another connection
 */
public record Lender(
        Supplier<CompletableFuture<DbConnection>> acquire, Consumer<DbConnection> release, Duration patience) {}
