package io.github.pgengine.internal.connect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Generated password-file lines: fields full of {@code :}, {@code \}, {@code *} and {@code #}, written with libpq's
 * escapes by a writer of the test's own, read back to the same values; and a {@code *} field matches whatever stands
 * in its place.
 */
class PgPassFilePropertiesUnitTest {

    /** Escapes a field as a .pgpass writer must: {@code :} and {@code \}, a lone {@code *}, a leading {@code #}. */
    static String escape(String field) {
        if (field.equals("*")) {
            return "\\*";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == ':' || c == '\\' || (i == 0 && c == '#')) {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    static String line(String host, String port, String database, String user, String password) {
        return String.join(":", escape(host), port, escape(database), escape(user), escape(password));
    }

    @Provide
    Arbitrary<String> fields() {
        return Arbitraries.strings()
                .withChars(':', '\\', '*', '#', ' ', 'a', 'b', 'é', '\t')
                .ofMinLength(1)
                .ofMaxLength(12);
    }

    @Provide
    Arbitrary<String> passwords() {
        return Arbitraries.strings()
                .withChars(':', '\\', '*', '#', ' ', 'x', 'y', '\r')
                .ofMaxLength(12)
                .filter(p -> !p.endsWith("\r")); // libpq strips a line's trailing carriage returns
    }

    @Property(tries = 500)
    void escapedFieldsReadBackToTheSameValues(
            @ForAll("fields") String host,
            @ForAll @IntRange(min = 1, max = 65535) int port,
            @ForAll("fields") String database,
            @ForAll("fields") String user,
            @ForAll("passwords") String password,
            @ForAll("fields") String other) {
        PgPassFile f = PgPassFile.of(String.join(
                "\n",
                "# " + line(host, "*", database, user, "commented"),
                line(host, Integer.toString(port), database, user, password),
                line(host, Integer.toString(port), database, user, "second")));

        assertThat(f.lookup(host, port, database, user)).isEqualTo(password);
        if (!other.equals(host)) {
            assertThat(f.lookup(other, port, database, user)).isNull();
        }
        if (!other.equals(user)) {
            assertThat(f.lookup(host, port, database, other)).isNull();
        }
    }

    @Property(tries = 300)
    void aStarFieldMatchesWhateverStandsInItsPlace(
            @ForAll("fields") String host,
            @ForAll @IntRange(min = 1, max = 65535) int port,
            @ForAll("fields") String database,
            @ForAll("fields") String user,
            @ForAll("passwords") String password,
            @ForAll @IntRange(min = 0, max = 15) int wildcards) {
        List<String> fields = List.of(escape(host), Integer.toString(port), escape(database), escape(user));
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            line.append((wildcards & (1 << i)) != 0 ? "*" : fields.get(i)).append(':');
        }
        PgPassFile f = PgPassFile.of(line + escape(password) + "\n");

        assertThat(f.lookup(host, port, database, user)).isEqualTo(password);
        assertThat(f.lookup(host + "x", port, database, user)).isEqualTo((wildcards & 1) != 0 ? password : null);
        assertThat(f.lookup(host, port == 65535 ? 1 : port + 1, database, user))
                .isEqualTo((wildcards & 2) != 0 ? password : null);
        assertThat(f.lookup(host, port, database + "x", user)).isEqualTo((wildcards & 4) != 0 ? password : null);
        assertThat(f.lookup(host, port, database, user + "x")).isEqualTo((wildcards & 8) != 0 ? password : null);
    }
}
