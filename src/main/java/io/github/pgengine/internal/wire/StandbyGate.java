package io.github.pgengine.internal.wire;

import io.github.pgengine.internal.runtime.Completions;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The {@link StandbyCheck} as one session carries it: which requests carry it (those that start outside a
 * transaction block, once the session has a check), what their outcomes tell it, and the round trip of its own it
 * takes ahead of a request that must run alone.
 */
final class StandbyGate {
    /** Sends a request that may carry the check; its future completes at the request's ReadyForQuery. */
    @FunctionalInterface
    interface Sender {
        CompletableFuture<Result> submit(Exchange exchange, StandbyCheck.Send check);
    }

    private final ProtocolHandler protocol;
    private final ByteBufAllocator alloc;
    private final String where;
    private final Sender sender;
    private final BooleanSupplier callerGone;
    /** Set when the session was kept because its server is a standby that must stay one; null otherwise. */
    private volatile @Nullable StandbyCheck check;

    /**
     * @param protocol the session's protocol handler (its transaction status decides)
     * @param alloc the channel's allocator
     * @param where the connection's server, for messages
     * @param sender sends the check when it runs alone
     * @param callerGone true once the caller of the running request has gone
     */
    StandbyGate(
            ProtocolHandler protocol, ByteBufAllocator alloc, String where, Sender sender, BooleanSupplier callerGone) {
        this.protocol = protocol;
        this.alloc = alloc;
        this.where = where;
        this.sender = sender;
        this.callerGone = callerGone;
    }

    /** Makes every later request that starts outside a transaction block carry the check. */
    void install(StandbyCheck session) {
        this.check = session;
    }

    /** Returns how the next request carries the check: only at the start of a call, outside a transaction. */
    StandbyCheck.Send toSend() {
        StandbyCheck c = check;
        if (c == null || protocol.transactionStatus() != 'I') {
            return StandbyCheck.Send.NONE;
        }
        return c.send();
    }

    /**
     * Takes in an exchange's outcome ({@link StandbyCheck#after}).
     *
     * @return the caller's error when the check failed (the session must end), else null
     */
    @Nullable
    NoLongerStandbyException after(
            Exchange exchange, StandbyCheck.Send sent, @Nullable Result result, @Nullable Throwable error) {
        StandbyCheck c = check;
        return c != null ? c.after(where, exchange, sent, result, error) : null;
    }

    /**
     * Runs the check in a round trip of its own, then the request (for what must run alone, or as its own
     * transactions); when the check fails, or the caller has gone meanwhile, the request is not sent.
     *
     * @param send how the check is sent
     * @param request sends the request
     * @return the request's result
     */
    CompletableFuture<Result> thenRun(StandbyCheck.Send send, Supplier<CompletableFuture<Result>> request) {
        CompletableFuture<Result> out = new CompletableFuture<>();
        Exchange exchange = new StatementExchange(
                FrontendMessages.standbyCheck(alloc, send), false, SentAhead.of(List.of(), true, send));
        Completions.whenDone(sender.submit(exchange, send), (r, e) -> {
            if (e != null) {
                out.completeExceptionally(e);
            } else if (callerGone.getAsBoolean()) {
                out.completeExceptionally(
                        new NotSentException("the caller has gone: the statement was not sent to " + where, null));
            } else {
                relay(request.get(), out);
            }
        });
        return out;
    }

    /** Completes {@code to} as {@code from} completes. */
    private static void relay(CompletableFuture<Result> from, CompletableFuture<Result> to) {
        Completions.whenDone(from, (result, error) -> {
            if (error != null) {
                to.completeExceptionally(error);
            } else {
                to.complete(result);
            }
        });
    }
}
