package io.github.pgengine.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A real primary with a real hot standby streaming from it, both throwaway clusters on 127.0.0.1 from the same
 * binaries as the test PostgreSQL (the embedded ones by default). The standby is a copy of the primary's data
 * directory taken while the primary was shut down cleanly (so no {@code pg_basebackup} is needed), started with
 * {@code standby.signal} and a {@code primary_conninfo}. Commits on the primary wait for the standby
 * ({@code synchronous_standby_names = '*'}), so a committed write survives the primary's loss.
 */
public final class ReplicatedPostgres implements AutoCloseable {
    private final TestPostgres primary;
    private final TestPostgres standby;
    private final TestPostgres.LocalCluster primaryCluster;
    private final TestPostgres.LocalCluster standbyCluster;

    private ReplicatedPostgres(
            TestPostgres primary,
            TestPostgres standby,
            TestPostgres.LocalCluster primaryCluster,
            TestPostgres.LocalCluster standbyCluster) {
        this.primary = primary;
        this.standby = standby;
        this.primaryCluster = primaryCluster;
        this.standbyCluster = standbyCluster;
    }

    /**
     * Starts a primary and a standby and waits until the standby streams.
     *
     * @return the pair; close it to remove both
     */
    public static ReplicatedPostgres start() {
        Path bin = binaries();
        TestPostgres primary = TestPostgres.LocalCluster.start(bin, "replication primary");
        TestPostgres.LocalCluster p = primary.requireCluster();
        try {
            p.pgCtl("-m", "fast", "stop");
            Path standbyDir = Files.createTempDirectory("pgengine-standby-");
            Files.setPosixFilePermissions(standbyDir, PosixFilePermissions.fromString("rwx------"));
            TestPostgres.LocalCluster.exec(
                    List.of(
                            "cp",
                            "-a",
                            p.dir.resolve("data").toString(),
                            standbyDir.resolve("data").toString()),
                    Duration.ofMinutes(2));
            Path data = standbyDir.resolve("data");
            Files.deleteIfExists(data.resolve("postmaster.pid"));
            int standbyPort = TestPostgres.LocalCluster.freePort();
            Files.writeString(
                    data.resolve("postgresql.conf"),
                    String.join(
                            "\n",
                            "",
                            "port = " + standbyPort,
                            "unix_socket_directories = '" + standbyDir + "'",
                            "hot_standby = on",
                            "wal_receiver_status_interval = 1s",
                            "primary_conninfo = 'host=127.0.0.1 port=" + primary.port() + " user=" + primary.user()
                                    + " password=" + primary.password() + " application_name=standby'",
                            ""),
                    StandardOpenOption.APPEND);
            Files.writeString(data.resolve("standby.signal"), "");
            // only the primary waits for its standby: after a promotion the new primary has none to wait for
            Files.writeString(
                    p.dir.resolve("data").resolve("postgresql.conf"),
                    List.of("synchronous_commit = on", "synchronous_standby_names = '*'").stream()
                            .map(line -> "\n" + line)
                            .collect(java.util.stream.Collectors.joining("", "", "\n")),
                    StandardOpenOption.APPEND);
            if (p.runAs != null) {
                TestPostgres.LocalCluster.exec(
                        List.of("chown", "-R", p.runAs, standbyDir.toString()), Duration.ofSeconds(30));
            }
            TestPostgres.LocalCluster s = new TestPostgres.LocalCluster(bin, standbyDir, p.runAs);
            Runtime.getRuntime().addShutdownHook(new Thread(s::destroy, "pgengine-test-standby-stop"));
            p.start();
            s.start();
            TestPostgres standby = TestPostgres.create(
                    "127.0.0.1",
                    standbyPort,
                    primary.database(),
                    primary.user(),
                    primary.password(),
                    "replication standby in " + standbyDir + " (port " + standbyPort + ")",
                    s);
            ReplicatedPostgres pair = new ReplicatedPostgres(primary, standby, p, s);
            Await.until(
                    "the standby streams from the primary",
                    () -> !primary.admin("SELECT 1 FROM pg_stat_replication WHERE state = 'streaming'")
                            .isEmpty());
            return pair;
        } catch (IOException e) {
            p.destroy();
            throw new IllegalStateException("cannot set up a standby: " + e.getMessage(), e);
        }
    }

