package io.github.pgengine;

import org.jspecify.annotations.Nullable;

/**
 * The connection to the server failed, was refused, or was lost (SQLSTATE class 08, 57P01-57P03, or a network error),
 * or the server refused to open a session, whatever its SQLSTATE (3D000 no such database, class 28, 53300, ...). The
 * work may or may not have reached the server; after a refusal it did not.
 */
public class ConnectionException extends EngineException {
    private static final long serialVersionUID = 1L;

    /**
     * An error raised by the engine itself.
     *
     * @param message what went wrong
     * @param cause the underlying error, can be {@code null}
     */
    public ConnectionException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

    /**
     * An error reported by the server.
     *
     * @param message the full message
     * @param details what the server said, field by field
     * @param cause the underlying error, can be {@code null}
     */
    public ConnectionException(String message, ServerDetails details, @Nullable Throwable cause) {
        super(message, details, cause);
    }
}
