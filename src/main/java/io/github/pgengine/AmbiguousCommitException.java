package io.github.pgengine;

import org.jspecify.annotations.Nullable;

/**
 * The server could not tell whether the transaction committed (SQLSTATE 40003, CockroachDB's "result is
 * ambiguous"). The engine never retries it on its own unless the transaction is marked idempotent: check the
 * data, then decide.
 */
public class AmbiguousCommitException extends EngineException {
    private static final long serialVersionUID = 1L;

    /**
     * An error raised by the engine itself.
     *
     * @param message what went wrong
     * @param cause the underlying error, can be {@code null}
     */
    public AmbiguousCommitException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

    /**
     * An error reported by the server.
     *
     * @param message the full message
     * @param details what the server said, field by field
     * @param cause the underlying error, can be {@code null}
     */
    public AmbiguousCommitException(String message, ServerDetails details, @Nullable Throwable cause) {
        super(message, details, cause);
    }
}
