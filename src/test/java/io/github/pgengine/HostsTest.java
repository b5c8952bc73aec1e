package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.ReplicatedPostgres;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Several hosts against a real primary and a real hot standby: {@code target_session_attrs} picks the server of
 * the wanted kind whatever the order, {@code prefer-standby} falls back, {@code load_balance_hosts=random} spreads
 * connections, and a server of the wrong kind is named in the error.
 */
class HostsTest {
    private static ReplicatedPostgres pair;
    private final List<PostgresEngine> engines = new ArrayList<>();

    @BeforeAll
    static void start() {
        pair = ReplicatedPostgres.start();
    }

    @AfterAll
    static void stop() {
        pair.close();
    }

    @AfterEach
    void close() {
        engines.forEach(e -> Await.result(e.close()));
    }

    private PostgresEngine engine(Map<String, Object> config) {
        PostgresEngine e = new PostgresEngine(config);
        engines.add(e);
        return e;
    }

    private int serverPort(PostgresEngine e) {
        return Await.result(e.query("SELECT inet_server_port() AS p")).get(0).getInt("p");
    }

    private Map<String, Object> standbyFirst(String target) {
        Map<String, Object> config = pair.config("target_session_attrs", target);
        config.put("port", pair.standby().port() + "," + pair.primary().port());
        return config;
    }

    @Test
    void eachTargetFindsItsKindOfServerInEitherOrder() {
        int primary = pair.primary().port();
        int standby = pair.standby().port();
        Map<String, Integer> expected = Map.of(
                "read-write", primary,
                "primary", primary,
                "read-only", standby,
                "standby", standby,
                "prefer-standby", standby);
        expected.forEach((target, port) -> {
            assertThat(serverPort(engine(pair.config("target_session_attrs", target))))
                    .as(target + ", primary listed first")
                    .isEqualTo(port);
            assertThat(serverPort(engine(standbyFirst(target))))
                    .as(target + ", standby listed first")
                    .isEqualTo(port);
        });
        assertThat(serverPort(engine(pair.config()))).as("any: the first host").isEqualTo(primary);
        assertThat(serverPort(engine(standbyFirst("any"))))
                .as("any: the first host")
                .isEqualTo(standby);
    }

    @Test
    void aWriteThroughAReadWriteTargetNeverLandsOnTheStandby() {
        PostgresEngine e = engine(standbyFirst("read-write"));
        Await.result(e.runDdl("CREATE TABLE IF NOT EXISTS hosts_rw (id int)"));
        for (int i = 0; i < 20; i++) {
            Await.result(e.execute("INSERT INTO hosts_rw VALUES ($1)", i));
        }
        assertThat(Await.result(e.query("SELECT count(*) AS n FROM hosts_rw"))
                        .get(0)
                        .getLong("n"))
                .isGreaterThanOrEqualTo(20);
    }

    @Test
    void noServerOfTheWantedKindIsAnErrorNamingEachHost() {
        Map<String, Object> onlyPrimary = new HashMap<>(pair.primary().config());
        onlyPrimary.put("target_session_attrs", "standby");
        Map<String, Object> nowhere = new HashMap<>(pair.primary().config());
        nowhere.put("host", "127.0.0.1,127.0.0.1");
        nowhere.put("port", "1," + pair.primary().port());
        nowhere.put("target_session_attrs", "standby");

        Throwable one = Await.failure(engine(onlyPrimary).query("SELECT 1"));
        Throwable two = Await.failure(engine(nowhere).query("SELECT 1"));

        assertThat(one)
                .isInstanceOf(ConnectionException.class)
                .hasMessageContaining("target_session_attrs=standby")
                .hasMessageContaining("127.0.0.1:" + pair.primary().port() + ": the server is a primary");
        assertThat(two)
                .isInstanceOf(ConnectionException.class)
                .hasMessageContaining("127.0.0.1:1: ")
                .hasMessageContaining("127.0.0.1:" + pair.primary().port() + ": the server is a primary");
    }

    @Test
    void randomBalancingSpreadsNewConnectionsOverTheHosts() {
        PostgresEngine e = engine(pair.config("load_balance_hosts", "random"));
        Map<Integer, Integer> perPort = new HashMap<>();
        int n = 60;
        for (int i = 0; i < n; i++) {
            perPort.merge(serverPort(e), 1, Integer::sum); // no pool: each call opens its own connection
        }
        // binomial(60, 0.5): fewer than 15 on a host happens about 5 times in 100,000 runs
        assertThat(perPort)
                .containsOnlyKeys(pair.primary().port(), pair.standby().port());
        assertThat(perPort.values()).allMatch(count -> count >= 15);
        Map<Integer, Integer> ordered = new HashMap<>();
        PostgresEngine inOrder = engine(pair.config());
        for (int i = 0; i < 10; i++) {
            ordered.merge(serverPort(inOrder), 1, Integer::sum);
        }
        assertThat(ordered).containsOnlyKeys(pair.primary().port());
    }

