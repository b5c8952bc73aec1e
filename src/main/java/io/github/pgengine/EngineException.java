package io.github.pgengine;

import org.jspecify.annotations.Nullable;

/**
 * The root of every error the engine reports.
 *
 * <p>Server errors carry the SQLSTATE and the fields PostgreSQL sent (message, detail, hint, constraint).
 * The message never contains a password. Futures returned by the engine fail with an
 * {@code EngineException} (or a subclass) directly, never wrapped in a {@code CompletionException}.
 */
public class EngineException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final @Nullable String sqlState;
    private final @Nullable String serverMessage;
    private final @Nullable String detail;
    private final @Nullable String hint;
    private final @Nullable String constraint;

    /**
     * An error that did not come from the server.
     *
     * @param message what went wrong
     * @param cause the underlying error, can be {@code null}
     */
    public EngineException(String message, @Nullable Throwable cause) {
        this(message, null, null, null, null, null, cause);
    }

    /**
     * An error with all server fields.
     *
     * @param message the full message
     * @param sqlState the SQLSTATE, can be {@code null}
     * @param serverMessage the server's primary message, can be {@code null}
     * @param detail the server's detail, can be {@code null}
     * @param hint the server's hint, can be {@code null}
     * @param constraint the violated constraint, can be {@code null}
     * @param cause the driver error, can be {@code null}
     */
    public EngineException(
            String message,
            @Nullable String sqlState,
            @Nullable String serverMessage,
            @Nullable String detail,
            @Nullable String hint,
            @Nullable String constraint,
            @Nullable Throwable cause) {
        super(message, cause);
        this.sqlState = sqlState;
        this.serverMessage = serverMessage;
        this.detail = detail;
        this.hint = hint;
        this.constraint = constraint;
    }

    /** @return the five-character SQLSTATE, or {@code null} when the error did not come from the server */
    public @Nullable String sqlState() {
        return sqlState;
    }

    /** @return the server's primary message, or {@code null} */
    public @Nullable String serverMessage() {
        return serverMessage;
    }

    /** @return the server's detail, or {@code null} */
    public @Nullable String detail() {
        return detail;
    }

    /** @return the server's hint, or {@code null} */
    public @Nullable String hint() {
        return hint;
    }

    /** @return the name of the violated constraint, or {@code null} */
    public @Nullable String constraint() {
        return constraint;
    }
}
