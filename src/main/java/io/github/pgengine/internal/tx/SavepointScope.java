package io.github.pgengine.internal.tx;

import io.github.pgengine.internal.ErrorMapper;
import io.github.pgengine.internal.sql.Identifiers;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A sub-transaction on a savepoint, and the template that runs one: make the savepoint, run the caller's work,
 * then release the savepoint when the work succeeded or roll back to it when the work failed, unless the work
 * ended the sub-transaction itself.
 */
public final class SavepointScope {
    private final Attempt attempt;
    private final String name;
    private final String quoted;
    private final AtomicBoolean ended = new AtomicBoolean();

    private SavepointScope(Attempt attempt, String name) {
        this.attempt = attempt;
        this.name = name;
        this.quoted = Identifiers.quote(name, "savepoint name");
    }

    /**
     * Runs work as a sub-transaction of the attempt on a generated savepoint.
     *
     * @param attempt the transaction's attempt
     * @param facade makes the caller's view of the sub-transaction
     * @param work the caller's callback
     * @param <X> the caller's view
     * @param <T> the work's result
     * @return the work's result, delivered as the engine delivers results
     */
    public static <X, T extends @Nullable Object> CompletableFuture<T> run(
            Attempt attempt,
            Function<SavepointScope, X> facade,
            Function<? super X, ? extends CompletionStage<T>> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        SavepointScope scope = new SavepointScope(attempt, attempt.nextSavepointName());
        attempt.savepoint(scope.quoted, scope.name).whenComplete((r, error) -> {
            if (error != null) {
                attempt.session().runner().fail(result, error);
                return;
            }
            Work.call(work, facade.apply(scope)).whenComplete((value, workError) -> {
                if (!scope.end()) {
                    // the work committed or rolled back the sub-transaction itself
                    scope.complete(result, value, workError);
                } else if (workError == null) {
                    scope.finish(true).whenComplete((x, endError) -> scope.complete(result, value, endError));
                } else {
                    Throwable e = ErrorMapper.unwrap(workError);
                    scope.finish(false).whenComplete((x, rollbackError) -> {
                        if (rollbackError != null) {
                            e.addSuppressed(ErrorMapper.map(rollbackError, "the transaction's connection"));
                        }
                        attempt.session().runner().failUnmapped(result, e);
                    });
                }
            });
        });
        return result;
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
    public CompletableFuture<?> finish(boolean release) {
        return attempt.endSavepoint(quoted, name, release);
    }

    private <T extends @Nullable Object> void complete(
            CompletableFuture<T> result, @Nullable T value, @Nullable Throwable error) {
        if (error != null) {
            attempt.session().runner().fail(result, error);
        } else {
            attempt.session().runner().succeed(result, value);
        }
    }

    @Override
    public String toString() {
        return "savepoint " + name;
    }
}
