package io.github.pgengine.internal.runtime;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the engine's own reactions to a completion (give a connection back, complete a caller's future, start the next
 * step). {@code stage.whenComplete(action)} returns a stage that would hold an exception the action threw, and the
 * engine never looks at that stage: such an exception would vanish, and with it whatever the action had still to do.
 * Here it is logged as the defect it is, on {@code io.github.pgengine.defect}.
 */
public final class Completions {
    private static final Logger DEFECTS = LoggerFactory.getLogger("io.github.pgengine.defect");

    private Completions() {}

    /**
     * Returns the future {@code call} returns, or a failed one when it throws: a caller then has one path for every
     * failure.
     *
     * @param call starts something
     * @param <T> the value's type
     */
    public static <T extends @Nullable Object> CompletableFuture<T> calling(Supplier<CompletableFuture<T>> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Runs {@code action} once {@code stage} completes, on the thread that completes it (or here, when it already
     * has); an exception the action throws is logged at ERROR.
     *
     * @param stage the stage
     * @param action told of its value or its error
     * @param <T> the value's type
     */
    @SuppressWarnings("FutureReturnValueIgnored") // the returned stage holds only what the action threw, logged here
    public static <T extends @Nullable Object> void whenDone(
            CompletionStage<T> stage, BiConsumer<? super T, ? super @Nullable Throwable> action) {
        stage.whenComplete((value, error) -> {
            try {
                action.accept(value, error);
            } catch (RuntimeException | Error thrown) {
                DEFECTS.error("an engine callback failed; please report this as a pgengine defect", thrown);
            }
        });
    }
}
