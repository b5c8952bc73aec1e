package io.github.pgengine.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Measures how many connections per second a PostgreSQL server takes on this machine: a burst of raw sockets, each
 * sending an SSLRequest and closing once the server has answered it (one server process started and ended per
 * socket, the least work a connection can cost the server). A storm test sizes itself by it, so that it asks of a
 * slow machine what that machine's server can do.
 */
public final class AcceptRate {
    private static final int SSL_REQUEST_CODE = 80877103;

    private AcceptRate() {}

    /**
     * Opens {@code count} sockets at once and returns how many the server answered per second.
     *
     * @param host the server
     * @param port its port
     * @param count how many sockets
     * @param deadline how long to wait for all answers
     * @return answered sockets per second
     * @throws IOException when the sockets cannot be opened
     */
    public static double measure(String host, int port, int count, Duration deadline) throws IOException {
        List<SocketChannel> sockets = new ArrayList<>();
        long start = System.nanoTime();
        int answered = 0;
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < count; i++) {
                SocketChannel s = SocketChannel.open();
                sockets.add(s);
                s.configureBlocking(false);
                s.connect(new InetSocketAddress(host, port));
                s.register(selector, SelectionKey.OP_CONNECT);
            }
            long end = start + deadline.toNanos();
            while (answered < count && System.nanoTime() < end) {
                selector.select(100);
                for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                    SelectionKey key = it.next();
                    it.remove();
                    SocketChannel s = (SocketChannel) key.channel();
                    try {
                        if (key.isConnectable()) {
                            s.finishConnect();
                            ByteBuffer request =
                                    ByteBuffer.allocate(8).putInt(8).putInt(SSL_REQUEST_CODE);
                            request.flip();
                            s.write(request);
                            key.interestOps(SelectionKey.OP_READ);
                        } else if (key.isReadable()) {
                            s.read(ByteBuffer.allocate(16));
                            answered++;
                            key.cancel();
                            s.close();
                        }
                    } catch (IOException refused) {
                        answered++; // the server answered by closing: it took the socket all the same
                        key.cancel();
                        s.close();
                    }
                }
            }
        } finally {
            for (SocketChannel s : sockets) {
                s.close();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return answered / Math.max(seconds, 1e-3);
    }
}
