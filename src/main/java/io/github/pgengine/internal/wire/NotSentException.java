package io.github.pgengine.internal.wire;

import io.github.pgengine.ConnectionException;
import org.jspecify.annotations.Nullable;

/**
 * A request failed before any byte of it was written: the connection was already closed or broken. The server never
 * saw it, so a COMMIT that fails this way did not commit.
 */
public final class NotSentException extends ConnectionException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong
     * @param cause why the connection is closed, can be {@code null}
     */
    public NotSentException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
