package io.github.pgengine.testing;

import io.github.pgengine.testing.crdb.CockroachEmulator;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The CockroachDB backend for tests, chosen in this order: a real CockroachDB from
 * {@code PGENGINE_TEST_COCKROACH_URL}; Testcontainers' CockroachDB module when Docker is present; otherwise the
 * project's emulation in front of the test PostgreSQL. It says which one ran.
 */
public final class TestCockroach {
    /** A role that is not in CockroachDB's admin role. */
    public static final String PLAIN_USER = "pgengine_crdb_plain";

    private static final String PLAIN_PASSWORD = "crdb-plain-pass";
    private static @Nullable TestCockroach instance;

    private final Map<String, Object> admin;
    private final Map<String, Object> plain;
    private final String backend;
    private final @Nullable CockroachEmulator emulator;

    private TestCockroach(
            Map<String, Object> admin,
            Map<String, Object> plain,
            String backend,
            @Nullable CockroachEmulator emulator) {
        this.admin = admin;
        this.plain = plain;
        this.backend = backend;
        this.emulator = emulator;
    }

    /** Returns the JVM's CockroachDB backend, started on first use. */
    public static synchronized TestCockroach get() {
        if (instance == null) {
            instance = find();
            System.err.println("[pgengine-test] CockroachDB backend: " + instance.backend);
        }
        return instance;
    }

    /** Returns engine configuration for a user in the admin role. */
    public Map<String, Object> adminConfig() {
        return admin;
    }

    /** Returns engine configuration for a user without the privilege to set cluster settings. */
    public Map<String, Object> plainConfig() {
        return plain;
    }

    /** Returns which backend runs, for test output. */
    public String backend() {
        return backend;
    }

    /** Returns true when the backend is the emulation. */
    public boolean isEmulation() {
        return emulator != null;
    }

    /** Returns the emulation, or {@code null} for a real CockroachDB. */
    public @Nullable CockroachEmulator emulator() {
        return emulator;
    }

    @SuppressWarnings("resource")
    private static TestCockroach docker() {
        org.testcontainers.containers.CockroachContainer c =
                new org.testcontainers.containers.CockroachContainer("cockroachdb/cockroach:v24.1.0");
        c.start();
        Runtime.getRuntime().addShutdownHook(new Thread(c::stop, "pgengine-test-cockroach-stop"));
        Map<String, Object> admin = new LinkedHashMap<>();
        admin.put("host", c.getHost());
        admin.put("port", c.getMappedPort(26257));
        admin.put("user", "root");
        admin.put("database", c.getDatabaseName());
        admin.put("sslmode", "disable");
        Map<String, Object> plain = new LinkedHashMap<>(admin);
        plain.put("user", PLAIN_USER);
        com.github.jasync.sql.db.postgresql.PostgreSQLConnection conn =
                new com.github.jasync.sql.db.postgresql.PostgreSQLConnection(new com.github.jasync.sql.db.Configuration(
                        "root", c.getHost(), c.getMappedPort(26257), null, c.getDatabaseName()));
        try {
            conn.connect().get(60, java.util.concurrent.TimeUnit.SECONDS);
            conn.sendQuery("CREATE USER IF NOT EXISTS " + PLAIN_USER).get(60, java.util.concurrent.TimeUnit.SECONDS);
            conn.disconnect().get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot prepare the CockroachDB container: " + e.getMessage(), e);
        }
        return new TestCockroach(
                Map.copyOf(admin), Map.copyOf(plain), "Testcontainers " + c.getDockerImageName(), null);
    }

    private static TestCockroach find() {
        String url = System.getenv("PGENGINE_TEST_COCKROACH_URL");
        if (url != null && !url.isBlank()) {
            // the URL may list several nodes (a cluster): the engine's own parser reads it
            Map<String, Object> parsed = io.github.pgengine.internal.connect.ConnectionStrings.parse(url);
            Map<String, Object> admin = new LinkedHashMap<>();
            admin.put("dsn", url);
            Map<String, Object> plain = new LinkedHashMap<>();
            plain.put("host", parsed.getOrDefault("host", "localhost"));
            plain.put("port", parsed.getOrDefault("port", 26257));
            plain.put("user", PLAIN_USER);
            plain.put("database", parsed.getOrDefault("database", "defaultdb"));
            plain.put("sslmode", "disable");

            return new TestCockroach(
                    admin,
                    plain,
                    "real CockroachDB from PGENGINE_TEST_COCKROACH_URL (" + plain.get("host") + ":" + plain.get("port")
                            + "); create user " + PLAIN_USER + " there for the privilege tests",
                    null);
        }
        if (!"false".equalsIgnoreCase(System.getenv("PGENGINE_TEST_DOCKER")) && DockerPostgres.dockerAvailable()) {
            return docker();
        }
        TestPostgres pg = TestPostgres.get();
        pg.createRole(PLAIN_USER, PLAIN_PASSWORD, false);
        try {
            CockroachEmulator emulator = CockroachEmulator.start(pg.host(), pg.port(), Set.of(pg.user()), "v24.1.0");
            Map<String, Object> admin = new LinkedHashMap<>(pg.config());
            admin.put("host", emulator.host());
            admin.put("port", emulator.port());
            Map<String, Object> plain = new LinkedHashMap<>(pg.config(PLAIN_USER, PLAIN_PASSWORD));
            plain.put("host", emulator.host());
            plain.put("port", emulator.port());
            String docker =
                    DockerPostgres.dockerAvailable() ? " (Docker is present, but the emulation was chosen)" : "";
            return new TestCockroach(
                    Map.copyOf(admin),
                    Map.copyOf(plain),
                    "EMULATION of CockroachDB "
                            + "v24.1.0 (pgwire proxy on 127.0.0.1:" + emulator.port() + " over " + pg.source()
                            + "); no real "
                            + "CockroachDB was given (set PGENGINE_TEST_COCKROACH_URL)" + docker,
                    emulator);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the CockroachDB emulation: " + e.getMessage(), e);
        }
    }
}
