package io.github.pgengine;

import org.jspecify.annotations.Nullable;

/**
 * A transaction was misused: used after it ended, nested where nesting is not allowed, or given a savepoint
 * that does not exist. Also reported for SQLSTATE class 25 (invalid transaction state, e.g. 25P02).
 */
public class TransactionException extends EngineException {
    private static final long serialVersionUID = 1L;

    /**
     * A misuse found by the engine.
     *
     * @param message what went wrong
     */
    public TransactionException(String message) {
        super(message, null);
    }

    /**
     * An error raised by the engine itself.
     *
     * @param message what went wrong
     * @param cause the underlying error, can be {@code null}
     */
    public TransactionException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

    /**
     * An error reported by the server.
     *
     * @param message the full message
     * @param details what the server said, field by field
     * @param cause the underlying error, can be {@code null}
     */
    public TransactionException(String message, ServerDetails details, @Nullable Throwable cause) {
        super(message, details, cause);
    }
}
