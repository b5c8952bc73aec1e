package io.github.pgengine;

import java.io.Serializable;

/**
 * A snapshot of a connection pool's counters.
 *
 * @param total connections open or being opened
 * @param idle connections open and waiting to be used
 * @param inUse connections lent to a query, transaction or cursor
 * @param waiting callers waiting for a connection
 * @param maxSize the most connections the pool will open
 */
public record PoolStats(int total, int idle, int inUse, int waiting, int maxSize) implements Serializable {

    /** The counters of an engine that runs no pool. */
    public static final PoolStats NO_POOL = new PoolStats(0, 0, 0, 0, 0);

    /** Returns true when no connection is lent out and nobody waits. */
    public boolean isIdle() {
        return inUse == 0 && waiting == 0;
    }

    @Override
    public String toString() {
        return "total=" + total + ", idle=" + idle + ", inUse=" + inUse + ", waiting=" + waiting + ", maxSize="
                + maxSize;
    }
}
