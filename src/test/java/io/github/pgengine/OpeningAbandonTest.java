package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.github.jasync.sql.db.util.NettyUtils;
import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.Leftovers;
import io.github.pgengine.testing.LogCapture;
import io.github.pgengine.testing.StallingProxy;
import io.github.pgengine.testing.TcpForwarder;
import io.github.pgengine.testing.TestPostgres;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An attempt to open a connection that is given up, because its caller cancelled or because {@code connect_timeout}
 * passed, at each step of opening: TCP connect, the SSLRequest, the TLS handshake, authentication, the session's
 * set-up, and before the driver's channel is even registered. Each time the socket is closed at once, nothing more
 * is written to the server (after an SSLRequest it refuses any byte), and no server process is left behind.
 */
class OpeningAbandonTest {
    /** How soon a given-up attempt's socket must be closed. */
    private static final Duration CLOSE_BOUND = Duration.ofSeconds(1);
    /** How soon the server's process for it must be gone. */
    private static final Duration GONE_BOUND = Duration.ofSeconds(3);
    /** The {@code connect_timeout} of the attempts that time out. */
    private static final Duration SHORT_TIMEOUT = Duration.ofSeconds(2);

    private static TestPostgres pg;

    @BeforeAll
    static void startServer() throws Exception {
        pg = TestPostgres.startPrivate("opening-abandon cluster", "autovacuum = off");
        Path dir = Files.createTempDirectory("pgengine-abandon-tls-");
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
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        pg.enableTls(dir.resolve("server.crt"), dir.resolve("server.key"));
        Await.until("TLS is on", () -> "on".equals(pg.admin("SHOW ssl").get(0).get(0)));
        PostgresEngine warmUp = engine(pg.port(), "require", 10); // the JVM's first TLS set-up is slow
        try {
            assertThat(Await.result(call(warmUp))).isEqualTo(1);
        } finally {
            Await.result(warmUp.close());
        }
    }

    @AfterAll
    static void stopServer() {
        if (pg != null) {
            pg.destroy();
        }
    }

    @BeforeEach
    void settle() {
        Await.until(
                "no server process of an earlier test is left",
                () -> Leftovers.serverProcesses(pg) == 0,
                () -> Leftovers.serverProcessTitles(pg).toString());
    }

    private static PostgresEngine engine(int port, String sslmode, long connectTimeoutSeconds) {
        Map<String, Object> config = new HashMap<>(pg.config());
        config.put("port", port);
        config.put("sslmode", sslmode);
        config.put("connect_timeout", connectTimeoutSeconds);
        return PostgresEngine.builder().config(config).warnWithoutPool(false).build();
    }

    private static CompletableFuture<Integer> call(PostgresEngine engine) {
        return engine.transaction(tx -> tx.query("select 1").thenApply(List::size));
    }

    private static String sslmode(StallingProxy.Step step) {
        return switch (step) {
            case SSL_ANSWER -> "prefer";
            case TLS_HANDSHAKE -> "require";
            case AUTHENTICATION, SET_UP -> "disable";
        };
    }

