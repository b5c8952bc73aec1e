package io.github.pgengine.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.ConnectionException;
import io.github.pgengine.internal.codec.ParameterEncoder;
import io.github.pgengine.internal.connect.ConfigParser;
import io.github.pgengine.internal.connect.ConnectionFactory;
import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.TestPostgres;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * What the protocol handler does when the wire goes wrong: a request whose write fails (with and without TLS, which
 * writes with promises of its own), and backend messages that break the framing (a value longer than its message, a message cut short, an unknown type). Each fails the caller
 * with a {@link ConnectionException} at once and ends the connection, so no later answer can be paired with the
 * wrong caller. The bad messages are made by a forwarder between the connection and the real server that rewrites
 * one message once it is armed (while the connection is idle, so the next bytes start a message).
 */
class WireFailureTest {
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable r : resources) {
            r.close();
        }
    }

    private DbConnection open(Map<String, Object> overrides) {
        Map<String, Object> config = new HashMap<>(TestPostgres.get().config());
        config.putAll(overrides);
        DbConnection c = Await.result(
                new ConnectionFactory(ConfigParser.fromEnvironment(5432).parse(config, null), x -> {}).open());
        resources.add(() -> Await.result(c.close()));
        return c;
    }

    private static ParameterEncoder.Encoded params(@Nullable Object... values) {
        return ParameterEncoder.encode(Arrays.asList(values));
    }

    @Test
    void aRequestWhoseWriteFailsFailsItsCallerWithAConnectionException() {
        DbConnection c = open(Map.of());
        writeFails(c, c.channel().pipeline()::addFirst);
    }

    @Test
    void aRequestWhoseWriteFailsUnderTlsFailsItsCallerWithAConnectionException() throws Exception {
        TestPostgres pg = TestPostgres.get();
        Assumptions.assumeTrue(pg.canRestart(), "turning TLS on needs the local cluster; backend is " + pg.source());
        Path dir = Files.createTempDirectory("pgengine-wire-tls-");
        Process p = new ProcessBuilder(
                        "openssl",
                        "req",
                        "-x509",
                        "-newkey",
                        "rsa:2048",
                        "-nodes",
                        "-keyout",
                        "server.key",
                        "-out",
                        "server.crt",
                        "-days",
                        "2",
                        "-subj",
                        "/CN=localhost")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        pg.enableTls(dir.resolve("server.crt"), dir.resolve("server.key")); // copies them
        Files.delete(dir.resolve("server.crt"));
        Files.delete(dir.resolve("server.key"));
        Files.delete(dir);

        // between the protocol handler and TLS, and between TLS and the socket
        DbConnection above = open(Map.of("sslmode", "require"));
        assertThat(above.channel().pipeline().get(SslHandler.class)).isNotNull();
        writeFails(above, h -> above.channel().pipeline().addBefore("pgengine-protocol", "wire-failing-writes", h));
        DbConnection below = open(Map.of("sslmode", "require"));
        writeFails(below, below.channel().pipeline()::addFirst);
    }

    /** Makes every write fail from the handler's place on, then checks what the caller and the connection see. */
    private static void writeFails(DbConnection c, Consumer<ChannelHandler> install) {
        assertThat(Await.result(c.execute("SELECT $1::int4 AS v", params(1))).rows())
                .hasSize(1);
        install.accept(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                ReferenceCountUtil.release(msg);
                promise.setFailure(new IOException("injected write failure"));
            }
        });

        Throwable failure = Await.failure(c.execute("SELECT $1::int4 AS v", params(2)));

        assertThat(failure).isInstanceOf(ConnectionException.class).hasMessageContaining("injected write failure");
        assertThat(c.isAlive()).isFalse();
        assertThat(Await.failure(c.execute("SELECT 1", params()))).isInstanceOf(ConnectionException.class);
    }

    @Test
    void aDataRowValueLongerThanItsMessageEndsTheConnection() throws IOException {
        Throwable failure = tampered("SELECT 'abc'::text AS v", m -> {
            if (m[0] != 'D') {
                return m;
            }
            byte[] out = m.clone();
            ByteBuffer.wrap(out).putInt(7, ByteBuffer.wrap(m).getInt(7) + 5); // into the CommandComplete after it
            return out;
        });
        assertThat(failure).isInstanceOf(ConnectionException.class).hasMessageContaining("DataRow value of 8 bytes");
    }

    @Test
    void aReadyForQueryCutShortEndsTheConnection() throws IOException {
        Throwable failure = tampered("SELECT 1 AS v", m -> m[0] == 'Z' ? new byte[] {'Z', 0, 0, 0, 4} : m);
        assertThat(failure).isInstanceOf(ConnectionException.class).hasMessageContaining("protocol error");
    }

    @Test
    void aRowDescriptionCutShortEndsTheConnectionInsteadOfReadingTheRowAfterIt() throws IOException {
        Throwable failure = tampered("SELECT 1 AS v", m -> {
            if (m[0] != 'T') {
                return m;
            }
            byte[] out = Arrays.copyOf(m, m.length - 8); // without the last column's size, modifier and format
            ByteBuffer.wrap(out).putInt(1, out.length - 1);
            return out;
        });
        assertThat(failure).isInstanceOf(ConnectionException.class).hasMessageContaining("protocol error");
    }

    @Test
    void aMessageOfAnUnknownTypeEndsTheConnection() throws IOException {
        Throwable failure = tampered("SELECT 1 AS v", m -> {
            if (m[0] != 'D') {
                return m;
            }
            byte[] out = m.clone();
            out[0] = 'x';
            return out;
        });
        assertThat(failure).isInstanceOf(ConnectionException.class).hasMessageContaining("unexpected message type 'x'");
    }

    /** Runs a statement through a forwarder that rewrites one backend message of its answer; returns its failure. */
    private Throwable tampered(String sql, UnaryOperator<byte[]> rewrite) throws IOException {
        TamperingForwarder forwarder = new TamperingForwarder(
                TestPostgres.get().host(), TestPostgres.get().port());
        resources.add(forwarder);
        DbConnection c =
                open(Map.of("host", InetAddress.getLoopbackAddress().getHostAddress(), "port", forwarder.port()));
        assertThat(Await.result(c.execute(sql, params())).rows()).hasSize(1); // intact while not armed

        forwarder.arm(rewrite);
        Throwable failure = Await.failure(c.execute(sql, params()));

        assertThat(c.isAlive()).isFalse();
        assertThat(Await.failure(c.execute(sql, params()))).isInstanceOf(ConnectionException.class);
        return failure;
    }

    /**
     * Forwards connections to a server; once armed, reads the server's bytes message by message and passes each
     * through the rewrite until one comes out changed.
     */
    private static final class TamperingForwarder implements AutoCloseable {
        private final ServerSocket server;
        private volatile @Nullable UnaryOperator<byte[]> rewrite;

        TamperingForwarder(String host, int port) throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread t = new Thread(() -> accept(host, port), "wire-forwarder");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        /** Call only while the connection is idle: its next bytes from the server start a message. */
        void arm(UnaryOperator<byte[]> r) {
            rewrite = r;
        }

        private void accept(String host, int port) {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    Socket upstream = new Socket();
                    upstream.connect(new InetSocketAddress(host, port), 5_000);
                    pump(client, upstream, false);
                    pump(upstream, client, true);
                } catch (IOException e) {
                    // closed
                }
            }
        }

        private void pump(Socket from, Socket to, boolean fromServer) {
            Thread t = new Thread(
                    () -> {
                        byte[] buf = new byte[16 * 1024];
                        ByteArrayOutputStream pending = new ByteArrayOutputStream();
                        boolean framing = false;
                        try (InputStream in = from.getInputStream();
                                OutputStream out = to.getOutputStream()) {
                            int n;
                            while ((n = in.read(buf)) >= 0) {
                                framing |= fromServer && rewrite != null;
                                if (!framing) {
                                    out.write(buf, 0, n);
                                } else {
                                    pending.write(buf, 0, n);
                                    pending = forwardWhole(pending, out);
                                }
                                out.flush();
                            }
                        } catch (IOException ignored) {
                            // one side went away
                        } finally {
                            closeQuietly(to);
                            closeQuietly(from);
                        }
                    },
                    "wire-forwarder-pump");
            t.setDaemon(true);
            t.start();
        }

        /** Writes the whole messages of {@code pending}, rewritten; returns what is left of the last one. */
        private ByteArrayOutputStream forwardWhole(ByteArrayOutputStream pending, OutputStream out) throws IOException {
            byte[] bytes = pending.toByteArray();
            int at = 0;
            while (bytes.length - at >= 5) {
                int length = ByteBuffer.wrap(bytes, at + 1, 4).getInt();
                if (bytes.length - at < length + 1) {
                    break;
                }
                byte[] message = Arrays.copyOfRange(bytes, at, at + length + 1);
                UnaryOperator<byte[]> r = rewrite;
                byte[] sent = r == null ? message : r.apply(message);
                if (sent != message) {
                    rewrite = null;
                }
                out.write(sent);
                at += length + 1;
            }
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            rest.write(bytes, at, bytes.length - at);
            return rest;
        }

        private static void closeQuietly(Socket s) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
