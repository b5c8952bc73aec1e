package io.github.pgengine.internal.wire;

import io.github.pgengine.ConnectionException;
import org.jspecify.annotations.Nullable;

/**
 * A connection kept because its server was a standby found, at the start of a call, that the server had been
 * promoted: nothing of the call ran (the server skipped it), so it is safe to run again on another connection; the
 * connection was closed.
 */
public final class NoLongerStandbyException extends ConnectionException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what happened
     * @param cause the server's error for the check, can be {@code null}
     */
    public NoLongerStandbyException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
