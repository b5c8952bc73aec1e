package io.github.pgengine;

import org.jspecify.annotations.Nullable;

/**
 * The user lacks a privilege the statement needs (SQLSTATE 42501).
 */
public class InsufficientPrivilegeException extends BadSqlException {
    private static final long serialVersionUID = 1L;

    /**
     * An error raised by the engine itself.
     *
     * @param message what went wrong
     * @param cause the underlying error, can be {@code null}
     */
    public InsufficientPrivilegeException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

    /**
     * An error reported by the server.
     *
     * @param message the full message
     * @param details what the server said, field by field
     * @param cause the underlying error, can be {@code null}
     */
    public InsufficientPrivilegeException(String message, ServerDetails details, @Nullable Throwable cause) {
        super(message, details, cause);
    }
}
