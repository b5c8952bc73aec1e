package io.github.pgengine;

import org.jspecify.annotations.Nullable;

/**
 * The engine (or its pool) was closed before or while the work was submitted.
 */
public class EngineClosedException extends EngineException {
    private static final long serialVersionUID = 1L;

    /**
     * An error raised by the engine itself.
     *
     * @param message what went wrong
     * @param cause the underlying error, can be {@code null}
     */
    public EngineClosedException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

    /**
     * An error reported by the server.
     *
     * @param message the full message
     * @param details what the server said, field by field
     * @param cause the underlying error, can be {@code null}
     */
    public EngineClosedException(String message, ServerDetails details, @Nullable Throwable cause) {
        super(message, details, cause);
    }
}
