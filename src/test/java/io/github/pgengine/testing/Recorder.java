package io.github.pgengine.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Flow.Subscriber} for tests: records every signal, requests only what the test asks for, and notes any
 * {@code onNext} beyond what was requested (Reactive Streams rule 1.1) or after a terminal signal.
 *
 * @param <T> the element type
 */
public final class Recorder<T> implements Flow.Subscriber<T> {
    private final List<T> items = new CopyOnWriteArrayList<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final AtomicLong requested = new AtomicLong();
    private final CompletableFuture<Flow.Subscription> subscription = new CompletableFuture<>();
    private final CompletableFuture<@Nullable Void> completed = new CompletableFuture<>();
    private final long initialRequest;

    /** @param initialRequest how many to request in onSubscribe (0 for none, Long.MAX_VALUE for all) */
    public Recorder(long initialRequest) {
        this.initialRequest = initialRequest;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription.complete(s);
        if (initialRequest > 0) {
            request(initialRequest);
        }
    }

    @Override
    public void onNext(T item) {
        if (completed.isDone()) {
            violations.add("onNext after a terminal signal: " + item);
        }
        if (requested.getAndUpdate(r -> r == Long.MAX_VALUE ? r : r - 1) <= 0) {
            violations.add("onNext beyond demand: " + item);
        }
        items.add(item);
    }

    @Override
    public void onError(Throwable throwable) {
        if (!completed.completeExceptionally(throwable)) {
            violations.add("a second terminal signal: " + throwable);
        }
    }

    @Override
    public void onComplete() {
        if (!completed.complete(null)) {
            violations.add("a second terminal signal: onComplete");
        }
    }

    /** Requests {@code n} more. */
    public void request(long n) {
        requested.getAndUpdate(r -> r + n < 0 ? Long.MAX_VALUE : r + n);
        Await.result(subscription).request(n);
    }

    /** Cancels the subscription. */
    public void cancel() {
        Await.result(subscription).cancel();
    }

    /** Waits until at least {@code n} items have arrived and returns the first {@code n}. */
    public List<T> await(int n) {
        Await.until("at least " + n + " items", () -> items.size() >= n, () -> "(got " + items + ")");
        return new ArrayList<>(items.subList(0, n));
    }

    /** Returns the items so far. */
    public List<T> items() {
        return new ArrayList<>(items);
    }

    /** Waits for onError and returns the error. */
    public Throwable awaitError() {
        return Await.failure(completed);
    }

    /** Waits for onComplete. */
    public void awaitComplete() {
        Await.result(completed);
    }

    /** Returns true after onError or onComplete. */
    public boolean isTerminated() {
        return completed.isDone();
    }

    /** Returns the rule violations seen (empty when the publisher behaved). */
    public List<String> violations() {
        return new ArrayList<>(violations);
    }
}
