package io.github.pgengine.internal.wire;

import org.jspecify.annotations.Nullable;

/**
 * A statement failed with an ErrorResponse from the server, or the server refused to open a session; the engine maps
 * it by SQLSTATE.
 */
public final class ServerErrorException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient ServerError error;
    private final @Nullable String context;
    private final boolean sentAhead;
    private final boolean notRun;
    private final boolean refusedSession;

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
        this(error, context, sentAhead, false);
    }

    /**
     * Creates the exception.
     *
     * @param error the server's fields
     * @param context where the error happened, or {@code null}
     * @param sentAhead as {@link #ServerErrorException(ServerError, String, boolean)}
     * @param notRun true when the server ended the session before it ran any of the request (see {@link #notRun()})
     */
    public ServerErrorException(ServerError error, @Nullable String context, boolean sentAhead, boolean notRun) {
        this(error, context, sentAhead, notRun, false);
    }

    private ServerErrorException(
            ServerError error, @Nullable String context, boolean sentAhead, boolean notRun, boolean refusedSession) {
        super(context == null ? error.toString() : error + " (at " + context + ")", null, false, false);
        this.error = error;
        this.context = context;
        this.sentAhead = sentAhead;
        this.notRun = notRun;
        this.refusedSession = refusedSession;
    }

    /**
     * The server refused to open a session (during start-up or authentication: a wrong password, a missing database,
     * too many clients, a server starting up); whatever its SQLSTATE, the engine reports a connection failure.
     *
     * @param error the server's fields
     * @return the exception
     */
    public static ServerErrorException refusedSession(ServerError error) {
        return new ServerErrorException(error, null, false, false, true);
    }

    /** Returns true when the server refused to open the session (see {@link #refusedSession(ServerError)}). */
    public boolean refusedSession() {
        return refusedSession;
    }

    /**
     * Returns true when the server provably did not run the request: it ended the session (FATAL, e.g. a backend
     * terminated while the connection was idle) before it answered any message of a request that began with Parse or
     * Bind. Such a request is safe to send again on another connection.
     */
    public boolean notRun() {
        return notRun;
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
