package io.github.pgengine.internal.wire;

import io.netty.buffer.ByteBuf;
import org.jspecify.annotations.Nullable;

/**
 * An exchange for one step of a batch whose steps each end with their own Sync (and so each end at their own
 * ReadyForQuery, see {@link IndependentBatch}): it counts like a {@link BatchExchange} and names the failing rows by
 * their place in the whole batch, an error after its statement completed coming at the step's own commit.
 */
final class BatchStepExchange extends BatchExchange {
    /**
     * @param request the messages, or null when an earlier exchange's buffer carries them (then the exchanges must be
     *     queued together, see {@link ProtocolHandler#submitAll})
     * @param rows how many of the caller's rows the step carries
     * @param firstRow the batch's row the step starts with (from 0)
     * @param batchRows the rows of the whole batch
     */
    BatchStepExchange(@Nullable ByteBuf request, int rows, int firstRow, int batchRows) {
        super(request, false, null, new int[] {rows}, firstRow, batchRows);
    }

    @Override
    String errorContext(int statementsBefore) {
        return rowsAt(statementsBefore, statementsBefore >= 1);
    }
}
