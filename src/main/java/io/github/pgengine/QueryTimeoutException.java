package io.github.pgengine;

import org.jspecify.annotations.Nullable;

/**
 * A statement ran past its timeout: cancelled by the server's {@code statement_timeout} (SQLSTATE 57014) or by the engine's client-side query timeout, which also closes the connection.
 */
public class QueryTimeoutException extends EngineException {
    private static final long serialVersionUID = 1L;

    /**
     * An error raised by the engine itself.
     *
     * @param message what went wrong
     * @param cause the underlying error, can be {@code null}
     */
    public QueryTimeoutException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

    /**
     * An error reported by the server.
     *
     * @param message the full message
     * @param details what the server said, field by field
     * @param cause the underlying error, can be {@code null}
     */
    public QueryTimeoutException(String message, ServerDetails details, @Nullable Throwable cause) {
        super(message, details, cause);
    }
}
