package io.github.pgengine.internal.connect;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * libpq's connection service file: finds a service's {@code [name]} section and turns its {@code key=value} lines
 * into configuration keys.
 *
 * <p>As libpq: the user's file ({@code PGSERVICEFILE}, else {@code ~/.pg_service.conf} when it exists) is searched
 * first and a service found there is not looked up further; then {@code pg_service.conf} in {@code PGSYSCONFDIR}.
 * Lines are trimmed; blank lines and lines starting with {@code #} are skipped; the first section of the name counts
 * and, within it, the first line of a key. Keys are libpq's parameter names, with no spaces around {@code =}. A
 * parameter pgengine does not support, a line without {@code =} or a nested {@code service} is an error naming the
 * file and line; so is a service that no file defines. Values never appear in messages.
 */
final class ServiceFile {
    /** The libpq parameters a service may set, and the configuration key each one sets. */
    static final Map<String, String> PARAMETERS = ConnectionParameter.serviceFileKeys();

    private ServiceFile() {}

    /**
     * Adds the keys of a service to {@code into} where it has none yet, so the keys already there win.
     *
     * @param service the {@code service} key's value, or {@code null} to use {@code PGSERVICE}
     * @param into the keys given so far (from the URL); the configuration map's own keys win over these anyway
     * @param files where the service files are
     * @throws IllegalArgumentException when the service is not defined or its section is malformed
     */
    static void fill(@Nullable String service, Map<String, Object> into, LibpqFiles files) {
        String name = service != null && !service.isEmpty() ? service : files.variable("PGSERVICE");
        if (name != null) {
            lookup(name, files).forEach(into::putIfAbsent);
        }
    }

    /**
     * Returns the configuration keys a service sets.
     *
     * @param service the service's name
     * @param files where the service files are
     * @return configuration key to value, in the file's order
     * @throws IllegalArgumentException when the service is not defined or its section is malformed
     */
    static Map<String, String> lookup(String service, LibpqFiles files) {
        List<String> searched = new ArrayList<>();
        Path named = files.serviceFileVariable();
        Path user = named != null ? named : files.userServiceFile();
        if (named != null || Files.exists(user)) {
            searched.add("\"" + user + "\"");
            Map<String, String> found = section(user, service);
            if (found != null) {
                return found;
            }
        } else {
            searched.add("\"" + user + "\" (absent)");
        }
        Path system = files.systemServiceFile();
        if (Files.exists(system)) {
            searched.add("\"" + system + "\"");
            Map<String, String> found = section(system, service);
            if (found != null) {
                return found;
            }
        } else {
            searched.add("\"" + system + "\" (absent)");
        }
        throw new IllegalArgumentException(
                "definition of service \"" + service + "\" not found; searched " + String.join(" and ", searched));
    }

    /** Returns the keys of the service's first section in a file, or {@code null} when the file has none. */
    private static @Nullable Map<String, String> section(Path file, String service) {
        String text;
        try {
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("service file \"" + file + "\" not found");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read service file \"" + file + "\": " + e);
        }
        Map<String, String> keys = null;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = trim(lines[i]);
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("[")) {
                if (keys != null) {
                    return keys; // the end of the service's section
                }
                if (line.startsWith("[" + service + "]")) {
                    keys = new LinkedHashMap<>();
                }
                continue;
            }
            if (keys == null) {
                continue; // another service's line: libpq does not read it
            }
            int eq = line.indexOf('=');
            String where = "service file \"" + file + "\", line " + (i + 1);
            if (eq < 0) {
                throw new IllegalArgumentException("syntax error in " + where + ": expected key=value");
            }
            String key = line.substring(0, eq);
            if (key.equals("service")) {
                throw new IllegalArgumentException("nested service specifications not supported in " + where);
            }
            String configKey = PARAMETERS.get(key);
            if (configKey == null) {
                String hint = PARAMETERS.containsKey(trim(key))
                        ? " (libpq allows no spaces around '=')"
                        : "; supported keys are "
                                + String.join(
                                        ", ",
                                        PARAMETERS.keySet().stream().sorted().toList());
                throw new IllegalArgumentException(where + ": key '" + key + "' is not supported" + hint);
            }
            String value = line.substring(eq + 1);
            if (!value.isEmpty()) {
                keys.putIfAbsent(configKey, value);
            }
        }
        return keys;
    }

    /** Strips what C's {@code isspace} calls white space from both ends, as libpq does with each line. */
    private static String trim(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000b' || c == '\f' || c == '\r';
    }
}