    @Test
    void preferStandbyTakesThePrimaryWhileTheStandbyIsDown() {
        PostgresEngine e = engine(pair.config("target_session_attrs", "prefer-standby", "host_recheck_interval", 0));
        assertThat(serverPort(e)).isEqualTo(pair.standby().port());
        pair.stopStandby();
        try {
            assertThat(serverPort(e)).isEqualTo(pair.primary().port());
        } finally {
            pair.startStandby();
        }
        Await.until(
                "the standby streams again",
                () -> !pair.primary()
                        .admin("SELECT 1 FROM pg_stat_replication WHERE state = 'streaming'")
                        .isEmpty());
        assertThat(serverPort(e)).isEqualTo(pair.standby().port());
    }

    @Test
    void aHostThatFailedIsPassedOverUntilTheRecheckInterval() throws Exception {
        try (java.net.ServerSocket refusing =
                new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();
            Thread acceptor = new Thread(() -> {
                while (!refusing.isClosed()) {
                    try {
                        java.net.Socket s = refusing.accept();
                        attempts.incrementAndGet();
                        s.close(); // at once: the attempt fails during set-up
                    } catch (java.io.IOException closed) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            Map<String, Object> config = new HashMap<>(pair.primary().config());
            config.put("host", "127.0.0.1,127.0.0.1");
            config.put("port", refusing.getLocalPort() + "," + pair.primary().port());

            config.put("host_recheck_interval", "1h");
            PostgresEngine remembers = engine(config);
            for (int i = 0; i < 5; i++) {
                assertThat(serverPort(remembers)).isEqualTo(pair.primary().port());
            }
            assertThat(attempts)
                    .as("the failed host is tried once, then passed over")
                    .hasValue(1);

            config.put("host_recheck_interval", 0);
            PostgresEngine forgets = engine(config);
            for (int i = 0; i < 5; i++) {
                assertThat(serverPort(forgets)).isEqualTo(pair.primary().port());
            }
            assertThat(attempts)
                    .as("with no recheck interval it is tried first every time")
                    .hasValue(6);
        }
    }

    @Test
    void aReadOnTheReplicaAfterWaitingForTheWritesPositionSeesTheWrite() {
        PostgresEngine primary = engine(pair.config("target_session_attrs", "primary"));
        PostgresEngine replica = engine(pair.config("target_session_attrs", "standby"));
        Await.result(primary.runDdl("CREATE TABLE IF NOT EXISTS hosts_ryw (id int PRIMARY KEY)"));
        for (int i = 0; i < 20; i++) {
            Await.result(primary.execute("INSERT INTO hosts_ryw VALUES ($1)", i));
            String lsn = Await.result(primary.currentLsn());

            Await.result(replica.waitForLsn(lsn, java.time.Duration.ofSeconds(10)));

            assertThat(Await.result(replica.query("SELECT count(*) AS n FROM hosts_ryw WHERE id = $1", i))
                            .get(0)
                            .getLong("n"))
                    .isEqualTo(1);
        }
        assertThat(Await.result(replica.currentLsn())).matches("[0-9A-F]+/[0-9A-F]+");
    }

    @Test
    void waitingForAPositionNeverReachedTimesOutNamingBoth() {
        PostgresEngine replica = engine(pair.config("target_session_attrs", "standby"));

        Throwable late = Await.failure(replica.waitForLsn("FFFFFFFF/0", java.time.Duration.ofMillis(100)));
        Throwable bad = Await.failure(replica.waitForLsn("0/xyz; DROP TABLE t", java.time.Duration.ofSeconds(1)));

        assertThat(late)
                .isInstanceOf(QueryTimeoutException.class)
                .hasMessageContaining("has not reached WAL position FFFFFFFF/0 within 100 ms (it is at ");
        assertThat(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lsn must look like");
    }

    @Test
    void cancellingAStatementStopsItOnTheHostItRunsOnNotTheFirstHost() {
        Map<String, Object> config = new HashMap<>(pair.primary().config());
        config.put("host", "127.0.0.1,127.0.0.1");
        config.put("port", "1," + pair.primary().port());
        config.put("application_name", "cancel_second_host");
        PostgresEngine e = engine(config);
        Await.result(e.startConnectionPool(
                PoolOptions.builder().maxSize(1).minIdle(1).build()));
        java.util.concurrent.CompletableFuture<List<Row>> sleeping = e.query("SELECT pg_sleep(60)");
        Await.until(
                "the statement runs on the second host",
                () -> !pair.primary()
                        .admin("SELECT 1 FROM pg_stat_activity WHERE application_name = 'cancel_second_host' "
                                + "AND query = 'SELECT pg_sleep(60)' AND state = 'active'")
                        .isEmpty());

        sleeping.cancel(true);

        Await.until(
                "the server stopped the statement",
                () -> pair.primary()
                        .admin("SELECT 1 FROM pg_stat_activity WHERE application_name = 'cancel_second_host' "
                                + "AND query = 'SELECT pg_sleep(60)' AND state = 'active'")
                        .isEmpty());
        assertThat(Await.result(e.query("SELECT 1 AS one")).get(0).getInt("one"))
                .isEqualTo(1);
        Await.until("pool idle", () -> e.poolStats().isIdle());
    }
}
