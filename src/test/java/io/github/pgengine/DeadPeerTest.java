package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import io.github.pgengine.ListenEvent.MissedNotifications;
import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.LogCapture;
import io.github.pgengine.testing.Recorder;
import io.github.pgengine.testing.TcpForwarder;
import io.github.pgengine.testing.TestPostgres;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A server host that vanishes while a long statement runs: no FIN, no RST, nothing. The test builds a network
 * namespace of its own (veth pair, 10.213.x.0/30) with a forwarder inside it in front of the test PostgreSQL, runs
 * {@code pg_sleep(60)} through it, then takes the namespace's link down. With statements unbounded by default, only
 * TCP keepalive can notice; with {@code keepalives_idle=1, keepalives_interval=1, keepalives_count=2} the statement
 * must fail with a {@link ConnectionException} within a few seconds, and the pool must recover. An idle LISTEN
 * subscription through the same namespace must notice the loss the same way, retry (each attempt bounded by
 * {@code connect_timeout}) until the link is back, then report the gap and receive the next notification. Needs root
 * and iproute2; without them it is skipped, saying so.
 */
class DeadPeerTest {
    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private final String ns = "pgengine" + (ProcessHandle.current().pid() % 10_000);
    private final int net = (int) (ProcessHandle.current().pid() % 60) * 4;
    private final String veth = "pgv" + (ProcessHandle.current().pid() % 10_000);

