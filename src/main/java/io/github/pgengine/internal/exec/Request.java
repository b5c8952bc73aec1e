package io.github.pgengine.internal.exec;

import io.github.pgengine.internal.sql.BatchStatement;
import io.github.pgengine.internal.sql.ParsedSql;
import io.github.pgengine.internal.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * What one caller's request sends, checked and encoded before any connection is borrowed: one statement, or one
 * batch.
 *
 * @param sql the statement, as observers see it
 * @param statement the statement with its values, or null for a batch
 * @param batch the batch, or null for a statement
 * @param independentRows a batch whose rows commit one by one: part of it may have committed, so it is never sent
 *     again, and a cancel must hit the running row and none of the rows sent behind it
 * @param sentAt when set, takes {@link System#nanoTime()} as each send leaves (a ping times its round trip)
 */
public record Request(
        ParsedSql sql,
        @Nullable Statement statement,
        @Nullable BatchStatement batch,
        boolean independentRows,
        @Nullable AtomicLong sentAt) {

    /**
     * One statement.
     *
     * @param statement the statement with its values
     * @return the request
     */
    public static Request of(Statement statement) {
        return new Request(statement.sql(), statement, null, false, null);
    }

    /**
     * One batch.
     *
     * @param batch the statement and its rows
     * @param independentRows whether each row commits on its own
     * @return the request
     */
    public static Request of(BatchStatement batch, boolean independentRows) {
        return new Request(batch.sql(), null, batch, independentRows, null);
    }

    /**
     * This request, noting when each send leaves.
     *
     * @param clock takes the time
     * @return the timed request
     */
    public Request timed(AtomicLong clock) {
        return new Request(sql, statement, batch, independentRows, clock);
    }

    /** Returns its rows when it is a batch, else 0 (as observers see it). */
    public int batchSize() {
        return batch == null ? 0 : batch.encoded().size();
    }
}
