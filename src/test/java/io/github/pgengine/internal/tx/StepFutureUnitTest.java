package io.github.pgengine.internal.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * A caller that gives a running step up keeps its own outcome, even when the engine answers the stop at once (here
 * the stop delivers the server's cancellation synchronously, the fastest the engine can be): an {@code orTimeout}'s
 * TimeoutException, a caller's own value or error, a cancel.
 */
class StepFutureUnitTest {
    /** A running step whose stop makes the engine deliver the server's cancellation before returning. */
    private static StepFuture<String> runningWithAnInstantStop() {
        StepFuture<String> step = new StepFuture<>(true);
        assertThat(step.send()).isTrue();
        step.sent(() -> {
            if (!step.settle(false)) {
                step.deliverError(new CancellationException("the caller cancelled this statement while it ran"));
            }
            return CompletableFuture.completedFuture(null);
        });
        return step;
    }

    @Test
    void theCallersTimeoutStaysATimeout() {
        StepFuture<String> step = runningWithAnInstantStop();
        assertThat(step.completeExceptionally(new TimeoutException())).isTrue();
        assertThat(step).isCompletedExceptionally();
        assertThatThrownBy(step::join).hasCauseInstanceOf(TimeoutException.class);
        assertThat(step.stopped()).isCompleted();
    }

    @Test
    void theCallersValueStaysItsValue() {
        StepFuture<String> step = runningWithAnInstantStop();
        assertThat(step.complete("mine")).isTrue();
        assertThat(step.join()).isEqualTo("mine");
    }

    @Test
    void aCancelIsACancel() {
        StepFuture<String> step = runningWithAnInstantStop();
        assertThat(step.cancel(false)).isTrue();
        assertThat(step).isCancelled();
    }

    @Test
    void aSettledStepCannotBeGivenUp() {
        StepFuture<String> step = new StepFuture<>(true);
        step.send();
        step.sent(() -> CompletableFuture.completedFuture(null));
        assertThat(step.settle(true)).isTrue();
        step.deliver("engine's");
        assertThat(step.completeExceptionally(new TimeoutException())).isFalse();
        assertThat(step.join()).isEqualTo("engine's");
    }
}
