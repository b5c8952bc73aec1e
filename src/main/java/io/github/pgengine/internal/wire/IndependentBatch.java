package io.github.pgengine.internal.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * A batch whose steps commit one by one: each step is Parse, Bind, Execute and Sync, and one {@link Exchange} of its
 * own that completes at its own ReadyForQuery, so every answer stays paired with its request. The steps leave in
 * windows of {@link #WINDOW} steps, each window in one write with all its exchanges queued together; the next window
 * is written when the first step of the last one has been answered, so the server always has work queued and a
 * batch takes about one round trip per window. Once told to stop (the caller cancelled), no further window is
 * written; the steps already written still run.
 */
final class IndependentBatch {
    /** Steps written at once. */
    static final int WINDOW = 1000;

    private final ProtocolHandler protocol;
    private final ByteBufAllocator alloc;
    private final List<BatchStep> steps;
    private final BooleanSupplier stopped;
    private final CompletableFuture<Result> done;
    private final int[] firstRow;
    private final long[] counts;
    private final SortedMap<Integer, ServerErrorException> errors = new TreeMap<>();
    /** Steps written so far. */
    private int sent;
    /** Steps answered so far. */
    private int answered;

    private @Nullable Throwable broken;

    /**
     * @param protocol where the exchanges go
     * @param alloc the channel's allocator
     * @param steps the steps, at least one
     * @param stopped true once no further window should be written
     * @param done completes with the counts and the failed rows' errors when every written step was answered, or
     *     fails with the first error that is not a failed step's (the connection is lost)
     */
    IndependentBatch(
            ProtocolHandler protocol,
            ByteBufAllocator alloc,
            List<BatchStep> steps,
            BooleanSupplier stopped,
            CompletableFuture<Result> done) {
        this.protocol = protocol;
        this.alloc = alloc;
        this.steps = steps;
        this.stopped = stopped;
        this.done = done;
        this.firstRow = new int[steps.size()];
        int rows = 0;
        for (int i = 0; i < firstRow.length; i++) {
            firstRow[i] = rows;
            rows += steps.get(i).rows();
        }
        this.counts = new long[rows];
        Arrays.fill(counts, Result.EXECUTE_FAILED);
    }

    /** Writes the first window. */
    void start() {
        sendWindow();
    }

    private void sendWindow() {
        int from;
        int to;
        synchronized (this) {
            from = sent;
            to = Math.min(steps.size(), from + WINDOW);
            sent = to;
        }
        ByteBuf request;
        try {
            request = FrontendMessages.independent(alloc, steps, from, to);
        } catch (RuntimeException e) {
            synchronized (this) {
                sent = from;
                if (broken == null) {
                    broken = e;
                }
            }
            finishIfDone();
            return;
        }
        List<Exchange> exchanges = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            Exchange exchange = new BatchStepExchange(
                    i == from ? request : null, steps.get(i).rows(), firstRow[i], counts.length);
            int step = i;
            boolean firstOfWindow = i == from;
            exchange.onCompletion((r, e) -> answered(step, firstOfWindow, r, e));
            exchanges.add(exchange);
        }
        protocol.submitAll(exchanges);
    }

    private void answered(int step, boolean firstOfWindow, @Nullable Result result, @Nullable Throwable error) {
        boolean next;
        synchronized (this) {
            answered++;
            int rows = steps.get(step).rows();
            if (error == null && result != null) {
                System.arraycopy(result.counts(), 0, counts, firstRow[step], rows);
            } else if (error instanceof ServerErrorException s && s.error().isSessionError()) {
                for (int r = firstRow[step]; r < firstRow[step] + rows; r++) {
                    errors.put(r, s);
                }
            } else if (broken == null) {
                broken = error;
            }
            next = firstOfWindow && broken == null && sent < steps.size() && !stopped.getAsBoolean();
        }
        if (next) {
            sendWindow();
        }
        finishIfDone();
    }

    private void finishIfDone() {
        Throwable failure;
        synchronized (this) {
            boolean more = broken == null && sent < steps.size() && !stopped.getAsBoolean();
            if (answered < sent || more || done.isDone()) {
                return;
            }
            failure = broken;
        }
        if (failure != null) {
            done.completeExceptionally(failure);
        } else {
            done.complete(Result.countsOf(counts.clone(), errors));
        }
    }
}