    private static Path binaries() {
        Path bin = EmbeddedBinaries.binDir();
        if (bin == null) {
            bin = TestPostgres.LocalCluster.findBinaries();
        }
        if (bin == null) {
            throw new IllegalStateException("no PostgreSQL binaries for a replication pair (embedded or local)");
        }
        return bin;
    }

    /** Returns the primary. */
    public TestPostgres primary() {
        return primary;
    }

    /** Returns the standby. */
    public TestPostgres standby() {
        return standby;
    }

    /**
     * A configuration naming both servers, primary first.
     *
     * @param extra more keys (target_session_attrs, ...)
     * @return the configuration map
     */
    public Map<String, Object> config(Object... extra) {
        Map<String, Object> config = new HashMap<>(primary.config());
        config.put("host", "127.0.0.1,127.0.0.1");
        config.put("port", primary.port() + "," + standby.port());
        for (int i = 0; i < extra.length; i += 2) {
            config.put((String) extra[i], extra[i + 1]);
        }
        return config;
    }

    /** Crashes the primary (immediate shutdown: no checkpoint, connections cut). */
    public void crashPrimary() {
        primaryCluster.pgCtl("-m", "immediate", "stop");
    }

    /**
     * Stops the primary cleanly (fast shutdown): its connections are cut, and the standby receives all of its WAL up
     * to the shutdown checkpoint, so the primary can later follow the promoted standby ({@link #demoteFormerPrimary()}).
     */
    public void stopPrimary() {
        primaryCluster.pgCtl("-m", "fast", "stop");
    }

    /** Starts the primary again, as the primary. */
    public void startPrimary() {
        primaryCluster.start();
    }

    /**
     * Starts the former primary, stopped by {@link #stopPrimary()} before {@link #promoteStandby()}, as a hot standby
     * streaming from the promoted one (a switchover: the two servers swap roles), and waits until it streams. After
     * this, {@link #primary()} is the standby and {@link #standby()} the primary.
     */
    public void demoteFormerPrimary() {
        Path data = primaryCluster.dir.resolve("data");
        try {
            Files.writeString(
                    data.resolve("postgresql.conf"),
                    String.join(
                            "\n",
                            "",
                            "hot_standby = on",
                            "wal_receiver_status_interval = 1s",
                            "primary_conninfo = 'host=127.0.0.1 port=" + standby.port() + " user=" + standby.user()
                                    + " password=" + standby.password() + " application_name=former_primary'",
                            ""),
                    StandardOpenOption.APPEND);
            Files.writeString(data.resolve("standby.signal"), "");
        } catch (IOException e) {
            throw new IllegalStateException("cannot make the former primary a standby: " + e.getMessage(), e);
        }
        primaryCluster.start();
        Await.until(
                "the former primary streams from the promoted standby",
                () -> !standby.admin("SELECT 1 FROM pg_stat_replication WHERE state = 'streaming'")
                        .isEmpty());
    }

    /** Promotes the standby and waits until it accepts writes. */
    public void promoteStandby() {
        standbyCluster.pgCtl("-w", "-t", "60", "promote");
    }

    /**
     * Makes the primary stop waiting for its standby at commit ({@code synchronous_standby_names} emptied and the
     * configuration reloaded), so it goes on committing while the standby is down.
     */
    public void stopWaitingForTheStandby() {
        primary.admin("ALTER SYSTEM SET synchronous_standby_names = ''");
        primary.admin("SELECT pg_reload_conf()");
        Await.until(
                "the primary no longer waits for its standby",
                () -> primary.admin("SHOW synchronous_standby_names")
                        .get(0)
                        .get(0)
                        .equals(""));
    }

    /** Stops the standby (fast shutdown). */
    public void stopStandby() {
        standbyCluster.pgCtl("-m", "fast", "stop");
    }

    /** Starts the standby again. */
    public void startStandby() {
        standbyCluster.start();
    }

    /**
     * Runs a query as the superuser on one of the servers.
     *
     * @param server the primary or the standby
     * @param sql the query
     * @return the rows
     */
    public static List<List<Object>> admin(TestPostgres server, String sql) {
        return new ArrayList<>(server.admin(sql));
    }

    @Override
    public void close() {
        standbyCluster.destroy();
        primaryCluster.destroy();
    }

    /** Returns the port of the server a connection runs on, from {@code inet_server_port()}. */
    public static int port(@Nullable Object inetServerPort) {
        return ((Number) java.util.Objects.requireNonNull(inetServerPort)).intValue();
    }
}
