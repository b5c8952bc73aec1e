package io.github.pgengine.internal.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pgengine.internal.connect.ConnectionSettings.SslMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connection service file as libpq reads it: where it is looked for, which values win, and the errors for
 * unknown services, keys and lines. The environment is a map of the test's; the JVM's is never read or changed.
 */
class ServiceFileUnitTest {
    @TempDir
    Path dir;

    private final Map<String, String> env = new HashMap<>();
    private Path home;
    private Path sysconf;

    @BeforeEach
    void environment() throws IOException {
        home = Files.createDirectory(dir.resolve("home"));
        sysconf = Files.createDirectory(dir.resolve("etc"));
        env.put("HOME", home.toString());
        env.put("PGSYSCONFDIR", sysconf.toString());
    }

    private ConnectionSettings parse(Map<String, ?> config, String url) {
        return new ConfigParser(env::get, 5432).parse(config, url);
    }

    private ConnectionSettings parse(Map<String, ?> config) {
        return new ConfigParser(env::get, 5432).parse(config, null);
    }

    private Path homeFile(String text) throws IOException {
        return Files.writeString(home.resolve(".pg_service.conf"), text);
    }

    @Test
    void fillsWhatTheMapAndUrlLeaveUnsetAndBeatsTheEnvironment() throws IOException {
        homeFile("""
                # services for the tests
                [billing-old]
                host=wrong

                  [billing]\t\s
                  host=svc-host \s
                port=6000
                dbname=svc-db
                user=svc-user
                application_name=svc app
                sslmode=require
                connect_timeout=7
                keepalives_idle=45
                host=a-second-host-line-is-ignored
                [after]
                port=1
                """);
        env.putAll(Map.of(
                "PGHOST", "env-host",
                "PGPORT", "7777",
                "PGUSER", "env-user",
                "PGPASSWORD", "env-pw",
                "PGAPPNAME", "env-app",
                "PGDATABASE", "env-db"));

        ConnectionSettings s =
                parse(Map.of("service", "billing", "port", 5999), "postgresql://url-user@/?sslmode=disable");

        assertThat(s.port()).as("the map wins").isEqualTo(5999);
        assertThat(s.user()).as("the URL wins").isEqualTo("url-user");
        assertThat(s.sslMode()).as("the URL wins").isEqualTo(SslMode.DISABLE);
        assertThat(s.host()).as("the service beats PGHOST").isEqualTo("svc-host");
        assertThat(s.database()).isEqualTo("svc-db");
        assertThat(s.applicationName()).isEqualTo("svc app");
        assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(s.keepalivesIdle()).isEqualTo(Duration.ofSeconds(45));
        assertThat(s.password())
                .as("what the service leaves unset comes from the environment")
                .isEqualTo("env-pw");
    }

    @Test
    void theServiceComesFromTheKeyTheUrlOrPgservice() throws IOException {
        homeFile("[a]\nhost=host-a\n[b]\nhost=host-b\n[c]\nhost=host-c\n");
        env.put("PGSERVICE", "a");

        assertThat(parse(Map.of()).host()).isEqualTo("host-a");
        assertThat(parse(Map.of("service", "b")).host()).isEqualTo("host-b");
        assertThat(parse(Map.of(), "postgresql:///db?service=c").host()).isEqualTo("host-c");
        assertThat(parse(Map.of("service", "b"), "postgresql:///db?service=c").host())
                .isEqualTo("host-b");
        env.remove("PGSERVICE");
        assertThat(parse(Map.of()).host()).as("no service, no file read").isEqualTo("localhost");
    }

