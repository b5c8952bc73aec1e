package io.github.pgengine.internal.tx;

import static io.github.pgengine.internal.runtime.Completions.whenDone;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import io.github.pgengine.internal.errors.ErrorMapper;
import io.github.pgengine.internal.sql.Identifiers;
import io.github.pgengine.internal.wire.Result;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A sub-transaction on a savepoint, and the template that runs one: make the savepoint, run the caller's work,
 * then release the savepoint when the work succeeded or roll back to it when the work failed, unless the work
 * ended the sub-transaction itself.
 *
 * <p>Cancelling the sub-transaction's future ends it at once: its statements not yet sent are never sent, the one
 * running is cancelled on the server, those of its own sub-transactions too, and the transaction rolls back to the
 * savepoint; the outer transaction may go on. A statement the work queues afterwards fails.
 */
public final class SavepointScope {
    private final Attempt attempt;
    private final String name;
    private final String quoted;
    private final AtomicBoolean ended = new AtomicBoolean();
    /** The caller's steps of this sub-transaction that have not completed, and its own sub-transactions. */
    private final Set<StepFuture<?>> steps = ConcurrentHashMap.newKeySet();

    private final Set<SavepointScope> children = ConcurrentHashMap.newKeySet();

    private SavepointScope(Attempt attempt, String name) {
        this.attempt = attempt;
        this.name = name;
        this.quoted = Identifiers.quote(name, "savepoint name");
    }

    /**
     * Runs work as a sub-transaction of the attempt on a generated savepoint.
     *
     * @param attempt the transaction's attempt
     * @param parent the sub-transaction this one runs in, or null for the transaction itself
     * @param facade makes the caller's view of the sub-transaction
     * @param work the caller's callback
     * @param <X> the caller's view
     * @param <T> the work's result
     * @return the work's result, delivered as the engine delivers results
     */
    public static <X, T extends @Nullable Object> CompletableFuture<T> run(
            Attempt attempt,
            @Nullable SavepointScope parent,
            Function<SavepointScope, X> facade,
            Function<? super X, ? extends CompletionStage<T>> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        SavepointScope scope = new SavepointScope(attempt, attempt.savepoints().nextName());
        if (parent != null) {
            parent.children.add(scope);
            whenDone(result, (v, e) -> parent.children.remove(scope));
        }
        CompletableFuture<Result> saved = attempt.savepoints().create(scope.quoted, scope.name);
        whenDone(result, (v, e) -> {
            if (result.isCancelled() && scope.end()) {
                scope.stopSteps();
                if (!saved.isCompletedExceptionally()) {
                    scope.finish(false);
                }
            }
        });
        whenDone(saved, (r, error) -> {
            if (error != null) {
                attempt.callers().fail(result, error);
                return;
            }
            if (result.isDone()) {
                return; // cancelled before the savepoint existed: the work never runs
            }
            Work.call(work, facade.apply(scope)).whenComplete((value, workError) -> {
                if (!scope.end()) {
                    // the work committed or rolled back the sub-transaction itself
                    scope.complete(result, value, workError);
                } else if (workError == null) {
                    whenDone(scope.finish(true), (x, endError) -> scope.complete(result, value, endError));
                } else {
                    Throwable e = ErrorMapper.unwrap(workError);
                    whenDone(scope.finish(false), (x, rollbackError) -> {
                        if (rollbackError != null) {
                            e.addSuppressed(ErrorMapper.map(rollbackError, "the transaction's connection"));
                        }
                        attempt.callers().failUnmapped(result, e);
                    });
                }
            });
        });
        return result;
    }

    /**
     * Follows a caller's step of this sub-transaction, so that cancelling the sub-transaction stops it.
     *
     * @param step the caller's future of the step
     */
    public void track(StepFuture<?> step) {
        steps.add(step);
        whenDone(step, (v, e) -> steps.remove(step));
        if (ended.get()) {
            step.cancel(false);
        }
    }

    /** Stops the steps of this sub-transaction and of its own sub-transactions that have not completed. */
    private void stopSteps() {
        for (StepFuture<?> step : steps) {
            step.cancel(false);
        }
        for (SavepointScope child : children) {
            child.end();
            child.stopSteps();
        }
    }

    /** Returns the savepoint's name. */
    public String name() {
        return name;
    }

    /** Returns true once the sub-transaction was released or rolled back. */
    public boolean isEnded() {
        return ended.get();
    }

    /**
     * Marks the sub-transaction ended.
     *
     * @return true for the first caller only
     */
    public boolean end() {
        return ended.compareAndSet(false, true);
    }

    /**
     * Releases the savepoint or rolls back to it (and releases it).
     *
     * @param release true to release, false to roll back
     * @return completes when done
     */
    @CanIgnoreReturnValue
    public CompletableFuture<?> finish(boolean release) {
        return attempt.savepoints().end(quoted, name, release);
    }

    private <T extends @Nullable Object> void complete(
            CompletableFuture<T> result, @Nullable T value, @Nullable Throwable error) {
        if (error != null) {
            attempt.callers().fail(result, error);
        } else {
            attempt.callers().succeed(result, value);
        }
    }

    @Override
    public String toString() {
        return "savepoint " + name;
    }
}
