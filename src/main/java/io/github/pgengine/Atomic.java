package io.github.pgengine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Statements queued to run together in one transaction: any failure rolls all of them back. The queue is
 * cleared when {@link #run()} starts, whether it then succeeds or not. Not thread-safe: build it on one thread.
 */
public final class Atomic {
    private final PostgresEngine engine;
    private final TransactionOptions options;
    private final List<Queued> queue = new ArrayList<>();

    private record Queued(String sql, List<@Nullable Object> params) {}

    Atomic(PostgresEngine engine, TransactionOptions options) {
        this.engine = engine;
        this.options = options;
    }

    /**
     * Queues a statement.
     *
     * @param sql one statement
     * @param params its values
     * @return this atomic, for chaining
     */
    public Atomic add(String sql, @Nullable Object... params) {
        queue.add(new Queued(
                Objects.requireNonNull(sql, "sql"),
                Arrays.asList(params == null ? new Object[] {null} : Arrays.copyOf(params, params.length))));
        return this;
    }

    /** Returns how many statements are queued. */
    public int size() {
        return queue.size();
    }

    /**
     * Runs the queued statements in order in one transaction and clears the queue.
     *
     * @return completes after COMMIT; fails with the first statement's error after ROLLBACK
     */
    public CompletableFuture<@Nullable Void> run() {
        List<Queued> statements = List.copyOf(queue);
        queue.clear();
        return engine.transaction(options, tx -> {
            CompletableFuture<?> chain = CompletableFuture.completedFuture(null);
            for (Queued q : statements) {
                chain = chain.thenCompose(v -> tx.execute(q.sql(), q.params().toArray()));
            }
            return chain.thenApply(v -> (Void) null);
        });
    }
}