    @Test
    void searchesTheUserFileBeforeTheSystemFile() throws IOException {
        homeFile("[shared]\nhost=user-host\n");
        Files.writeString(
                sysconf.resolve("pg_service.conf"),
                "[shared]\nhost=system-host\nport=6001\n[system-only]\nhost=system-host\nport=6002\n");

        ConnectionSettings shared = parse(Map.of("service", "shared"));
        assertThat(shared.host()).isEqualTo("user-host");
        assertThat(shared.port())
                .as("a service found in the user file is not read from the system file")
                .isEqualTo(5432);

        ConnectionSettings systemOnly = parse(Map.of("service", "system-only"));
        assertThat(systemOnly.host()).isEqualTo("system-host");
        assertThat(systemOnly.port()).isEqualTo(6002);

        Files.delete(home.resolve(".pg_service.conf"));
        assertThat(parse(Map.of("service", "shared")).host())
                .as("no user file: the system file")
                .isEqualTo("system-host");
    }

    @Test
    void pgservicefileTakesThePlaceOfTheHomeFile() throws IOException {
        homeFile("[s]\nhost=home-host\n");
        Path named = Files.writeString(dir.resolve("services.conf"), "[s]\nhost=named-host\n");
        env.put("PGSERVICEFILE", named.toString());

        assertThat(parse(Map.of("service", "s")).host()).isEqualTo("named-host");

        env.put("PGSERVICEFILE", dir.resolve("missing.conf").toString());
        assertThatThrownBy(() -> parse(Map.of("service", "s")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("service file \"" + dir.resolve("missing.conf") + "\" not found");
    }

    @Test
    void anUndefinedServiceNamesItselfAndTheFilesSearched() throws IOException {
        homeFile("[other]\nhost=h\n");

        assertThatThrownBy(() -> parse(Map.of("service", "nope")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("definition of service \"nope\" not found; searched \"" + home.resolve(".pg_service.conf")
                        + "\" and \"" + sysconf.resolve("pg_service.conf") + "\" (absent)");
    }

    @Test
    void anUnsupportedKeyNamesTheFileLineAndKey() throws IOException {
        Path file = homeFile("[other]\nhostaddr=1.2.3.4\n[s]\npassword=S3cret!\nhostaddr=10.0.0.1\n[clean]\nhost=h\n");

        assertThatThrownBy(() -> parse(Map.of("service", "s")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "service file \"" + file + "\", line 5: key 'hostaddr' is not supported; supported keys are "
                                + "application_name, connect_timeout, dbname, host, ")
                .hasMessageNotContaining("S3cret!")
                .hasMessageNotContaining("10.0.0.1");
        assertThat(parse(Map.of("service", "clean")).host())
                .as("other sections' lines are not read")
                .isEqualTo("h");
    }

    @Test
    void refusesMalformedLinesAsLibpqDoes() throws IOException {
        Path file = homeFile("[spaces]\nhost = h\n[no-equals]\nhost\n[nested]\nservice=other\n");

        assertThatThrownBy(() -> parse(Map.of("service", "spaces")))
                .hasMessage("service file \"" + file + "\", line 2: key 'host ' is not supported"
                        + " (libpq allows no spaces around '=')");
        assertThatThrownBy(() -> parse(Map.of("service", "no-equals")))
                .hasMessage("syntax error in service file \"" + file + "\", line 4: expected key=value");
        assertThatThrownBy(() -> parse(Map.of("service", "nested")))
                .hasMessage("nested service specifications not supported in service file \"" + file + "\", line 6");
    }

    @Test
    void aServiceMaySetThePasswordAndThePasswordFile() throws IOException {
        Path pgpass = Files.writeString(dir.resolve("pgpass"), "*:*:*:*:from-file\n");
        Files.setPosixFilePermissions(pgpass, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        homeFile("[with-password]\npassword=from-service\npassfile=" + pgpass + "\n[with-passfile]\npassfile=" + pgpass
                + "\n");

        ConnectionSettings withPassword = parse(Map.of("service", "with-password"));
        assertThat(withPassword.passwordFor("localhost", 5432)).isEqualTo("from-service");
        assertThat(withPassword.passFile()).isNull();

        ConnectionSettings withPassfile = parse(Map.of("service", "with-passfile"));
        assertThat(withPassfile.passwordFor("localhost", 5432)).isEqualTo("from-file");
        assertThat(withPassfile.toString()).doesNotContain("from-file");
    }
}
