package io.github.pgengine.internal.wire;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * An exchange that runs statements for a batch of rows and keeps only a count per row; rows the statements return
 * are skipped. A statement that carries one row gives that row its count; one that carries several gives each of them
 * 1 when its count equals its rows, else {@link Result#SUCCESS_NO_INFO} (some rows did nothing, and which is not
 * known). A server error names the row, or the rows of the multi-row statement, that failed.
 */
sealed class BatchExchange extends Exchange permits BatchStepExchange {
    /** The count of each of the caller's rows, in order. */
    private final long[] counts;
    /** How many of the caller's rows each statement carries. */
    private final int[] rowsPerStatement;
    /** The batch's row this exchange's first row is. */
    private final int firstRow;
    /** The rows of the whole batch. */
    private final int batchRows;
    /** The caller's row the next statement to complete starts with. */
    private int nextRow;

    /**
     * Makes an exchange for a whole batch.
     *
     * @param request the messages
     * @param rowsPerStatement how many rows each Execute of the request carries
     * @param ahead the statements sent ahead of the batch's own, or null
     */
    BatchExchange(ByteBuf request, int[] rowsPerStatement, @Nullable SentAhead ahead) {
        this(
                request,
                true,
                ahead,
                rowsPerStatement.clone(),
                0,
                Arrays.stream(rowsPerStatement).sum());
    }

    /**
     * Makes an exchange for some of a batch's rows.
     *
     * @param request the messages, or null when an earlier exchange's buffer carries them
     * @param extendedProtocol whether the request's first message is Parse or Bind and counts as such in an error
     * @param ahead the statements sent ahead of the batch's own, or null
     * @param rowsPerStatement how many rows each Execute of the request carries (kept, not copied)
     * @param firstRow the batch's row this exchange's first row is (from 0)
     * @param batchRows the rows of the whole batch
     */
    BatchExchange(
            @Nullable ByteBuf request,
            boolean extendedProtocol,
            @Nullable SentAhead ahead,
            int[] rowsPerStatement,
            int firstRow,
            int batchRows) {
        super(request, extendedProtocol, ahead);
        this.rowsPerStatement = rowsPerStatement;
        this.counts = new long[Arrays.stream(rowsPerStatement).sum()];
        this.firstRow = firstRow;
        this.batchRows = batchRows;
    }

    @Override
    final void completed(String tag, int index) {
        if (index < rowsPerStatement.length) {
            long count = Result.rowsAffected(tag);
            int rows = rowsPerStatement[index];
            if (rows == 1) {
                counts[nextRow] = count;
            } else {
                Arrays.fill(counts, nextRow, nextRow + rows, count == rows ? 1 : Result.SUCCESS_NO_INFO);
            }
            nextRow += rows;
        }
    }

    @Override
    final Result result(int completedStatements) {
        if (completedStatements != rowsPerStatement.length) {
            throw new ProtocolException("a batch of " + rowsPerStatement.length + " statements completed "
                    + completedStatements + " of them");
        }
        return Result.countsOf(counts);
    }

    @Override
    @Nullable
    String errorContext(int statementsBefore) {
        if (statementsBefore >= rowsPerStatement.length) {
            return "the end of the batch of " + counts.length + " rows";
        }
        return rowsAt(statementsBefore, false);
    }

    /**
     * Names the rows a statement carries by their place in the batch.
     *
     * @param statementsBefore how many statements had completed when the error came
     * @param atCommit whether the error came after the last statement, at the commit
     */
    final String rowsAt(int statementsBefore, boolean atCommit) {
        int first = firstRow;
        int at = Math.min(statementsBefore, rowsPerStatement.length - 1);
        for (int i = 0; i < at; i++) {
            first += rowsPerStatement[i];
        }
        int rows = rowsPerStatement[at];
        return (rows == 1
                        ? "row " + (first + 1) + " of " + batchRows + " of the batch"
                        : "rows " + (first + 1) + " to " + (first + rows) + " of " + batchRows
                                + " of the batch, sent as one multi-row INSERT")
                + (atCommit ? ", at its commit" : "");
    }
}
