package io.github.pgengine.internal;

import com.github.jasync.sql.db.QueryResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A server-side cursor on a pinned connection: {@code BEGIN READ ONLY}, {@code DECLARE ... NO SCROLL CURSOR},
 * then {@code FETCH n} per batch, so memory stays bounded by the batch size. Exhausting, closing, failing or
 * cancelling ends the transaction and gives the connection back, exactly once.
 */
public final class Cursor {
    /** The cursor's name; one cursor per transaction, so it is constant (and the FETCH text is cacheable). */
    private static final String NAME = "pgengine_cursor";

    private final TransactionSession session;
    private final Consumer<DbConnection> release;
    private final String fetchSql;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CompletableFuture<Void> closing = new CompletableFuture<>();

    private Cursor(TransactionSession session, Consumer<DbConnection> release, int batchSize) {
        this.session = session;
        this.release = release;
        this.fetchSql = "FETCH FORWARD " + batchSize + " FROM " + NAME;
    }

    /**
     * Opens a cursor.
     *
     * @param connection a borrowed connection (given back through {@code release} when the cursor ends)
     * @param release gives the connection back
     * @param runner the engine's statement runner
     * @param statements the engine's parse cache
     * @param sql the query (one SELECT, VALUES, ... with {@code $1} or {@code ?} placeholders)
     * @param params its values
     * @param batchSize rows per FETCH
     * @return the open cursor; on failure the connection has been given back
     */
    public static CompletableFuture<Cursor> open(DbConnection connection, Consumer<DbConnection> release,
            QueryRunner runner, StatementCache statements, String sql, @Nullable Object[] params, int batchSize) {
        TransactionSession session = new TransactionSession(connection, runner, statements, false, false);
        Cursor cursor = new Cursor(session, release, batchSize);
        CompletableFuture<Cursor> opened = new CompletableFuture<>();
        session.control("BEGIN READ ONLY", false)
                .thenCompose(r -> session.run("DECLARE " + NAME + " NO SCROLL CURSOR FOR " + sql, params))
                .whenComplete((r, error) -> {
                    if (error != null) {
                        cursor.close().whenComplete((v, e) -> opened.completeExceptionally(error));
                    } else if (!opened.complete(cursor)) {
                        cursor.close();
                    }
                });
        return opened;
    }

    /**
     * Fetches the next batch. An empty batch means the end; the cursor then closes itself.
     *
     * @return the rows; fails with the server's error (the cursor is then closed)
     */
    public CompletableFuture<QueryResult> fetch() {
        if (closed.get()) {
            return CompletableFuture.failedFuture(new io.github.pgengine.TransactionException(
                    "the cursor is closed (exhausted, failed, cancelled or closed by the caller)"));
        }
        return session.control(fetchSql, false).whenComplete((r, error) -> {
            if (error != null || r.getRows().isEmpty()) {
                close();
            }
        });
    }

    /** @return true once the cursor has ended */
    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Ends the cursor's transaction (after the statement in flight) and gives the connection back; idempotent.
     *
     * @return completes when the connection is back
     */
    public CompletableFuture<Void> close() {
        if (!closed.compareAndSet(false, true)) {
            return closing.copy();
        }
        session.end(TransactionSession.State.ABANDONED);
        session.runner().canceller().cancel(session.connection())
                .thenCompose(v -> session.control("ROLLBACK", true)).whenComplete((r, error) -> {
            if (error != null) {
                session.connection().retire();
            }
            release.accept(session.connection());
            closing.complete(null);
        });
        return closing.copy();
    }
}
