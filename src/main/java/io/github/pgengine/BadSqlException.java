package io.github.pgengine;

import org.jspecify.annotations.Nullable;

/**
 * The server rejected the statement or its data (SQLSTATE classes 42 and 22: syntax errors, unknown tables or columns, bad values).
 */
public class BadSqlException extends EngineException {
    private static final long serialVersionUID = 1L;

    /**
     * An error raised by the engine itself.
     *
     * @param message what went wrong
     * @param cause the underlying error, can be {@code null}
     */
    public BadSqlException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

    /**
     * An error reported by the server.
     *
     * @param message the full message
     * @param details what the server said, field by field
     * @param cause the underlying error, can be {@code null}
     */
    public BadSqlException(String message, ServerDetails details, @Nullable Throwable cause) {
        super(message, details, cause);
    }
}
