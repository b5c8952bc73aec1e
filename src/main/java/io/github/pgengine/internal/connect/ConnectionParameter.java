package io.github.pgengine.internal.connect;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The one table of connection parameters: every key a configuration map may hold, in docs/configuration.md's order,
 * with its libpq name, its libpq environment variable and the other names a URL may give it (pgjdbc's). The map's keys,
 * the URL and keyword/value parameters, the environment and the connection service file's keys all come from here,
 * and a test holds docs/configuration.md's table to it.
 */
public enum ConnectionParameter {
    HOST("host", "host", "PGHOST"),
    PORT("port", "port", "PGPORT"),
    USER("user", "user", "PGUSER"),
    PASSWORD("password", "password", "PGPASSWORD"),
    /** Its variable is read by the password file's own lookup. */
    PASSFILE("passfile", "passfile", "PGPASSFILE"),
    DATABASE("database", "dbname", "PGDATABASE"),
    /** Its variable is read by the service file's own lookup; a service cannot name another. */
    SERVICE("service", "service", "PGSERVICE"),
    /** The URL itself: never a URL parameter. */
    DSN("dsn", null, null),
    APPLICATION_NAME("application_name", "application_name", "PGAPPNAME", "applicationname"),
    SSLMODE("sslmode", "sslmode", "PGSSLMODE"),
    SSLROOTCERT("sslrootcert", "sslrootcert", "PGSSLROOTCERT"),
    SSLCERT("sslcert", "sslcert", null),
    SSLKEY("sslkey", "sslkey", null),
    CONNECT_TIMEOUT("connect_timeout", "connect_timeout", "PGCONNECT_TIMEOUT", "connecttimeout"),
    QUERY_TIMEOUT("query_timeout", null, null),
    STATEMENT_TIMEOUT("statement_timeout", null, null),
    SEARCH_PATH("search_path", null, null, "currentschema"),
    KEEPALIVES("keepalives", "keepalives", null),
    KEEPALIVES_IDLE("keepalives_idle", "keepalives_idle", null),
    KEEPALIVES_INTERVAL("keepalives_interval", "keepalives_interval", null),
    KEEPALIVES_COUNT("keepalives_count", "keepalives_count", null),
    MAX_MESSAGE_SIZE("max_message_size", null, null),
    TARGET_SESSION_ATTRS("target_session_attrs", "target_session_attrs", "PGTARGETSESSIONATTRS", "targetservertype"),
    LOAD_BALANCE_HOSTS("load_balance_hosts", "load_balance_hosts", "PGLOADBALANCEHOSTS", "loadbalancehosts"),
    HOST_RECHECK_INTERVAL("host_recheck_interval", null, null, "hostrecheckseconds"),
    REWRITE_BATCHED_INSERTS("rewrite_batched_inserts", null, null, "rewritebatchedinserts");

    /** The keys a configuration map may hold, in documentation order. */
    public static final List<String> KEYS =
            List.of(values()).stream().map(p -> p.key).toList();

    private final String key;
    private final @Nullable String libpqName;
    private final @Nullable String environment;

    @SuppressWarnings("ImmutableEnumChecker") // List.of: unmodifiable
    private final List<String> urlAliases;

    ConnectionParameter(String key, @Nullable String libpqName, @Nullable String environment, String... urlAliases) {
        this.key = key;
        this.libpqName = libpqName;
        this.environment = environment;
        this.urlAliases = List.of(urlAliases);
    }

    /** Returns the configuration map's key. */
    public String key() {
        return key;
    }

    /** Returns libpq's name for it, or null when libpq has no such connection parameter. */
    public @Nullable String libpqName() {
        return libpqName;
    }

    /** Returns libpq's environment variable for it, or null. */
    public @Nullable String environment() {
        return environment;
    }

    /**
     * Returns the URL and keyword/value parameter names that set this key, lower case: its libpq name (or its key when
     * libpq has none) and pgjdbc's names for it; none for {@code dsn}.
     */
    public List<String> urlNames() {
        if (this == DSN) {
            return List.of();
        }
        List<String> names = new java.util.ArrayList<>();
        names.add(libpqName != null ? libpqName : key);
        names.addAll(urlAliases);
        return names;
    }

    /** Returns URL parameter names (lower case) to configuration keys. */
    static Map<String, String> urlParameters() {
        Map<String, String> m = new LinkedHashMap<>();
        for (ConnectionParameter p : values()) {
            for (String name : p.urlNames()) {
                m.put(name.toLowerCase(Locale.ROOT), p.key);
            }
        }
        return Map.copyOf(m);
    }

    /**
     * Returns the environment variables the configuration reads for its keys (the password and service files read
     * their own).
     */
    static Map<String, String> environmentVariables() {
        Map<String, String> m = new LinkedHashMap<>();
        for (ConnectionParameter p : values()) {
            if (p.environment != null && p != PASSFILE && p != SERVICE) {
                m.put(p.key, p.environment);
            }
        }
        return Map.copyOf(m);
    }

    /** Returns the libpq names a connection service may set, to configuration keys (every libpq one but service). */
    static Map<String, String> serviceFileKeys() {
        Map<String, String> m = new LinkedHashMap<>();
        for (ConnectionParameter p : values()) {
            if (p.libpqName != null && p != SERVICE) {
                m.put(p.libpqName, p.key);
            }
        }
        return Map.copyOf(m);
    }
}
