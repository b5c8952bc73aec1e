package io.github.pgengine.internal.connect;

import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Where libpq looks for its files, read from an environment that tests can replace: the home directory, the
 * password file and the connection service files.
 */
final class LibpqFiles {
    /**
     * The directory of the system-wide service file when {@code PGSYSCONFDIR} is not set. libpq's is fixed when it is
     * built; this is the one of the Debian and Ubuntu packages.
     */
    static final String DEFAULT_SYSCONFDIR = "/etc/postgresql-common";

    private final Function<String, @Nullable String> environment;
    private final boolean windows;

    LibpqFiles(Function<String, @Nullable String> environment) {
        this.environment = environment;
        this.windows =
                System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
    }

    /** Returns an environment variable, or {@code null} when it is unset or empty. */
    @Nullable
    String variable(String name) {
        String value = environment.apply(name);
        return value == null || value.isEmpty() ? null : value;
    }

    /**
     * Returns libpq's home directory: {@code HOME}, else the JVM's {@code user.home} (the password database's entry,
     * which libpq reads when {@code HOME} is unset); on Windows {@code %APPDATA%\postgresql}.
     */
    Path home() {
        if (windows) {
            String appData = variable("APPDATA");
            return Path.of(appData != null ? appData : System.getProperty("user.home"), "postgresql");
        }
        String home = variable("HOME");
        return Path.of(home != null ? home : System.getProperty("user.home"));
    }

    /**
     * Returns the password file: the {@code passfile} key, else {@code PGPASSFILE}, else {@code ~/.pgpass}
     * ({@code %APPDATA%\postgresql\pgpass.conf} on Windows).
     *
     * @param given the {@code passfile} key's value, or {@code null}
     */
    Path passFile(@Nullable String given) {
        if (given != null && !given.isEmpty()) {
            return Path.of(given);
        }
        String variable = variable("PGPASSFILE");
        return variable != null ? Path.of(variable) : home().resolve(windows ? "pgpass.conf" : ".pgpass");
    }

    /** Returns the file {@code PGSERVICEFILE} names, or {@code null}. */
    @Nullable
    Path serviceFileVariable() {
        String variable = variable("PGSERVICEFILE");
        return variable != null ? Path.of(variable) : null;
    }

    /** Returns the user's service file when {@code PGSERVICEFILE} is unset: {@code ~/.pg_service.conf}. */
    Path userServiceFile() {
        return home().resolve(".pg_service.conf");
    }

    /** Returns the system-wide service file: {@code pg_service.conf} in {@code PGSYSCONFDIR}. */
    Path systemServiceFile() {
        String dir = variable("PGSYSCONFDIR");
        return Path.of(dir != null ? dir : DEFAULT_SYSCONFDIR, "pg_service.conf");
    }
}
