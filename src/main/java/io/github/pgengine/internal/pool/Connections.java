package io.github.pgengine.internal.pool;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import java.util.concurrent.CompletableFuture;

/**
 * How a {@link ConnectionPool} opens, checks and closes its connections.
 *
 * @param <C> the connection type
 */
public interface Connections<C> {
    /** Returns a new connection; may fail. */
    CompletableFuture<C> open();

    /**
     * Tells whether a returned connection can be lent again.
     *
     * @param c a connection
     * @return true when it can serve another caller (open, idle, no transaction left open)
     */
    boolean isUsable(C c);

    /**
     * Closes a connection.
     *
     * @param c a connection to close; must not throw
     * @return completes when it is closed; never fails
     */
    @CanIgnoreReturnValue
    CompletableFuture<?> close(C c);

    /**
     * Stops what a lent connection is doing and closes it, for a graceful close whose grace has run out: its
     * caller's work fails. The default closes it.
     *
     * @param c a lent connection; must not throw
     * @return completes when it is closed or the attempt is over; never fails
     */
    @CanIgnoreReturnValue
    default CompletableFuture<?> abort(C c) {
        return close(c);
    }
}
