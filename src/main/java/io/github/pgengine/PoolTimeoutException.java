package io.github.pgengine;

import org.jspecify.annotations.Nullable;

/** No connection became free within the pool's acquire timeout; carries the pool's counters at that moment. */
public class PoolTimeoutException extends EngineException {
    private static final long serialVersionUID = 1L;

    private final PoolStats stats;

    /**
     * Creates the exception.
     *
     * @param message what happened, with the counters
     * @param stats the pool's counters when the wait ended
     * @param cause the last connection failure, can be {@code null}
     */
    public PoolTimeoutException(String message, PoolStats stats, @Nullable Throwable cause) {
        super(message, cause);
        this.stats = stats;
    }

    /** Returns the pool's counters when the wait ended. */
    public PoolStats stats() {
        return stats;
    }
}
