package io.github.pgengine;

import org.jspecify.annotations.Nullable;

/**
 * The transaction conflicted with another one and must be run again (SQLSTATE 40001; CockroachDB's
 * "restart transaction"). When the engine retried, {@link #attempts()} tells how many times the work ran.
 */
public class SerializationFailureException extends TransientEngineException {
    private static final long serialVersionUID = 1L;

    private final int attempts;

    /**
     * An error reported by the server.
     *
     * @param message the full message
     * @param details what the server said, field by field
     * @param attempts how many times the work ran, at least 1
     * @param cause the underlying error, can be {@code null}
     */
    public SerializationFailureException(
            String message, ServerDetails details, int attempts, @Nullable Throwable cause) {
        super(message, details, cause);
        this.attempts = attempts;
    }

    /** Returns how many times the work ran before the engine gave up (1 when it was not retried). */
    public int attempts() {
        return attempts;
    }
}
