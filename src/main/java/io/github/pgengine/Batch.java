package io.github.pgengine;

import static io.github.pgengine.internal.runtime.Completions.whenDone;

import io.github.pgengine.internal.tx.Cursor;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Rows of a query read in batches through a server-side cursor, from {@link PostgresEngine#batch}. Memory is
 * bounded by the batch size. The cursor holds a connection and a transaction until it is exhausted (an empty
 * batch), closed, or its {@code next()} future is cancelled.
 */
public final class Batch {
    private final Cursor cursor;

    Batch(Cursor cursor) {
        this.cursor = cursor;
    }

    /**
     * Fetches the next batch.
     *
     * @return up to the batch size rows, in order; an empty list when the rows have run out (the cursor is
     *     then closed). A batch shorter than the batch size is the last: the cursor closes with it, and the next
     *     call returns an empty list without asking the server. Cancelling the future closes the cursor and gives
     *     its connection back.
     */
    public CompletableFuture<List<Row>> next() {
        CompletableFuture<List<Row>> result = new CompletableFuture<>();
        if (cursor.isClosed()) {
            result.complete(List.of());
            return result;
        }
        whenDone(result, (r, e) -> {
            if (result.isCancelled()) {
                cursor.close();
            }
        });
        whenDone(cursor.fetch(), (qr, error) -> {
            if (error != null) {
                cursor.fail(result, error);
            } else {
                cursor.succeed(result, Rows.from(qr));
            }
        });
        return result;
    }

    /** Returns true once exhausted or closed. */
    public boolean isClosed() {
        return cursor.isClosed();
    }

    /**
     * Closes the cursor, ends its transaction and gives the connection back; idempotent.
     *
     * @return completes when the connection is back
     */
    public CompletableFuture<@Nullable Void> close() {
        return cursor.close();
    }
}
