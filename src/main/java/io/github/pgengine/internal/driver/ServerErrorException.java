package io.github.pgengine.internal.driver;

/** A statement failed with an ErrorResponse from the server; the engine maps it by SQLSTATE. */
public final class ServerErrorException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient ServerError error;

    /** @param error the server's fields */
    public ServerErrorException(ServerError error) {
        super(error.toString(), null, false, false);
        this.error = error;
    }

    /** Returns the server's fields. */
    public ServerError error() {
        return error;
    }
}
