package io.github.pgengine;

import org.jspecify.annotations.Nullable;

/**
 * A transaction was misused: used after it ended, nested where nesting is not allowed, or given a savepoint
 * that does not exist. Also reported for SQLSTATE class 25 (invalid transaction state, e.g. 25P02).
 */
public class TransactionException extends EngineException {
    private static final long serialVersionUID = 1L;

    /**
     * An error raised by the engine itself.
     *
     * @param message what went wrong
     */
    public TransactionException(String message) {
        super(message, null);
    }

    /**
     * An error reported by the server.
     *
     * @param message the full message
     * @param sqlState the SQLSTATE, can be {@code null}
     * @param serverMessage the server's primary message, can be {@code null}
     * @param detail the server's detail, can be {@code null}
     * @param hint the server's hint, can be {@code null}
     * @param cause the driver error, can be {@code null}
     */
    public TransactionException(
            String message,
            @Nullable String sqlState,
            @Nullable String serverMessage,
            @Nullable String detail,
            @Nullable String hint,
            @Nullable Throwable cause) {
        super(message, sqlState, serverMessage, detail, hint, null, cause);
    }
}
