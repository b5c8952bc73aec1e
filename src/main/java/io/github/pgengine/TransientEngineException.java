package io.github.pgengine;

import org.jspecify.annotations.Nullable;

/**
 * A failure that is expected to succeed when the whole transaction is tried again (SQLSTATE class 40: serialization failures and deadlocks).
 */
public class TransientEngineException extends EngineException {
    private static final long serialVersionUID = 1L;

    /**
     * An error raised by the engine itself.
     *
     * @param message what went wrong
     * @param cause the underlying error, can be {@code null}
     */
    public TransientEngineException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

    /**
     * An error reported by the server.
     *
     * @param message the full message
     * @param details what the server said, field by field
     * @param cause the underlying error, can be {@code null}
     */
    public TransientEngineException(String message, ServerDetails details, @Nullable Throwable cause) {
        super(message, details, cause);
    }
}
