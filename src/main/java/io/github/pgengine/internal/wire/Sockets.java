package io.github.pgengine.internal.wire;

import io.github.pgengine.internal.runtime.Completions;
import io.github.pgengine.internal.runtime.EngineTimer;
import io.netty.channel.Channel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** Closing a connection's socket without waiting for it, or waiting a bounded time. */
public final class Sockets {
    private Sockets() {}

    /**
     * Closes the channel and returns at once. Nothing waits for the close: the protocol handler's
     * {@code channelInactive} tells everyone who must know, and a close that fails leaves nothing the engine could do.
     *
     * @param channel the channel
     */
    @SuppressWarnings("FutureReturnValueIgnored") // see above: the close's own future has nothing to tell
    public static void close(Channel channel) {
        channel.close();
    }

    /**
     * Completes a future when the channel has closed, closing it when it has not within a time limit (the peer may
     * never answer a Terminate).
     *
     * @param channel the channel, about to be closed by its driver
     * @param giveUpAfter how long to wait before closing it here
     * @param closed completed (with null) when the channel is closed or the wait is over
     */
    static void whenClosed(Channel channel, Duration giveUpAfter, CompletableFuture<@Nullable Void> closed) {
        channel.closeFuture().addListener(f -> closed.complete(null));
        if (closed.isDone()) {
            return;
        }
        ScheduledFuture<?> giveUp = EngineTimer.get()
                .schedule(
                        () -> {
                            close(channel);
                            closed.complete(null);
                        },
                        giveUpAfter.toMillis(),
                        TimeUnit.MILLISECONDS);
        Completions.whenDone(closed, (v, e) -> giveUp.cancel(false));
    }
}
