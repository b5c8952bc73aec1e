package io.github.pgengine;

/** The pool already had its maximum number of waiting callers, so the call failed at once. */
public class PoolExhaustedException extends PoolTimeoutException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what happened, with the counters
     * @param stats the pool's counters at that moment
     */
    public PoolExhaustedException(String message, PoolStats stats) {
        super(message, stats, null);
    }
}
