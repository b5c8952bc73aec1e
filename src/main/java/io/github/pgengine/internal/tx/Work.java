package io.github.pgengine.internal.tx;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/** Calls a caller's transaction callback: whatever it throws or returns becomes a stage. */
final class Work {
    private Work() {}

    /**
     * Applies the callback.
     *
     * @return its stage; a failed one when it threw or returned null
     */
    @SuppressWarnings("NullAway") // a Java caller's callback may return null despite the signature
    static <X, T extends @Nullable Object> CompletionStage<T> call(
            Function<? super X, ? extends CompletionStage<T>> work, X argument) {
        try {
            CompletionStage<T> stage = work.apply(argument);
            if (stage == null) {
                throw new NullPointerException("the transaction callback returned null instead of a CompletionStage");
            }
            return stage;
        } catch (Throwable t) {
            return CompletableFuture.failedFuture(t);
        }
    }
}