    @ParameterizedTest
    @EnumSource(StallingProxy.Step.class)
    void aCancelledOpeningClosesItsSocketAtOnceAndWritesNothingMore(StallingProxy.Step step) throws Exception {
        try (StallingProxy proxy = StallingProxy.start(pg.host(), pg.port(), step)) {
            PostgresEngine engine = engine(proxy.port(), sslmode(step), 10);
            try (LogCapture log = LogCapture.of("io.github.pgengine", Level.INFO)) {
                CompletableFuture<Integer> call = call(engine);
                assertThat(proxy.awaitReached(Await.DEADLINE))
                        .as("the attempt reaches " + step)
                        .isTrue();
                call.cancel(false);
                assertThat(proxy.awaitClientClosed(CLOSE_BOUND))
                        .as("the socket is closed at once")
                        .isTrue();
                assertNothingMoreWritten(step, proxy.bytesAfterStep());
                assertThat(proxy.connections()).as("no other attempt").isEqualTo(1);
                serverProcessesGone();
                assertThat(log.warnings())
                        .as("a given-up opening is the engine's own end, not a connection lost")
                        .isEmpty();
            } finally {
                Await.result(engine.close());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(StallingProxy.Step.class)
    void anOpeningPastConnectTimeoutClosesItsSocketAndWritesNothingMore(StallingProxy.Step step) throws Exception {
        try (StallingProxy proxy = StallingProxy.start(pg.host(), pg.port(), step)) {
            PostgresEngine engine = engine(proxy.port(), sslmode(step), SHORT_TIMEOUT.toSeconds());
            try (LogCapture log = LogCapture.of("io.github.pgengine", Level.INFO)) {
                long start = System.nanoTime();
                CompletableFuture<Integer> call = call(engine);
                assertThat(proxy.awaitReached(Await.DEADLINE))
                        .as("the attempt reaches " + step)
                        .isTrue();
                Throwable error = Await.failure(call);
                assertThat(error)
                        .isInstanceOf(ConnectionException.class)
                        .hasMessageContaining("no answer within " + SHORT_TIMEOUT.toMillis() + " ms (connect_timeout)");
                assertThat(proxy.awaitClientClosed(CLOSE_BOUND))
                        .as("the socket is closed at the deadline")
                        .isTrue();
                assertThat((System.nanoTime() - start) / 1_000_000)
                        .as("the deadline is connect_timeout")
                        .isLessThan(SHORT_TIMEOUT.plus(CLOSE_BOUND).toMillis() + 1_000);
                assertNothingMoreWritten(step, proxy.bytesAfterStep());
                serverProcessesGone();
                assertThat(log.warnings())
                        .as("a given-up opening is the engine's own end, not a connection lost")
                        .isEmpty();
            } finally {
                Await.result(engine.close());
            }
        }
    }

    private static void assertNothingMoreWritten(StallingProxy.Step step, byte[] after) {
        if (step == StallingProxy.Step.TLS_HANDSHAKE && after.length > 0) {
            // closing a TLS engine may still send its alert record (content type 21), nothing else
            assertThat(after[0])
                    .as("only a TLS alert after the handshake stalled")
                    .isEqualTo((byte) 21);
            return;
        }
        assertThat(after)
                .as("bytes the client wrote after " + step + " (the server refuses any after an SSLRequest)")
                .isEmpty();
    }

    @Test
    void aCancelledTcpConnectClosesItsSocketAtOnce() throws Exception {
        try (FullListener listener = FullListener.open()) {
            PostgresEngine engine = engine(listener.port(), "prefer", 10);
            try {
                CompletableFuture<Integer> call = call(engine);
                Await.until("the TCP connect is under way", () -> Leftovers.connecting(listener.port()) == 1);
                call.cancel(false);
                Await.within(
                        CLOSE_BOUND,
                        "the half-open socket is closed",
                        () -> Leftovers.connecting(listener.port()) == 0,
                        () -> "");
            } finally {
                Await.result(engine.close());
            }
        }
    }

    @Test
    void aTcpConnectPastConnectTimeoutIsClosed() throws Exception {
        try (FullListener listener = FullListener.open()) {
            PostgresEngine engine = engine(listener.port(), "prefer", SHORT_TIMEOUT.toSeconds());
            try {
                CompletableFuture<Integer> call = call(engine);
                Await.until("the TCP connect is under way", () -> Leftovers.connecting(listener.port()) == 1);
                assertThat(Await.failure(call))
                        .isInstanceOf(ConnectionException.class)
                        .hasMessageContaining("no answer within " + SHORT_TIMEOUT.toMillis() + " ms (connect_timeout)");
                Await.within(
                        CLOSE_BOUND,
                        "the half-open socket is closed",
                        () -> Leftovers.connecting(listener.port()) == 0,
                        () -> "");
            } finally {
                Await.result(engine.close());
            }
        }
    }

    /**
     * Cancelled before the driver's event loop has even registered the channel (the loops are held busy, as in a
     * storm of openings): the socket must still be closed as soon as it exists, not left to authenticate a session
     * nobody wants and hold a server slot until {@code connect_timeout}.
     */
    @Test
    void anOpeningCancelledBeforeItsChannelIsRegisteredLeavesNoSession() throws Exception {
        try (TcpForwarder forwarder = TcpForwarder.start("127.0.0.1", 0, pg.host(), pg.port())) {
            PostgresEngine engine = engine(forwarder.port(), "prefer", 10);
            CountDownLatch release = new CountDownLatch(1);
            try {
                holdEventLoops(release);
                CompletableFuture<Integer> call = call(engine);
                call.cancel(false);
                release.countDown();
                drainEventLoops(); // the channel is registered (and its TCP connect started) by now
                Await.within(
                        CLOSE_BOUND,
                        "the socket is closed as soon as its channel exists",
                        () -> Leftovers.openSockets(forwarder.port()) == 0,
                        () -> "open sockets: " + Leftovers.openSockets(forwarder.port()));
                serverProcessesGone();
            } finally {
                release.countDown();
                Await.result(engine.close());
            }
        }
    }

    /**
     * The hardest of these: 200 openings, ten at a time, each cancelled at a random moment within three times what a
     * lone opening takes (so at every step, on the boundaries between them, and some after the transaction is
     * done), half with TLS. Afterwards nothing may be left: no socket, no server process, no byte the server refused.
     */
    @Test
    void openingsCancelledAtRandomMomentsLeaveNothingBehind() throws Exception {
        Random random = new Random(18_5);
        long openNanos = timeOneOpening();
        List<PostgresEngine> engines = List.of(engine(pg.port(), "disable", 10), engine(pg.port(), "require", 10));
        ScheduledExecutorService canceller = Executors.newSingleThreadScheduledExecutor();
        int completed = 0;
        try (LogCapture log = LogCapture.of("io.github.pgengine", Level.INFO)) {
            for (int round = 0; round < 20; round++) {
                List<CompletableFuture<Integer>> calls = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    CompletableFuture<Integer> call = call(engines.get(i % 2));
                    calls.add(call);
                    canceller.schedule(
                            () -> call.cancel(false),
                            (long) (random.nextDouble() * 3 * openNanos),
                            TimeUnit.NANOSECONDS);
                }
                for (CompletableFuture<Integer> call : calls) {
                    Throwable error = Await.failure(call.thenApply(v -> {
                        throw new java.util.concurrent.CancellationException("completed before its cancel");
                    }));
                    if (error.getMessage() != null && error.getMessage().contains("completed before its cancel")) {
                        completed++;
                    } else {
                        assertThat(error).isInstanceOf(java.util.concurrent.CancellationException.class);
                    }
                }
            }
            System.err.printf(
                    "[opening abandon] 200 cancelled openings, %d completed before their cancel%n", completed);
            assertThat(log.warnings())
                    .as("a given-up opening is the engine's own end, not a connection lost")
                    .isEmpty();
            Await.within(
                    CLOSE_BOUND,
                    "no socket of a cancelled opening is left",
                    () -> Leftovers.openSockets(pg.port()) == 0,
                    () -> "open: " + Leftovers.openSockets(pg.port()));
            serverProcessesGone();
            assertThat(Files.readString(pg.serverLog()))
                    .as("the server's log")
                    .doesNotContain("received unencrypted data after SSL request");
        } finally {
            canceller.shutdownNow();
            for (PostgresEngine e : engines) {
                Await.result(e.close());
            }
        }
    }

    /** Returns how long one opening and its transaction take here, from the median of a few. */
    private static long timeOneOpening() {
        PostgresEngine engine = engine(pg.port(), "require", 10);
        try {
            long[] took = new long[5];
            for (int i = 0; i < took.length; i++) {
                long start = System.nanoTime();
                Await.result(call(engine));
                took[i] = System.nanoTime() - start;
            }
            java.util.Arrays.sort(took);
            return took[took.length / 2];
        } finally {
            Await.result(engine.close());
        }
    }

    /** Blocks every loop of the driver's event loop group until {@code release} (at most {@link Await#DEADLINE}). */
    private static void holdEventLoops(CountDownLatch release) throws InterruptedException {
        List<EventExecutor> loops = new ArrayList<>();
        NettyUtils.INSTANCE.getDefaultEventLoopGroup().forEach(loops::add);
        CountDownLatch held = new CountDownLatch(loops.size());
        for (EventExecutor loop : loops) {
            loop.execute(() -> {
                held.countDown();
                try {
                    release.await(Await.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        assertThat(held.await(Await.DEADLINE.toMillis(), TimeUnit.MILLISECONDS))
                .as("every event loop is held")
                .isTrue();
    }

    /** Waits until every loop of the driver's event loop group has run the tasks queued so far. */
    private static void drainEventLoops() throws Exception {
        List<io.netty.util.concurrent.Future<?>> done = new ArrayList<>();
        NettyUtils.INSTANCE.getDefaultEventLoopGroup().forEach(loop -> done.add(loop.submit(() -> {})));
        for (io.netty.util.concurrent.Future<?> f : done) {
            assertThat(f.await(Await.DEADLINE.toMillis()))
                    .as("an event loop runs")
                    .isTrue();
        }
    }

    private static void serverProcessesGone() {
        Await.within(
                GONE_BOUND,
                "no server process is left for the attempt",
                () -> Leftovers.serverProcesses(pg) == 0,
                () -> "server processes for clients: " + Leftovers.serverProcessTitles(pg));
    }

    /** A listener whose accept queue is full, so that a new TCP connect to it stays in SYN_SENT. */
    private static final class FullListener implements AutoCloseable {
        private final ServerSocket server;
        private final List<Socket> fillers = new ArrayList<>();

        private FullListener(ServerSocket server) {
            this.server = server;
        }

        static FullListener open() throws IOException {
            FullListener l =
                    new FullListener(new ServerSocket(0, 1, InetAddress.getByAddress(new byte[] {127, 0, 0, 1})));
            for (int i = 0; i < 10; i++) {
                Socket s = new Socket();
                try {
                    s.connect(new InetSocketAddress(l.server.getInetAddress(), l.port()), 300);
                    l.fillers.add(s);
                } catch (SocketTimeoutException full) {
                    s.close();
                    return l;
                }
            }
            l.close();
            throw new IllegalStateException("the listener's accept queue does not fill up");
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            for (Socket s : fillers) {
                s.close();
            }
            server.close();
        }
    }
}
