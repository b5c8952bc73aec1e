package io.github.pgengine.internal.pool;

import static io.github.pgengine.internal.runtime.Completions.whenDone;

import io.github.pgengine.internal.wire.DbConnection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A borrowed connection, given back exactly once whatever happens. The one place that knows the lease rule: if the
 * caller's future is cancelled while the connection is still on its way, the borrowing is cancelled (the pool
 * drops the waiter); a connection that arrives after the caller has gone is given back unused.
 */
public final class Lease {
    private final CompletableFuture<DbConnection> acquiring;
    private final Consumer<DbConnection> giveBack;
    private final AtomicBoolean released = new AtomicBoolean();

    private Lease(CompletableFuture<DbConnection> acquiring, Consumer<DbConnection> giveBack) {
        this.acquiring = acquiring;
        this.giveBack = giveBack;
    }

    /**
     * Borrows a connection for a caller and hands it to {@code use}, or gives it straight back when the caller has
     * already completed (cancelled).
     *
     * @param acquire borrows a connection (from the pool, or opens one)
     * @param giveBack gives it back (to the pool, or closes it)
     * @param caller the caller's future; its cancellation cancels the borrowing
     * @param failed told when no connection could be borrowed
     * @param use runs with the connection and the lease; it must release the lease eventually
     */
    public static void borrow(
            Supplier<CompletableFuture<DbConnection>> acquire,
            Consumer<DbConnection> giveBack,
            CompletableFuture<?> caller,
            Consumer<Throwable> failed,
            Consumer<Lease> use) {
        CompletableFuture<DbConnection> acquiring;
        try {
            acquiring = acquire.get();
        } catch (RuntimeException e) {
            failed.accept(e);
            return;
        }
        Lease lease = new Lease(acquiring, giveBack);
        boolean waited = !acquiring.isDone();
        whenDone(caller, (r, e) -> {
            if (caller.isCancelled() && !acquiring.isDone()) {
                acquiring.cancel(false);
            }
        });
        whenDone(acquiring, (connection, error) -> {
            if (error != null) {
                if (!acquiring.isCancelled()) {
                    failed.accept(error);
                }
            } else if (waited && !connection.inEventLoop()) {
                // A connection that was waited for is handed over on whichever thread gave it back (a caller's, when
                // it wrote its last request there): the work starts on the connection's I/O thread, as documented
                // (docs/threading.md), not on a stranger's.
                try {
                    connection.executor().execute(() -> start(lease, caller, use));
                } catch (RejectedExecutionException shuttingDown) {
                    start(lease, caller, use);
                }
            } else {
                start(lease, caller, use);
            }
        });
    }

    private static void start(Lease lease, CompletableFuture<?> caller, Consumer<Lease> use) {
        if (caller.isDone()) {
            lease.release();
        } else {
            use.accept(lease);
        }
    }

    /** Returns the connection; call only from {@code use}. */
    public DbConnection connection() {
        DbConnection c = acquiring.getNow(null);
        if (c == null) {
            throw new IllegalStateException("the lease has no connection");
        }
        return c;
    }

    /** Gives the connection back; later calls do nothing. */
    public void release() {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        @Nullable DbConnection c = acquiring.getNow(null);
        if (c != null) {
            giveBack.accept(c);
        }
    }

    /** Returns true once released. */
    public boolean isReleased() {
        return released.get();
    }
}
