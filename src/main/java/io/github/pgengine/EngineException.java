package io.github.pgengine;

import org.jspecify.annotations.Nullable;

/**
 * The root of every error the engine reports.
 *
 * <p>Server errors carry what the server said ({@link #details()}: SQLSTATE, message, detail, hint and, where the
 * server gives them, position, schema, table, column and constraint). The message never contains a password.
 * Futures returned by the engine fail with an {@code EngineException} (or a subclass) directly, never wrapped in a
 * {@code CompletionException}. Every subclass has the same two constructors: {@code (message, cause)} for errors of
 * the engine's own and {@code (message, details, cause)} for the server's.
 */
public class EngineException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ServerDetails details;

    /**
     * An error that did not come from the server.
     *
     * @param message what went wrong
     * @param cause the underlying error, can be {@code null}
     */
    public EngineException(String message, @Nullable Throwable cause) {
        this(message, ServerDetails.NONE, cause);
    }

    /**
     * An error reported by the server.
     *
     * @param message the full message
     * @param details what the server said, field by field
     * @param cause the underlying error, can be {@code null}
     */
    public EngineException(String message, ServerDetails details, @Nullable Throwable cause) {
        super(message, cause);
        this.details = details;
    }

    /** Returns what the server said; {@link ServerDetails#NONE} for errors of the engine's own. */
    public ServerDetails details() {
        return details;
    }

    /** Returns the five-character SQLSTATE, or {@code null} when the error did not come from the server. */
    public @Nullable String sqlState() {
        return details.sqlState();
    }

    /** Returns the server's primary message, or {@code null}. */
    public @Nullable String serverMessage() {
        return details.message();
    }

    /** Returns the server's detail, or {@code null}. */
    public @Nullable String detail() {
        return details.detail();
    }

    /** Returns the server's hint, or {@code null}. */
    public @Nullable String hint() {
        return details.hint();
    }

    /** Returns the name of the violated constraint, or {@code null}. */
    public @Nullable String constraint() {
        return details.constraint();
    }
}
