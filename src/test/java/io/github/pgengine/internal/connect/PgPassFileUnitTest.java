package io.github.pgengine.internal.connect;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.github.pgengine.testing.LogCapture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** libpq's password-file rules: wildcards, first match, escapes, comments, and the permission check. */
class PgPassFileUnitTest {
    @TempDir
    Path dir;

    private Path write(String name, String text, String permissions) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        return file;
    }

    @Test
    void aStarFieldMatchesAnyValue() {
        PgPassFile f = PgPassFile.of("*:*:*:app:app-pw\ndb1:5432:*:*:db1-pw\n");

        assertThat(f.lookup("anyhost", 7000, "anydb", "app")).isEqualTo("app-pw");
        assertThat(f.lookup("db1", 5432, "shop", "other")).isEqualTo("db1-pw");
        assertThat(f.lookup("db1", 5433, "shop", "other")).isNull();
        assertThat(f.lookup("db2", 5432, "shop", "other")).isNull();
    }

    @Test
    void onlyAWholeStarFieldIsAWildcard() {
        PgPassFile f = PgPassFile.of("db*:*:*:*:prefix\n\\*:*:*:*:escaped-star\n");

        assertThat(f.lookup("db1", 5432, "d", "u")).isNull();
        assertThat(f.lookup("db*", 5432, "d", "u")).isEqualTo("prefix");
        assertThat(f.lookup("*", 5432, "d", "u")).isEqualTo("escaped-star");
    }

    @Test
    void theFirstMatchingLineWins() {
        PgPassFile f = PgPassFile.of("db1:5432:shop:app:first\n*:*:*:*:catch-all\ndb1:5432:shop:app:second\n");

        assertThat(f.lookup("db1", 5432, "shop", "app")).isEqualTo("first");
        assertThat(f.lookup("db9", 5432, "shop", "app")).isEqualTo("catch-all");
    }

    @Test
    void readsEscapedColonsAndBackslashes() {
        PgPassFile f = PgPassFile.of("\\:\\:1:5432:d\\\\b:u\\:x:p\\:a\\\\ss:ignored:fields\n");

        assertThat(f.lookup("::1", 5432, "d\\b", "u:x")).isEqualTo("p:a\\ss");
        assertThat(f.lookup("::1", 5432, "db", "u:x")).isNull();
    }

    @Test
    void passwordsKeepALoneTrailingBackslashAndStopAtAnUnescapedColon() {
        assertThat(PgPassFile.of("h:1:d:u:pw\\").lookup("h", 1, "d", "u")).isEqualTo("pw\\");
        assertThat(PgPassFile.of("h:1:d:u:pw:more").lookup("h", 1, "d", "u")).isEqualTo("pw");
        assertThat(PgPassFile.of("h:1:d:u:").lookup("h", 1, "d", "u")).isEmpty();
    }

    @Test
    void skipsCommentsBlankAndShortLinesAndCarriageReturns() {
        PgPassFile f = PgPassFile.of(
                "# h:1:d:u:commented\n\n   \nh:1:d:u\n h:1:d:u:leading-space\r\nh:1:d:u:crlf\r\n\\#h:1:d:u:hash\n");

        assertThat(f.lookup("h", 1, "d", "u")).isEqualTo("crlf");
        assertThat(f.lookup(" h", 1, "d", "u")).isEqualTo("leading-space");
        assertThat(f.lookup("#h", 1, "d", "u")).isEqualTo("hash");
        assertThat(f.lookup("# h", 1, "d", "u")).isNull();
    }

    @Test
    void readsAPrivateFile() throws IOException {
        Path file = write("pgpass", "*:*:*:*:secret\n", "rw-------");
        try (LogCapture log = LogCapture.of("io.github.pgengine", Level.DEBUG)) {
            PgPassFile f = PgPassFile.read(file);

            assertThat(f.lookup("h", 5432, "d", "u")).isEqualTo("secret");
            assertThat(f.path()).isEqualTo(file);
            assertThat(log.lines()).isEmpty();
        }
        assertThat(PgPassFile.read(write("readonly", "*:*:*:*:secret\n", "r--------"))
                        .lookup("h", 1, "d", "u"))
                .isEqualTo("secret");
    }

    @Test
    void ignoresAGroupReadableFileWithOneWarningNamingIt() throws IOException {
        Path file = write("pgpass", "*:*:*:*:secret\n", "rw-r-----");
        try (LogCapture log = LogCapture.of("io.github.pgengine", Level.DEBUG)) {
            PgPassFile f = PgPassFile.read(file);

            assertThat(f.lookup("h", 5432, "d", "u")).isNull();
            assertThat(f.lookup("h", 5433, "d", "u")).isNull();
            assertThat(log.warnings())
                    .containsExactly("password file \"" + file
                            + "\" has group or world access; permissions should be u=rw (0600) or less");
            assertThat(log.lines()).hasSize(1).noneMatch(l -> l.contains("secret"));
        }
    }

    @Test
    void ignoresWorldAccessAndNonPlainFilesWithAWarning() throws IOException {
        try (LogCapture log = LogCapture.of("io.github.pgengine", Level.DEBUG)) {
            assertThat(PgPassFile.read(write("world", "*:*:*:*:secret\n", "rw-----w-"))
                            .lookup("h", 1, "d", "u"))
                    .isNull();
            assertThat(PgPassFile.read(write("exec", "*:*:*:*:secret\n", "rw------x"))
                            .lookup("h", 1, "d", "u"))
                    .isNull();
            Path directory = Files.createDirectory(dir.resolve("adir"));
            assertThat(PgPassFile.read(directory).lookup("h", 1, "d", "u")).isNull();

            assertThat(log.warnings())
                    .hasSize(3)
                    .last()
                    .isEqualTo("password file \"" + directory + "\" is not a plain file");
        }
    }

    @Test
    void aMissingFileHoldsNoPasswordsAndSaysNothing() {
        try (LogCapture log = LogCapture.of("io.github.pgengine", Level.DEBUG)) {
            PgPassFile f = PgPassFile.read(dir.resolve("absent"));

            assertThat(f.lookup("h", 5432, "d", "u")).isNull();
            assertThat(log.lines()).isEmpty();
        }
    }

    @Test
    void keepsPasswordsOutOfText() throws IOException {
        PgPassFile f = PgPassFile.read(write("pgpass", "h:1:d:u:S3cret!\n", "rw-------"));

        assertThat(f.toString()).doesNotContain("S3cret!").contains(f.path().toString());
    }
}
