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
     * @param sqlState the SQLSTATE, can be {@code null}
     * @param serverMessage the server's primary message, can be {@code null}
     * @param detail the server's detail, can be {@code null}
     * @param hint the server's hint, can be {@code null}
     * @param constraint the violated constraint, can be {@code null}
     * @param cause the driver error, can be {@code null}
     */
    public BadSqlException(
            String message,
            @Nullable String sqlState,
            @Nullable String serverMessage,
            @Nullable String detail,
            @Nullable String hint,
            @Nullable String constraint,
            @Nullable Throwable cause) {
        super(message, sqlState, serverMessage, detail, hint, constraint, cause);
    }
}
