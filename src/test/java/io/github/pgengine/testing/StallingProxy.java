package io.github.pgengine.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A TCP forwarder to a PostgreSQL server that holds the server's answer at one step of opening a session, so a test
 * can cancel or time out an attempt exactly there. It records what the client does meanwhile: the bytes it sends
 * after the step was reached (after an SSLRequest the server refuses any), and when it closes its socket. When the
 * client closes, the forwarder closes its side to the server too, so the server process ends as it would.
 */
public final class StallingProxy implements AutoCloseable {
    private static final int SSL_REQUEST_CODE = 80877103;

    /** Where the server's answer is held. */
    public enum Step {
        /** The server's one-byte answer to the SSLRequest. */
        SSL_ANSWER,
        /** The answer {@code S} passes; the server's TLS handshake bytes are held. */
        TLS_HANDSHAKE,
        /** The start-up passes (plain); the server's first authentication request is held. */
        AUTHENTICATION,
        /** Authentication and the first ReadyForQuery pass; the answer to the client's next request is held. */
        SET_UP
    }

    private final ServerSocket server;
    private final Step step;
    private final String targetHost;
    private final int targetPort;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();

    private StallingProxy(ServerSocket server, Step step, String targetHost, int targetPort) {
        this.server = server;
        this.step = step;
        this.targetHost = targetHost;
        this.targetPort = targetPort;
    }

    /**
     * Starts forwarding on 127.0.0.1, on a port of its own.
     *
     * @param targetHost the server
     * @param targetPort its port
     * @param step where to hold the server's answer
     * @return the running proxy
     * @throws IOException when it cannot listen
     */
    public static StallingProxy start(String targetHost, int targetPort, Step step) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}));
        StallingProxy proxy = new StallingProxy(server, step, targetHost, targetPort);
        Thread t = new Thread(proxy::acceptLoop, "stalling-proxy-" + server.getLocalPort());
        t.setDaemon(true);
        t.start();
        return proxy;
    }

    /** Returns the port it listens on. */
    public int port() {
        return server.getLocalPort();
    }

    /** Returns how many client connections it has seen. */
    public int connections() {
        return connections.size();
    }

    /**
     * Waits until the first connection reached the step.
     *
     * @param deadline how long to wait
     * @return true when it did
     * @throws InterruptedException when interrupted
     */
    public boolean awaitReached(Duration deadline) throws InterruptedException {
        Connection c = first(deadline);
        return c != null && c.reached.await(deadline.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Waits until the client closed the first connection.
     *
     * @param deadline how long to wait
     * @return true when it did
     * @throws InterruptedException when interrupted
     */
    public boolean awaitClientClosed(Duration deadline) throws InterruptedException {
        Connection c = first(deadline);
        return c != null && c.clientClosed.await(deadline.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Returns the bytes the client sent on the first connection after it reached the step. */
    public byte[] bytesAfterStep() {
        return connections.isEmpty() ? new byte[0] : connections.get(0).after.toByteArray();
    }

    private @Nullable Connection first(Duration deadline) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (connections.isEmpty() && System.nanoTime() < end) {
            TimeUnit.MILLISECONDS.sleep(5); // polling for the first connection, with a deadline
        }
        return connections.isEmpty() ? null : connections.get(0);
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Connection c : connections) {
            c.closeBoth();
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket();
                upstream.connect(new InetSocketAddress(targetHost, targetPort), 5_000);
                Connection c = new Connection(client, upstream);
                connections.add(c);
                c.start();
            } catch (IOException e) {
                // closed, or the target refused: next connection
            }
        }
    }

    /** One client connection and its connection to the server. */
    private final class Connection {
        final Socket client;
        final Socket upstream;
        final CountDownLatch reached = new CountDownLatch(1);
        final CountDownLatch clientClosed = new CountDownLatch(1);
        final ByteArrayOutputStream after = new ByteArrayOutputStream();
        volatile boolean sslRequested;
        volatile boolean sslKnown;

        Connection(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void start() {
            thread(this::clientToServer, "stalling-proxy-client");
            thread(this::serverToClient, "stalling-proxy-server");
        }

        private void thread(Runnable r, String name) {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            t.start();
        }

        private void clientToServer() {
            byte[] buf = new byte[16 * 1024];
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            try (InputStream in = client.getInputStream();
                    OutputStream out = upstream.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (reached.getCount() == 0) {
                        after.write(buf, 0, n);
                    }
                    if (!sslKnown) {
                        head.write(buf, 0, Math.min(n, 8 - head.size()));
                        if (head.size() == 8) {
                            sslRequested = ByteBuffer.wrap(head.toByteArray()).getInt(4) == SSL_REQUEST_CODE;
                            sslKnown = true;
                        }
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException ignored) {
                // the client reset the connection: closed all the same
            } finally {
                clientClosed.countDown();
                closeBoth();
            }
        }

        private void serverToClient() {
            try (DataInputStream in = new DataInputStream(upstream.getInputStream());
                    OutputStream out = client.getOutputStream()) {
                // the server speaks only after the client's first bytes, so sslRequested is known by now
                int type = in.readUnsignedByte();
                if (sslRequested) {
                    if (step == Step.SSL_ANSWER) {
                        hold(in);
                        return;
                    }
                    out.write(type);
                    out.flush();
                    if (type == 'S') {
                        int tls = in.read(); // the server's first handshake bytes, once the client has sent its hello
                        if (step == Step.TLS_HANDSHAKE || tls < 0) {
                            hold(in);
                            return;
                        }
                        out.write(tls);
                        in.transferTo(out); // encrypted: nothing more to recognise
                        return;
                    }
                    type = in.readUnsignedByte();
                }
                boolean ready = false;
                while (true) {
                    int length = in.readInt();
                    byte[] body = new byte[length - 4];
                    in.readFully(body);
                    if ((step == Step.AUTHENTICATION && type == 'R') || (step == Step.SET_UP && ready)) {
                        hold(in);
                        return;
                    }
                    out.write(ByteBuffer.allocate(5)
                            .put((byte) type)
                            .putInt(length)
                            .array());
                    out.write(body);
                    out.flush();
                    ready |= type == 'Z';
                    type = in.readUnsignedByte();
                }
            } catch (IOException ignored) {
                // one side went away
            } finally {
                closeBoth();
            }
        }

        /** Marks the step reached and reads (and drops) what the server sends until it closes. */
        private void hold(InputStream in) throws IOException {
            reached.countDown();
            byte[] buf = new byte[4096];
            while (in.read(buf) >= 0) {
                // held: the client never sees it
            }
        }

        void closeBoth() {
            try {
                client.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            try {
                upstream.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
