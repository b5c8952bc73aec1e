package io.github.pgengine.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A plain TCP forwarder for tests: listens on one address and copies bytes both ways to another. Runs in the test
 * JVM ({@link #start}) or as a process of its own ({@link #main}), e.g. inside a network namespace.
 *
 * <p>It counts round trips on the wire ({@link #roundTrips()}): for each connection, one starts whenever the client
 * sends bytes after the server has sent bytes since the client last sent (or for the connection's first bytes).
 */
public final class TcpForwarder implements AutoCloseable {
    private final ServerSocket server;
    private final AtomicLong roundTrips = new AtomicLong();

    private TcpForwarder(ServerSocket server) {
        this.server = server;
    }

    /**
     * Starts forwarding on a thread of this JVM.
     *
     * @param listenHost the address to listen on
     * @param listenPort the port (0 for any)
     * @param targetHost where to connect
     * @param targetPort its port
     * @return the running forwarder
     * @throws IOException when it cannot listen
     */
    public static TcpForwarder start(String listenHost, int listenPort, String targetHost, int targetPort)
            throws IOException {
        ServerSocket server = new ServerSocket(listenPort, 50, InetAddress.getByName(listenHost));
        TcpForwarder f = new TcpForwarder(server);
        Thread t = new Thread(() -> f.acceptLoop(targetHost, targetPort), "tcp-forwarder-" + server.getLocalPort());
        t.setDaemon(true);
        t.start();
        return f;
    }

    /** Returns the port it listens on. */
    public int port() {
        return server.getLocalPort();
    }

    /** Returns the round trips counted so far, over all connections. */
    public long roundTrips() {
        return roundTrips.get();
    }

    private void acceptLoop(String targetHost, int targetPort) {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket();
                upstream.connect(new InetSocketAddress(targetHost, targetPort), 5_000);
                AtomicBoolean serverSpoke = new AtomicBoolean(true);
                pump(client, upstream, () -> {
                    if (serverSpoke.getAndSet(false)) {
                        roundTrips.incrementAndGet();
                    }
                });
                pump(upstream, client, () -> serverSpoke.set(true));
            } catch (IOException e) {
                // closed, or the target refused: next connection
            }
        }
    }

    private static void pump(Socket from, Socket to, Runnable beforeForwarding) {
        Thread t = new Thread(
                () -> {
                    byte[] buf = new byte[16 * 1024];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        int n;
                        while ((n = in.read(buf)) >= 0) {
                            beforeForwarding.run();
                            out.write(buf, 0, n);
                            out.flush();
                        }
                    } catch (IOException ignored) {
                        // one side went away
                    } finally {
                        try {
                            to.close();
                            from.close();
                        } catch (IOException ignored) {
                            // closing anyway
                        }
                    }
                },
                "tcp-forwarder-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    /**
     * Forwards until killed.
     *
     * @param args listen host, listen port, target host, target port
     * @throws Exception when it cannot start
     */
    public static void main(String[] args) throws Exception {
        TcpForwarder f = start(args[0], Integer.parseInt(args[1]), args[2], Integer.parseInt(args[3]));
        System.out.println("forwarding on " + f.port());
        System.out.flush();
        Thread.currentThread().join();
    }
}
