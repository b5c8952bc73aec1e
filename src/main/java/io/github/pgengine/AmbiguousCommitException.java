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
     * An error reported by the server.
     *
     * @param message the full message
     * @param sqlState the SQLSTATE
     * @param serverMessage the server's primary message, can be {@code null}
     * @param detail the server's detail, can be {@code null}
     * @param hint the server's hint, can be {@code null}
     * @param cause the driver error, can be {@code null}
     */
    public AmbiguousCommitException(
            String message,
            @Nullable String sqlState,
            @Nullable String serverMessage,
            @Nullable String detail,
            @Nullable String hint,
            @Nullable Throwable cause) {
        super(message, sqlState, serverMessage, detail, hint, null, cause);
    }
}
