package io.github.pgengine.internal.sql;

import java.nio.charset.StandardCharsets;

/**
 * The one piece of code through which user-supplied identifiers (extension, savepoint and LISTEN channel names)
 * become SQL text: validated, then double-quoted.
 */
public final class Identifiers {
    /** PostgreSQL's NAMEDATALEN - 1. */
    static final int MAX_BYTES = 63;

    private Identifiers() {}

    /**
     * Quotes an identifier, doubling embedded quotes.
     *
     * @param name the identifier
     * @param what what it names, for messages ("extension name")
     * @return the quoted identifier
     * @throws IllegalArgumentException when empty, too long, or holding NUL or control characters
     */
    public static String quote(String name, String what) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException(
                        what + " must not contain control characters (was " + show(name) + ")");
            }
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            throw new IllegalArgumentException(
                    what + " must be at most " + MAX_BYTES + " bytes in UTF-8 (was " + bytes + " bytes)");
        }
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /**
     * Validates and quotes a savepoint name given by a user: ASCII letters, digits, {@code -} and {@code _} only.
     *
     * @param name the savepoint name
     * @return the quoted name
     * @throws IllegalArgumentException naming the rule and the bad value
     */
    public static String savepointName(String name) {
        if (name == null
                || name.isEmpty()
                || name.length() > MAX_BYTES
                || !name.chars().allMatch(Identifiers::isNameChar)) {
            throw new IllegalArgumentException("savepoint name may contain only ASCII letters, digits, '-' and '_' "
                    + "(1 to " + MAX_BYTES + " characters) (was " + (name == null ? "null" : show(name)) + ")");
        }
        return quote(name, "savepoint name");
    }

    /**
     * Validates and quotes an extension name: ASCII letters, digits, {@code _}, {@code -} and {@code .}, as
     * PostgreSQL's extension control files are named ({@code uuid-ossp}, {@code pg_trgm}).
     *
     * @param name the extension name
     * @return the quoted name
     * @throws IllegalArgumentException naming the rule and the bad value
     */
    public static String extensionName(String name) {
        if (name == null
                || name.isEmpty()
                || name.length() > MAX_BYTES
                || !name.chars().allMatch(c -> isNameChar(c) || c == '.')
                || name.contains("--")
                || name.startsWith("-")
                || name.endsWith("-")) {
            throw new IllegalArgumentException("extension name may contain only ASCII letters, digits, '_', '-' and "
                    + "'.' (1 to " + MAX_BYTES + " characters, no '--', not starting or ending with '-') (was "
                    + (name == null ? "null" : show(name)) + ")");
        }
        return quote(name, "extension name");
    }

    /**
     * Validates and quotes a LISTEN/NOTIFY channel name: ASCII letters, digits, {@code _}, {@code -}, {@code .} and
     * {@code :}. Quoted, it is case-sensitive: {@code Orders} and {@code orders} are two channels.
     *
     * @param name the channel name
     * @return the quoted name, for {@code LISTEN}
     * @throws IllegalArgumentException naming the rule and the bad value
     */
    public static String channelName(String name) {
        if (name == null
                || name.isEmpty()
                || name.length() > MAX_BYTES
                || !name.chars().allMatch(c -> isNameChar(c) || c == '.' || c == ':')) {
            throw new IllegalArgumentException("channel name may contain only ASCII letters, digits, '_', '-', '.' and "
                    + "':' (1 to " + MAX_BYTES + " characters) (was " + (name == null ? "null" : show(name)) + ")");
        }
        return quote(name, "channel name");
    }

    private static boolean isNameChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    }

    /** Shows a value in messages with quotes, escaping control characters. */
    static String show(String value) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < value.length() && i < 80; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\u%04x", (int) c));
            } else if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else {
                sb.append(c);
            }
        }
        if (value.length() > 80) {
            sb.append("...");
        }
        return sb.append('"').toString();
    }
}
