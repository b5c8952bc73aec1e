package io.github.pgengine.internal.pool;

import static io.github.pgengine.internal.runtime.Completions.whenDone;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import io.github.pgengine.internal.connect.ConnectionFactory;
import io.github.pgengine.internal.errors.ErrorMapper;
import io.github.pgengine.internal.observe.Observers;
import io.github.pgengine.internal.wire.DbConnection;
import io.github.pgengine.internal.wire.ServerCanceller;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * How an engine opens, checks and closes driver connections, telling its observers: for its pool, and for the
 * connection a statement opens of its own when no pool runs.
 *
 * @param factory opens connections
 * @param observers the engine's observers
 * @param canceller stops a running statement on the server before its connection is aborted
 */
public record PooledConnections(ConnectionFactory factory, Observers observers, ServerCanceller canceller)
        implements Connections<DbConnection> {

    /**
     * Opens a connection; observers hear of it before the caller does (so a caller that sees the failure sees it
     * counted), and cancelling the returned future still closes a connection that arrives late.
     */
    @Override
    public CompletableFuture<DbConnection> open() {
        CompletableFuture<DbConnection> opening = factory.open();
        if (observers.isEmpty()) {
            return opening;
        }
        return tellFirst(
                opening,
                (c, e) -> {
                    if (e == null) {
                        observers.opened();
                    } else {
                        observers.failed(ErrorMapper.unwrap(e));
                    }
                },
                this::close);
    }

    @Override
    public boolean isUsable(DbConnection c) {
        return c.isUsable() && factory.stillMatches(c);
    }

    @Override
    @CanIgnoreReturnValue
    public CompletableFuture<?> close(DbConnection c) {
        CompletableFuture<?> closing = c.close();
        if (!observers.isEmpty()) {
            observers.closed();
        }
        return closing;
    }

    /** Cancels the running statement on the server (a Terminate would wait behind it), then closes. */
    @Override
    @CanIgnoreReturnValue
    public CompletableFuture<?> abort(DbConnection c) {
        c.retire();
        CompletableFuture<?> cancelled = c.isBusy() ? canceller.cancel(c) : CompletableFuture.completedFuture(null);
        return cancelled.handle((v, e) -> null).thenCompose(v -> close(c));
    }

    /**
     * A copy of a connection future whose observers hear of the outcome before the caller does (so a caller that
     * sees a failure sees it counted); cancelling the copy cancels the source, and a connection that arrives after
     * the copy was cancelled is given back.
     *
     * @param source the connection future
     * @param tell hears of the outcome first
     * @param giveBack takes a connection that arrived too late
     * @return the copy
     */
    public static CompletableFuture<DbConnection> tellFirst(
            CompletableFuture<DbConnection> source,
            BiConsumer<@Nullable DbConnection, @Nullable Throwable> tell,
            Consumer<DbConnection> giveBack) {
        CompletableFuture<DbConnection> out = new CompletableFuture<>();
        whenDone(out, (c, e) -> {
            if (out.isCancelled()) {
                source.cancel(false);
            }
        });
        whenDone(source, (c, e) -> {
            tell.accept(c, e);
            if (e == null) {
                if (!out.complete(c)) {
                    giveBack.accept(c);
                }
            } else {
                out.completeExceptionally(e);
            }
        });
        return out;
    }
}
