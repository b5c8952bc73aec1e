package io.github.pgengine.internal.tx;

import io.github.pgengine.internal.wire.Result;
import org.jspecify.annotations.Nullable;

/** Told of a step's result in place of a future: a caller's statement, mapped and handed to the caller. */
@FunctionalInterface
public interface ResultSink {
    /**
     * The step ended.
     *
     * @param result its result, null when it failed
     * @param error why it failed (unwrapped, not yet mapped), null when it succeeded
     */
    void accept(@Nullable Result result, @Nullable Throwable error);
}
