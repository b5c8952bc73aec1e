package io.github.pgengine.internal.driver;

import org.jspecify.annotations.Nullable;

/** A statement failed with an ErrorResponse from the server; the engine maps it by SQLSTATE. */
public final class ServerErrorException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient ServerError error;
    private final @Nullable String context;
    private final boolean sentAhead;

    /**
     * Creates the exception.
     *
     * @param error the server's fields
     */
    public ServerErrorException(ServerError error) {
        this(error, null);
    }

    /**
     * Creates the exception.
     *
     * @param error the server's fields
     * @param context where the error happened (e.g. {@code row 3 of 10 of the batch}), or {@code null}
     */
    public ServerErrorException(ServerError error, @Nullable String context) {
        this(error, context, false);
    }

    /**
     * Creates the exception.
     *
     * @param error the server's fields
     * @param context where the error happened, or {@code null}
     * @param sentAhead true when a statement sent ahead of the request's own (a transaction's BEGIN) failed, so the
     *     request's own statement did not run
     */
    public ServerErrorException(ServerError error, @Nullable String context, boolean sentAhead) {
        super(context == null ? error.toString() : error + " (at " + context + ")", null, false, false);
        this.error = error;
        this.context = context;
        this.sentAhead = sentAhead;
    }

    /** Returns true when a statement sent ahead of the request's own failed (its own did not run). */
    public boolean sentAhead() {
        return sentAhead;
    }

    /** Returns where the error happened, or {@code null}. */
    public @Nullable String context() {
        return context;
    }

    /** Returns the server's fields. */
    public ServerError error() {
        return error;
    }
}
