package io.github.pgengine.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy on 127.0.0.1 that delays every chunk by a fixed time in each direction and counts round trips without
 * trusting the client: a round trip starts each time a client sends bytes after the server has sent bytes on that
 * connection since the client last sent (the first bytes of a connection count too). Threads per connection: a
 * reader and a writer per direction; the writer parks until a chunk is due, so the real delay is the requested one
 * corrected by how late chunks have been leaving (the delay really added is measured by
 * {@link PeerBenchmark}, not assumed).
 */
final class DelayProxy implements AutoCloseable {
    private static final byte[] EOF = new byte[0];
    private static final long MAX_EARLY = 150_000;

    private final ServerSocket server;
    private final String host;
    private final int port;
    private final long delayNanos;
    private final AtomicLong roundTrips = new AtomicLong();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    private record Chunk(long due, byte[] bytes) {}

    DelayProxy(String host, int port, Duration delay) throws IOException {
        this.host = host;
        this.port = port;
        this.delayNanos = delay.toNanos();
        this.server = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    /** @return the port clients connect to instead of the server's */
    int port() {
        return server.getLocalPort();
    }

    /** @return round trips counted so far, over all connections */
    long roundTrips() {
        return roundTrips.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(host, port);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(upstream);
                AtomicBoolean serverSpoke = new AtomicBoolean(true);
                pump(client, upstream, true, serverSpoke);
                pump(upstream, client, false, serverSpoke);
            } catch (IOException e) {
                if (!server.isClosed()) {
                    System.out.println("proxy: " + e);
                }
            }
        }
    }

    private void pump(Socket from, Socket to, boolean toServer, AtomicBoolean serverSpoke) throws IOException {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        BlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
        Thread reader = new Thread(
                () -> {
                    byte[] buffer = new byte[65536];
                    try {
                        int n;
                        while ((n = in.read(buffer)) > 0) {
                            if (toServer) {
                                if (serverSpoke.getAndSet(false)) {
                                    roundTrips.incrementAndGet();
                                }
                            } else {
                                serverSpoke.set(true);
                            }
                            if (delayNanos == 0) {
                                out.write(buffer, 0, n);
                            } else {
                                queue.add(new Chunk(System.nanoTime() + delayNanos, Arrays.copyOf(buffer, n)));
                            }
                        }
                    } catch (IOException e) {
                        // the other side closed; fall through to close this direction
                    }
                    if (delayNanos == 0) {
                        closeQuietly(to);
                    } else {
                        queue.add(new Chunk(0, EOF));
                    }
                },
                toServer ? "proxy-to-server" : "proxy-to-client");
        reader.setDaemon(true);
        reader.start();
        if (delayNanos == 0) {
            return;
        }
        Thread writer = new Thread(
                () -> {
                    // parkNanos oversleeps by the kernel's timer slack and a parked thread wakes late: aim early by
                    // a correction that follows how late chunks really leave (negative feedback, capped)
                    long early = 0;
                    try {
                        while (true) {
                            Chunk c = queue.take();
                            if (c.bytes() == EOF) {
                                break;
                            }
                            long wait = c.due() - early - System.nanoTime();
                            if (wait > 0) {
                                LockSupport.parkNanos(wait);
                            }
                            long late = System.nanoTime() - c.due();
                            early = Math.max(0, Math.min(MAX_EARLY, early + late / 8));
                            out.write(c.bytes());
                        }
                    } catch (IOException | InterruptedException e) {
                        // closed
                    }
                    closeQuietly(to);
                },
                toServer ? "proxy-delay-to-server" : "proxy-delay-to-client");
        writer.setDaemon(true);
        writer.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }
}
