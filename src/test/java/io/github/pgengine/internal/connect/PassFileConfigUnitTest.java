package io.github.pgengine.internal.connect;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which password file the configuration uses ({@code passfile}, {@code PGPASSFILE}, {@code ~/.pgpass}), that it is
 * consulted only without a password, and per host. The environment is a map of the test's.
 */
class PassFileConfigUnitTest {
    @TempDir
    Path dir;

    private final Map<String, String> env = new HashMap<>();

    @BeforeEach
    void home() throws IOException {
        Path home = Files.createDirectory(dir.resolve("home"));
        env.put("HOME", home.toString());
        write(home.resolve(".pgpass"), "db1:5432:shop:app:home-pw\nlocalhost:5432:*:*:local-pw\n");
    }

    private static Path write(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    private ConnectionSettings parse(Map<String, ?> config) {
        return new ConfigParser(env::get, 5432).parse(config, null);
    }

    private static final Map<String, Object> SHOP = Map.of("host", "db1", "user", "app", "database", "shop");

    @Test
    void looksUpThePasswordPerHostInTheHomeFile() {
        ConnectionSettings s = parse(SHOP);

        assertThat(s.password()).isNull();
        assertThat(s.passwordFor("db1", 5432)).isEqualTo("home-pw");
        assertThat(s.passwordFor("db2", 5432)).isNull();
        assertThat(s.passwordFor("db1", 5433)).isNull();
        assertThat(s.passFile()).isNotNull();
        assertThat(s.toString()).doesNotContain("home-pw").contains("passfile=" + env.get("HOME") + "/.pgpass");
    }

    @Test
    void theDefaultHostIsLocalhost() {
        ConnectionSettings s = parse(Map.of("user", "u"));

        assertThat(s.passwordFor(s.host(), s.port())).isEqualTo("local-pw");
    }

    @Test
    void thePassfileKeyBeatsPgpassfileWhichBeatsTheHomeFile() throws IOException {
        Path fromEnv = write(dir.resolve("env-pgpass"), "*:*:*:*:env-file-pw\n");
        Path fromKey = write(dir.resolve("key-pgpass"), "*:*:*:*:key-file-pw\n");
        env.put("PGPASSFILE", fromEnv.toString());

        assertThat(parse(SHOP).passwordFor("db1", 5432)).isEqualTo("env-file-pw");
        Map<String, Object> withKey = new HashMap<>(SHOP);
        withKey.put("passfile", fromKey);
        assertThat(parse(withKey).passwordFor("db1", 5432)).isEqualTo("key-file-pw");
        assertThat(new ConfigParser(env::get, 5432)
                        .parse(Map.of(), "postgresql://app@db1/shop?passfile=" + fromKey)
                        .passwordFor("db1", 5432))
                .isEqualTo("key-file-pw");
    }

    @Test
    void aGivenPasswordWinsAndTheFileIsNotRead() {
        Map<String, Object> withPassword = new HashMap<>(SHOP);
        withPassword.put("password", "explicit");
        ConnectionSettings s = parse(withPassword);
        assertThat(s.passwordFor("db1", 5432)).isEqualTo("explicit");
        assertThat(s.passFile()).isNull();

        env.put("PGPASSWORD", "from-env");
        assertThat(parse(SHOP).passwordFor("db1", 5432)).isEqualTo("from-env");
        env.remove("PGPASSWORD");

        withPassword.put("password", "");
        assertThat(parse(withPassword).passwordFor("db1", 5432))
                .as("an empty password counts as none, as in libpq")
                .isEqualTo("home-pw");
    }

    @Test
    void aMissingFileMeansNoPassword() {
        env.put("PGPASSFILE", dir.resolve("absent").toString());

        assertThat(parse(SHOP).passwordFor("db1", 5432)).isNull();
    }

    @Test
    void theNewKeysAreKnown() {
        assertThat(ConfigParser.KEYS).contains("passfile", "service");
    }
}
