package io.github.pgengine.internal.connect;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A libpq password file ({@code ~/.pgpass}, {@code PGPASSFILE} or the {@code passfile} key), read once and looked up
 * per host and port as libpq does.
 *
 * <p>Each line is {@code hostname:port:database:username:password}; a field that is exactly {@code *} matches
 * anything; {@code \:} and {@code \\} stand for a colon and a backslash (a backslash escapes any character); a line
 * whose first character is {@code #} is a comment; the first matching line wins. On a POSIX file system a file that
 * is not a plain file, or that the group or others may access at all, is ignored with one WARN naming it, as libpq
 * does. A missing or unreadable file is no error: it holds no passwords. Passwords never appear in
 * {@link #toString()} or logs.
 */
public final class PgPassFile {
    private static final Logger LOG = LoggerFactory.getLogger(PgPassFile.class);
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_EXECUTE);

    /** One usable line: the four keys ({@code null} for the wildcard) and the password. */
    private record Entry(
            @Nullable String host,
            @Nullable String port,
            @Nullable String database,
            @Nullable String user,
            String password) {
        boolean matches(String host, String port, String database, String user) {
            return field(this.host, host)
                    && field(this.port, port)
                    && field(this.database, database)
                    && field(this.user, user);
        }

        private static boolean field(@Nullable String pattern, String value) {
            return pattern == null || pattern.equals(value);
        }

        @Override
        public String toString() {
            return "Entry{" + host + ":" + port + ":" + database + ":" + user + ":<hidden>}";
        }
    }

    private final Path path;
    private final List<Entry> entries;

    private PgPassFile(Path path, List<Entry> entries) {
        this.path = path;
        this.entries = List.copyOf(entries);
    }

    /**
     * Reads a password file. A missing or unreadable file gives an empty one; an insecure one (not a plain file, or
     * group or world access) gives an empty one and a WARN naming the file.
     *
     * @param path the file
     * @return its usable lines
     */
    public static PgPassFile read(Path path) {
        @Nullable PosixFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, PosixFileAttributes.class);
        } catch (NoSuchFileException e) {
            return new PgPassFile(path, List.of());
        } catch (UnsupportedOperationException e) {
            attributes = null; // not POSIX (Windows): libpq trusts the protected profile directory there
        } catch (IOException e) {
            LOG.debug("cannot read password file \"{}\": {}", path, e.toString());
            return new PgPassFile(path, List.of());
        }
        if (attributes != null) {
            if (!attributes.isRegularFile()) {
                LOG.warn("password file \"{}\" is not a plain file", path);
                return new PgPassFile(path, List.of());
            }
            if (attributes.permissions().stream().anyMatch(GROUP_OR_OTHERS::contains)) {
                LOG.warn(
                        "password file \"{}\" has group or world access; permissions should be u=rw (0600) or less",
                        path);
                return new PgPassFile(path, List.of());
            }
        }
        String text;
        try {
            text = new String(Files.readAllBytes(path), StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOG.debug("cannot read password file \"{}\": {}", path, e.toString());
            return new PgPassFile(path, List.of());
        }
        return new PgPassFile(path, parse(text));
    }

    /**
     * Parses the text of a password file.
     *
     * @param text the file's contents
     * @return a file named {@code <text>} with those lines
     */
    static PgPassFile of(String text) {
        return new PgPassFile(Path.of("<text>"), parse(text));
    }

    private static List<Entry> parse(String text) {
        List<Entry> out = new ArrayList<>();
        for (String raw : text.split("\n", -1)) {
            Entry e = entry(raw);
            if (e != null) {
                out.add(e);
            }
        }
        return out;
    }

    /** Parses one line as libpq reads it; {@code null} for comments, blank lines and lines that can never match. */
    private static @Nullable Entry entry(String raw) {
        if (raw.startsWith("#")) {
            return null;
        }
        int end = raw.length();
        while (end > 0 && (raw.charAt(end - 1) == '\r' || raw.charAt(end - 1) == '\n')) {
            end--;
        }
        String line = raw.substring(0, end);
        if (line.isEmpty()) {
            return null;
        }
        @Nullable String[] keys = new @Nullable String[4];
        int pos = 0;
        for (int i = 0; i < keys.length; i++) {
            if (line.startsWith("*:", pos)) {
                keys[i] = null;
                pos += 2;
                continue;
            }
            StringBuilder key = new StringBuilder();
            boolean ended = false;
            while (pos < line.length()) {
                char c = line.charAt(pos++);
                if (c == '\\') {
                    if (pos == line.length()) {
                        return null; // a key ending in a lone backslash never matches in libpq
                    }
                    key.append(line.charAt(pos++));
                } else if (c == ':') {
                    ended = true;
                    break;
                } else {
                    key.append(c);
                }
            }
            if (!ended) {
                return null; // fewer than five fields: libpq never matches such a line
            }
            keys[i] = key.toString();
        }
        StringBuilder password = new StringBuilder();
        while (pos < line.length() && line.charAt(pos) != ':') {
            char c = line.charAt(pos++);
            if (c == '\\' && pos < line.length()) {
                c = line.charAt(pos++);
            }
            password.append(c);
        }
        return new Entry(keys[0], keys[1], keys[2], keys[3], password.toString());
    }

    /**
     * Returns the password of the first line matching a connection, as libpq's {@code passwordFromFile} does.
     *
     * @param host the host name as configured (libpq matches {@code localhost} for its default host, which is
     *     also pgengine's default)
     * @param port the port
     * @param database the database name
     * @param user the user name
     * @return the password, or {@code null} when no line matches
     */
    public @Nullable String lookup(String host, int port, String database, String user) {
        if (database.isEmpty() || user.isEmpty()) {
            return null;
        }
        String portText = Integer.toString(port);
        for (Entry e : entries) {
            if (e.matches(host, portText, database, user)) {
                return e.password();
            }
        }
        return null;
    }

    /** Returns the file's path. */
    public Path path() {
        return path;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof PgPassFile p && path.equals(p.path) && entries.equals(p.entries);
    }

    @Override
    public int hashCode() {
        return Objects.hash(path, entries.size());
    }

    /** Returns the path and the number of usable lines, never a password. */
    @Override
    public String toString() {
        return "PgPassFile{" + path + ", " + entries.size() + " lines}";
    }
}
