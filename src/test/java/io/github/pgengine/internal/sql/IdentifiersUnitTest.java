package io.github.pgengine.internal.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IdentifiersUnitTest {

    @Test
    void quotesDoublingEmbeddedQuotes() {
        assertThat(Identifiers.quote("a\"b", "name")).isEqualTo("\"a\"\"b\"");
        assertThat(Identifiers.quote("x\"; DROP TABLE t; --", "name")).isEqualTo("\"x\"\"; DROP TABLE t; --\"");
    }

    @Test
    void acceptsRealExtensionNames() {
        assertThat(Identifiers.extensionName("uuid-ossp")).isEqualTo("\"uuid-ossp\"");
        assertThat(Identifiers.extensionName("pg_trgm")).isEqualTo("\"pg_trgm\"");
    }

    @Test
    void rejectsHostileExtensionNames() {
        assertThatThrownBy(() -> Identifiers.extensionName("x\"; DROP TABLE t; --"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("extension name may contain only ASCII letters")
                .hasMessageContaining("(was \"x\\\"; DROP TABLE t; --\")");
        assertThatThrownBy(() -> Identifiers.extensionName("")).hasMessageStartingWith("extension name may contain");
        assertThatThrownBy(() -> Identifiers.extensionName("a--b")).hasMessageContaining("no '--'");
    }

    @Test
    void validatesSavepointNames() {
        assertThat(Identifiers.savepointName("my_savepoint-1")).isEqualTo("\"my_savepoint-1\"");
        assertThatThrownBy(() -> Identifiers.savepointName("x; DROP TABLE t"))
                .hasMessage("savepoint name may contain only ASCII letters, digits, '-' and '_' (1 to 63 characters) "
                        + "(was \"x; DROP TABLE t\")");
        assertThatThrownBy(() -> Identifiers.savepointName("a".repeat(64))).hasMessageContaining("1 to 63");
        assertThatThrownBy(() -> Identifiers.savepointName("é")).hasMessageContaining("ASCII");
    }

    @Test
    void rejectsControlCharactersAndLongNames() {
        assertThatThrownBy(() -> Identifiers.quote("a\u0000b", "extension name"))
                .hasMessage("extension name must not contain control characters (was \"a\\u0000b\")");
        assertThatThrownBy(() -> Identifiers.quote("é".repeat(32), "name"))
                .hasMessage("name must be at most 63 bytes in UTF-8 (was 64 bytes)");
    }

    @Test
    void validatesChannelNames() {
        assertThat(Identifiers.channelName("orders")).isEqualTo("\"orders\"");
        assertThat(Identifiers.channelName("Cache:invalidate.user-1_x")).isEqualTo("\"Cache:invalidate.user-1_x\"");
        assertThat(Identifiers.channelName("a".repeat(63))).hasSize(65);
        assertThatThrownBy(() -> Identifiers.channelName("a; DROP TABLE x"))
                .hasMessage("channel name may contain only ASCII letters, digits, '_', '-', '.' and ':' (1 to 63 "
                        + "characters) (was \"a; DROP TABLE x\")");
        assertThatThrownBy(() -> Identifiers.channelName("a\"b")).hasMessageContaining("(was \"a\\\"b\")");
        assertThatThrownBy(() -> Identifiers.channelName("a".repeat(64))).hasMessageContaining("1 to 63");
        assertThatThrownBy(() -> Identifiers.channelName("")).hasMessageContaining("(was \"\")");
        assertThatThrownBy(() -> Identifiers.channelName(null)).hasMessageContaining("(was null)");
    }
}
