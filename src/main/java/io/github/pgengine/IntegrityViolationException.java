package io.github.pgengine;

import org.jspecify.annotations.Nullable;

/**
 * A constraint was violated (SQLSTATE class 23: unique, foreign key, not null, check, exclusion).
 */
public class IntegrityViolationException extends EngineException {
    private static final long serialVersionUID = 1L;

    /**
     * An error raised by the engine itself.
     *
     * @param message what went wrong
     * @param cause the underlying error, can be {@code null}
     */
    public IntegrityViolationException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

    /**
     * An error reported by the server.
     *
     * @param message the full message
     * @param details what the server said, field by field
     * @param cause the underlying error, can be {@code null}
     */
    public IntegrityViolationException(String message, ServerDetails details, @Nullable Throwable cause) {
        super(message, details, cause);
    }
}
