package io.github.pgengine.internal.exec;

import static io.github.pgengine.internal.runtime.Completions.whenDone;

import io.github.pgengine.internal.errors.ErrorMapper;
import io.github.pgengine.internal.observe.Observers;
import io.github.pgengine.internal.runtime.EngineThreads;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Completes callers' futures as every engine future completes: on the callback executor when one is set (else here,
 * or on an I/O thread when here is one of the engine's own threads), errors mapped to the public exceptions.
 */
public final class CallerFutures {
    private final String where;
    private final @Nullable Executor callbacks;

    /**
     * @param where the target, for messages ({@code user@host:port/db})
     * @param callbacks completes callers' futures, or {@code null} to complete them on the I/O thread
     */
    public CallerFutures(String where, @Nullable Executor callbacks) {
        this.where = where;
        this.callbacks = callbacks;
    }

    /** Returns the target, for messages. */
    public String where() {
        return where;
    }

    /**
     * Completes a caller's future with a value.
     *
     * @param future the caller's future
     * @param value the value
     * @param <T> its type
     */
    public <T extends @Nullable Object> void succeed(CompletableFuture<T> future, @Nullable T value) {
        succeed(Observers.Call.NONE, future, value);
    }

    /**
     * Completes a caller's future with a value, wrapped by the call's observers.
     *
     * @param call the call
     * @param future the caller's future
     * @param value the value
     * @param <T> its type
     */
    public <T extends @Nullable Object> void succeed(
            Observers.Call call, CompletableFuture<T> future, @Nullable T value) {
        complete(call.wrap(() -> future.complete(value)));
    }

    /**
     * Fails a caller's future with the mapped error.
     *
     * @param future the caller's future
     * @param error any error
     */
    public void fail(CompletableFuture<?> future, Throwable error) {
        fail(Observers.Call.NONE, future, error);
    }

    /**
     * Fails a caller's future with the mapped error, wrapped by the call's observers.
     *
     * @param call the call
     * @param future the caller's future
     * @param error any error
     */
    public void fail(Observers.Call call, CompletableFuture<?> future, Throwable error) {
        RuntimeException mapped = mapped(error);
        complete(call.wrap(() -> future.completeExceptionally(mapped)));
    }

    /**
     * Fails a caller's future with an error as it is (only wrappers removed): for errors of the caller's own
     * callbacks, which must reach the caller unchanged.
     *
     * @param future the caller's future
     * @param error the error
     */
    public void failUnmapped(CompletableFuture<?> future, Throwable error) {
        failUnmapped(Observers.Call.NONE, future, error);
    }

    /**
     * Fails a caller's future with an error as it is, wrapped by the call's observers.
     *
     * @param call the call
     * @param future the caller's future
     * @param error the error
     */
    public void failUnmapped(Observers.Call call, CompletableFuture<?> future, Throwable error) {
        Throwable e = ErrorMapper.unwrap(error);
        complete(call.wrap(() -> future.completeExceptionally(e)));
    }

    /**
     * A caller's copy of an engine-internal future, completed through {@link #succeed} and {@link #fail}.
     *
     * @param internal the engine's future
     * @param <T> its type
     * @return the caller's future
     */
    public <T extends @Nullable Object> CompletableFuture<T> deliver(CompletableFuture<T> internal) {
        CompletableFuture<T> out = new CompletableFuture<>();
        whenDone(internal, (v, e) -> {
            if (e != null) {
                fail(out, e);
            } else {
                succeed(out, v);
            }
        });
        return out;
    }

    /**
     * Maps an error as the engine's callers see it.
     *
     * @param error any error
     * @return the error to hand the caller
     */
    public RuntimeException mapped(Throwable error) {
        return ErrorMapper.map(error, where);
    }

    /**
     * Runs the completion of a caller's future: on the callback executor when one is set, else here, unless here is
     * one of the engine's own threads (the timer): then on an I/O thread, so user code never runs on them.
     *
     * @param completion completes the future
     */
    public void complete(Runnable completion) {
        if (callbacks != null) {
            callbacks.execute(completion);
        } else {
            EngineThreads.offEngineThreads(completion);
        }
    }
}