    @AfterEach
    void tearDown() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    /**
     * Builds the namespace, with a forwarder inside it in front of the test PostgreSQL (skips the test without root
     * and iproute2).
     *
     * @return the address to connect to (port 5432)
     */
    private String namespaceInFrontOfPostgres() throws Exception {
        assumeTrue(
                "root".equals(System.getProperty("user.name"))
                        && (new File("/usr/sbin/ip").canExecute() || new File("/sbin/ip").canExecute()),
                "needs root and iproute2 to build a network namespace");
        String host = "10.213." + (net / 256) + "." + (net % 256 + 1);
        String peer = "10.213." + (net / 256) + "." + (net % 256 + 2);
        boolean made = run("ip", "netns", "add", ns) == 0;
        assumeTrue(made, "cannot create a network namespace here");
        cleanup.add(() -> run("ip", "netns", "del", ns));
        assertThat(run("ip", "link", "add", veth + "a", "type", "veth", "peer", "name", veth + "b"))
                .isZero();
        cleanup.add(() -> run("ip", "link", "del", veth + "a"));
        assertThat(run("ip", "link", "set", veth + "b", "netns", ns)).isZero();
        assertThat(run("ip", "addr", "add", host + "/30", "dev", veth + "a")).isZero();
        assertThat(run("ip", "link", "set", veth + "a", "up")).isZero();
        assertThat(run("ip", "netns", "exec", ns, "ip", "addr", "add", peer + "/30", "dev", veth + "b"))
                .isZero();
        link("up");
        assertThat(run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"))
                .isZero();

        TestPostgres pg = TestPostgres.get();
        TcpForwarder toServer = TcpForwarder.start(host, 0, pg.host(), pg.port());
        cleanup.add(toServer);
        Process inside = new ProcessBuilder(
                        "ip",
                        "netns",
                        "exec",
                        ns,
                        System.getProperty("java.home") + "/bin/java",
                        "-cp",
                        System.getProperty("java.class.path"),
                        TcpForwarder.class.getName(),
                        peer,
                        "5432",
                        host,
                        String.valueOf(toServer.port()))
                .redirectErrorStream(true)
                .start();
        cleanup.add(inside::destroyForcibly);
        BufferedReader out = new BufferedReader(new InputStreamReader(inside.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).startsWith("forwarding on");
        return peer;
    }

    /** Takes the namespace's end of the link down (the host vanishes: no FIN, no RST) or up again. */
    private void link(String state) {
        assertThat(run("ip", "netns", "exec", ns, "ip", "link", "set", veth + "b", state))
                .isZero();
    }

    @Test
    void aStatementOnAVanishedHostFailsWithinTheKeepaliveBound() throws Exception {
        String peer = namespaceInFrontOfPostgres();
        TestPostgres pg = TestPostgres.get();
        Map<String, Object> config = new HashMap<>(pg.config());
        config.put("host", peer);
        config.put("port", 5432);
        config.put("keepalives_idle", 1);
        config.put("keepalives_interval", 1);
        config.put("keepalives_count", 2);
        config.put("application_name", "pgengine-dead-peer");
        PostgresEngine engine = new PostgresEngine(config);
        cleanup.add(() -> Await.result(engine.close()));
        Await.result(engine.startConnectionPool(PoolOptions.builder().maxSize(1).build()));
        CompletableFuture<List<Row>> sleeping = engine.query("SELECT pg_sleep(60)");
        Await.until(
                "the statement runs on the server",
                () -> (Long) pg.admin("SELECT count(*) FROM pg_stat_activity "
                                        + "WHERE application_name = 'pgengine-dead-peer' AND state = 'active'")
                                .get(0)
                                .get(0)
                        == 1L);

        // keepalive runs only while nothing is waiting for an acknowledgement (else it is the retransmission timeout)
        Await.until("the request was acknowledged", () -> acknowledged(peer));
        long start = System.nanoTime();
        link("down");

        Throwable error = Await.failure(sleeping);
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        assertThat(error).isInstanceOf(ConnectionException.class);
        assertThat(seconds)
                .as("noticed within idle + interval x count and some slack")
                .isLessThan(15);
        Await.until(
                "the pool let the dead connection go",
                () -> engine.poolStats().inUse() == 0,
                () -> engine.poolStats().toString());
        pg.admin(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pgengine-dead-peer'");
    }

    @Test
    void anIdleListenerOnAVanishedHostNoticesByKeepaliveReconnectsAndSaysWhatItMissed() throws Exception {
        String peer = namespaceInFrontOfPostgres();
        TestPostgres pg = TestPostgres.get();
        Map<String, Object> config = new HashMap<>(pg.config());
        config.put("host", peer);
        config.put("port", 5432);
        config.put("keepalives_idle", 1);
        config.put("keepalives_interval", 1);
        config.put("keepalives_count", 2);
        config.put("connect_timeout", 1);
        config.put("application_name", "pgengine-dead-listener");
        PostgresEngine engine = new PostgresEngine(config);
        cleanup.add(() -> Await.result(engine.close()));
        PostgresEngine direct = new PostgresEngine(pg.config());
        cleanup.add(() -> Await.result(direct.close()));
        cleanup.add(() -> pg.admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                + "WHERE application_name = 'pgengine-dead-listener'"));
        Recorder<ListenEvent> r = new Recorder<>(Long.MAX_VALUE);
        LogCapture log = LogCapture.of("io.github.pgengine.connection", Level.DEBUG);
        cleanup.add(log);
        engine.listen(
                        ListenOptions.builder()
                                .reconnectInitialDelay(Duration.ofMillis(50))
                                .reconnectMaxDelay(Duration.ofMillis(500))
                                .build(),
                        "dead_peer")
                .subscribe(r);
        Await.until(
                "the listener listens through the namespace",
                () -> (Long) pg.admin(
                                        "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                                                + "'pgengine-dead-listener' AND query = 'LISTEN \"dead_peer\"' AND state = 'idle'")
                                .get(0)
                                .get(0)
                        == 1L);
        Await.result(direct.notify("dead_peer", "before"));
        r.await(1);

        long start = System.nanoTime();
        link("down");
        Await.until(
                "keepalive noticed the loss",
                () -> log.messages().stream()
                        .anyMatch(m -> m.contains("the listener of [dead_peer] lost its connection")));
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        assertThat(seconds)
                .as("noticed within idle + interval x count and some slack")
                .isLessThan(15);
        // each attempt meets the 1 s connect_timeout while the host is gone
        Await.until(
                "reconnect attempts failed",
                () -> log.messages().stream().anyMatch(m -> m.contains("cannot re-open the listener's connection")));
        link("up");

        List<ListenEvent> events = r.await(2);
        MissedNotifications gap = (MissedNotifications) events.get(1);
        assertThat(gap.reason()).isEqualTo(MissedNotifications.Reason.CONNECTION_LOST);
        assertThat(Duration.between(gap.since(), gap.until())).isPositive();
        Await.result(direct.notify("dead_peer", "after"));
        assertThat(((ListenEvent.Notification) r.await(3).get(2)).payload()).isEqualTo("after");
        assertThat(r.violations()).isEmpty();
    }

    private static boolean acknowledged(String peer) {
        try {
            Process p = new ProcessBuilder("ss", "-tnoH", "dst", peer + ":5432")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            String[] fields = out.split("\\s+", -1);
            return fields.length > 2 && fields[0].equals("ESTAB") && fields[2].equals("0") && out.contains("keepalive");
        } catch (IOException e) {
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private static int run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (!p.waitFor(Duration.ofSeconds(20).toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
