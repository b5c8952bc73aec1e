package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.github.pgengine.internal.connect.ConfigParser;
import io.github.pgengine.internal.connect.ConnectionFactory;
import io.github.pgengine.internal.wire.DbConnection;
import io.github.pgengine.internal.wire.Result;
import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.LogCapture;
import io.github.pgengine.testing.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The password file and the service file against the real server, with a role whose SCRAM password the server
 * demands: a connection succeeds only with the password the file gives for that host and port, and fails with
 * 28P01 (invalid_password) when the file gives a wrong one.
 */
class PasswordFilesTest {
    private static final String ROLE = "pgengine_pgpass";
    /** A colon and a backslash, so the file's escapes are exercised end to end. */
    private static final String PASSWORD = "pg:pass\\word";

    private static TestPostgres pg;

    @TempDir
    Path dir;

    @BeforeAll
    static void role() {
        pg = TestPostgres.get();
        pg.createRole(ROLE, PASSWORD, false);
        PostgresEngine wrong = new PostgresEngine(pg.config(ROLE, "not-the-password"));
        try {
            Throwable refused = Await.failure(wrong.query("SELECT 1"));
            Assumptions.assumeTrue(
                    refused instanceof EngineException e && "28P01".equals(e.sqlState()),
                    "the server must demand passwords for these tests to prove anything; it answered " + refused);
        } finally {
            Await.result(wrong.close());
        }
    }

    private static String escape(String field) {
        return field.replace("\\", "\\\\").replace(":", "\\:");
    }

    private Path passFile(String text, String permissions) throws IOException {
        Path file = dir.resolve("pgpass");
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        return file;
    }

    /** The role's configuration without a password; the password file is the given one. */
    private static Map<String, Object> withoutPassword(Path passFile) {
        Assumptions.assumeTrue(
                System.getenv("PGPASSWORD") == null && System.getenv("PGSERVICE") == null,
                "PGPASSWORD or PGSERVICE is set in this environment and would win over the file");
        Map<String, Object> config = new HashMap<>(pg.config(ROLE, PASSWORD));
        config.remove("password");
        config.put("passfile", passFile);
        return config;
    }

    private static String currentUser(PostgresEngine e) {
        try {
            return Await.result(e.query("SELECT current_user AS u")).get(0).getString("u");
        } finally {
            Await.result(e.close());
        }
    }

    @Test
    void connectsWithThePasswordTheFileGivesForThisHostAndPort() throws IOException {
        String host = escape(pg.host());
        int port = pg.port();
        Path file = passFile(
                String.join(
                        "\n",
                        "# the other lines hold wrong passwords",
                        "elsewhere:" + port + ":*:" + ROLE + ":wrong",
                        host + ":" + (port == 65535 ? 1 : port + 1) + ":*:" + ROLE + ":wrong",
                        host + ":" + port + ":" + escape(pg.database()) + ":" + ROLE + ":" + escape(PASSWORD),
                        "*:*:*:*:wrong"),
                "rw-------");

        assertThat(currentUser(new PostgresEngine(withoutPassword(file)))).isEqualTo(ROLE);
    }

    @Test
    void aWrongPasswordInTheFileIsRefusedByTheServer() throws IOException {
        Path file = passFile("*:*:*:" + ROLE + ":Wr0ng-but-secret\n", "rw-------");
        PostgresEngine e = new PostgresEngine(withoutPassword(file));

        Throwable error = Await.failure(e.query("SELECT 1"));
        Await.result(e.close());

        assertThat(error).isInstanceOf(EngineException.class).hasMessageNotContaining("Wr0ng-but-secret");
        assertThat(((EngineException) error).sqlState()).isEqualTo("28P01");
    }

    @Test
    void aGivenPasswordWinsOverTheFile() throws IOException {
        Path file = passFile("*:*:*:*:wrong\n", "rw-------");
        Map<String, Object> config = new HashMap<>(withoutPassword(file));
        config.put("password", PASSWORD);

        assertThat(currentUser(new PostgresEngine(config))).isEqualTo(ROLE);
    }

    @Test
    void aGroupReadableFileIsIgnoredWithOneWarning() throws IOException {
        Path file = passFile("*:*:*:*:" + escape(PASSWORD) + "\n", "rw-r-----");
        try (LogCapture log = LogCapture.of("io.github.pgengine", Level.WARN)) {
            PostgresEngine e = PostgresEngine.builder()
                    .config(withoutPassword(file))
                    .warnWithoutPool(false)
                    .build();
            Throwable error = Await.failure(e.query("SELECT 1"));
            Throwable again = Await.failure(e.query("SELECT 1"));
            Await.result(e.close());

            assertThat(error).isInstanceOf(ConnectionException.class).hasMessageContaining("password not provided");
            assertThat(again).isInstanceOf(ConnectionException.class);
            assertThat(log.warnings())
                    .containsExactly("password file \"" + file
                            + "\" has group or world access; permissions should be u=rw (0600) or less");
        }
    }

    @Test
    void connectsThroughAServiceOfTheServiceFile() throws IOException {
        Path file = passFile("*:*:*:" + ROLE + ":" + escape(PASSWORD) + "\n", "rw-------");
        Path home = Files.createDirectory(dir.resolve("home"));
        Files.writeString(
                home.resolve(".pg_service.conf"),
                String.join(
                        "\n",
                        "[pgpass-test]",
                        "host=" + pg.host(),
                        "port=" + pg.port(),
                        "dbname=" + pg.database(),
                        "user=" + ROLE,
                        "sslmode=disable",
                        "passfile=" + file,
                        "application_name=from-the-service"));
        Map<String, String> env = Map.of(
                "HOME", home.toString(), "PGSYSCONFDIR", dir.resolve("etc").toString());

        DbConnection c = Await.result(new ConnectionFactory(
                        new ConfigParser(env::get, 5432).parse(Map.of("service", "pgpass-test"), null), x -> {})
                .open());
        try {
            Result r = Await.result(
                    c.simple("SELECT current_user, current_database(), current_setting('application_name')"));
            List<String> row = java.util.Arrays.stream(r.rows().get(0))
                    .map(String::valueOf)
                    .toList();
            assertThat(row).containsExactly(ROLE, pg.database(), "from-the-service");
        } finally {
            Await.result(c.close());
        }
    }
}
