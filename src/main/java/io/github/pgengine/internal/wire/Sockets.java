package io.github.pgengine.internal.wire;

import io.netty.channel.Channel;

/** Closing a connection's socket without waiting for it. */
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
}
