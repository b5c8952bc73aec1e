package io.github.pgengine.internal.tx;

import static io.github.pgengine.internal.runtime.Completions.whenDone;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import io.github.pgengine.TransactionException;
import io.github.pgengine.internal.exec.QueryRunner;
import io.github.pgengine.internal.observe.Observers;
import io.github.pgengine.internal.pool.Lease;
import io.github.pgengine.internal.sql.ParsedSql;
import io.github.pgengine.internal.sql.Statement;
import io.github.pgengine.internal.sql.StatementCache;
import io.github.pgengine.internal.wire.Result;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
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
    private final Attempt attempt;
    private final String fetchSql;
    private final int batchSize;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Observers observers;

    private Cursor(TransactionSession session, int batchSize, Observers observers) {
        this.session = session;
        this.observers = observers;
        this.attempt = session.begin();
        this.batchSize = batchSize;
        this.fetchSql = "FETCH FORWARD " + batchSize + " FROM " + NAME;
    }

    /**
     * Checks a query for a cursor, before any connection is borrowed.
     *
     * @param statements the engine's parse cache
     * @param sql the query (one SELECT, VALUES, ... with {@code $1} or {@code ?} placeholders)
     * @param params its values
     * @return the DECLARE statement, which observers see as the caller's statement: the query's operation
     *     ({@code SELECT}, {@code WITH}, ...), not {@code DECLARE}
     * @throws IllegalArgumentException naming what is wrong
     */
    public static Statement declare(StatementCache statements, String sql, Object[] params) {
        ParsedSql query = statements.statement(sql);
        Statement declare = Statement.of(statements, "DECLARE " + NAME + " NO SCROLL CURSOR FOR " + sql, params);
        return new Statement(declare.sql().reportedAs(query.operation()), declare.values(), declare.encoded());
    }

    /**
     * Opens a cursor.
     *
     * @param lease the borrowed connection (given back when the cursor ends)
     * @param runner the engine's statement runner
     * @param statements the engine's parse cache
     * @param declare the DECLARE statement from {@link #declare}
     * @param batchSize rows per FETCH
     * @param call the caller's call, to which observers see the DECLARE belong
     * @param observers told of the rows each FETCH brings
     * @return the open cursor; on failure the connection has been given back
     */
    public static CompletableFuture<Cursor> open(
            Lease lease,
            QueryRunner runner,
            StatementCache statements,
            Statement declare,
            int batchSize,
            Observers.Call call,
            Observers observers) {
        TransactionSession session = new TransactionSession(lease, runner, statements, false, false, call);
        Cursor cursor = new Cursor(session, batchSize, observers);
        CompletableFuture<Cursor> opened = new CompletableFuture<>();
        cursor.attempt.beginWith(List.of("BEGIN READ ONLY"));
        whenDone(cursor.attempt.statement(declare), (r, error) -> {
            if (error != null) {
                whenDone(cursor.close(), (v, e) -> opened.completeExceptionally(error));
            } else if (!opened.complete(cursor)) {
                cursor.close();
            }
        });
        return opened;
    }

    /**
     * Fetches the next batch. A batch shorter than the batch size (empty included) is the last: the cursor then
     * closes itself at once, without a further FETCH to learn that the rows ran out.
     *
     * @return the rows; fails with the server's error (the cursor is then closed)
     */
    public CompletableFuture<Result> fetch() {
        if (closed.get()) {
            return CompletableFuture.failedFuture(new TransactionException(
                    "the cursor is closed (exhausted, failed, cancelled or closed by the caller)"));
        }
        return attempt.control(fetchSql).whenComplete((r, error) -> {
            if (error != null) {
                close();
                return;
            }
            int rows = r.rowData().size();
            if (rows > 0) {
                observers.cursorRows(rows);
            }
            if (rows < batchSize) {
                close();
            }
        });
    }

    /** Returns true once the cursor has ended. */
    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Completes a caller's future with a value, as every caller's future completes.
     *
     * @param future the caller's future
     * @param value the value
     * @param <T> its type
     */
    public <T extends @Nullable Object> void succeed(CompletableFuture<T> future, @Nullable T value) {
        session.callers().succeed(future, value);
    }

    /**
     * Fails a caller's future with the error mapped to the public exceptions, as every caller's future completes.
     *
     * @param future the caller's future
     * @param error any error
     */
    public void fail(CompletableFuture<?> future, Throwable error) {
        session.callers().fail(future, error);
    }

    /**
     * Ends the cursor's transaction (a statement in flight is cancelled) and gives the connection back; idempotent.
     *
     * @return completes when the connection is back
     */
    @CanIgnoreReturnValue
    public CompletableFuture<@Nullable Void> close() {
        closed.set(true);
        return session.abandon();
    }
}
