package io.github.pgengine.internal.connect;

import static io.github.pgengine.internal.connect.ConfigValues.bool;
import static io.github.pgengine.internal.connect.ConfigValues.duration;
import static io.github.pgengine.internal.connect.ConfigValues.noNul;
import static io.github.pgengine.internal.connect.ConfigValues.sslMode;
import static io.github.pgengine.internal.connect.ConfigValues.string;
import static io.github.pgengine.internal.connect.ConfigValues.whole;
import static io.github.pgengine.internal.connect.ConfigValues.wrongType;

import io.github.pgengine.internal.connect.ConfigValues.Unit;
import io.github.pgengine.internal.connect.ConnectionSettings.SslMode;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Turns an engine's configuration map (and optional connection URL) into {@link ConnectionSettings}.
 *
 * <p>Each value comes from, in order: the map's own key, the URL (the {@code dsn} key or the builder's URL),
 * the connection service file ({@code ServiceFile}), the libpq environment variables, libpq's defaults. Unknown keys
 * and wrong value types are rejected with a message naming the key, the expected type and the keys that exist.
 * Passwords never appear in messages; without one, the password file ({@code PgPassFile}) is read for each host.
 */
public final class ConfigParser {

    /** The keys a configuration map may hold, in documentation order. */
    public static final List<String> KEYS = ConnectionParameter.KEYS;

    private static final Map<String, String> ENVIRONMENT = ConnectionParameter.environmentVariables();

    private final Function<String, @Nullable String> environment;
    private final int defaultPort;
    private final boolean spreadByDefault;

    /**
     * @param environment reads an environment variable ({@code System::getenv} in production)
     * @param defaultPort the port used when nothing names one
     */
    public ConfigParser(Function<String, @Nullable String> environment, int defaultPort) {
        this(environment, defaultPort, false);
    }

    /**
     * @param environment reads an environment variable ({@code System::getenv} in production)
     * @param defaultPort the port used when nothing names one
     * @param spreadByDefault several hosts are tried in random order unless {@code load_balance_hosts} says
     *     otherwise (CockroachDB's guidance: spread connections over the nodes)
     */
    public ConfigParser(Function<String, @Nullable String> environment, int defaultPort, boolean spreadByDefault) {
        this.environment = environment;
        this.defaultPort = defaultPort;
        this.spreadByDefault = spreadByDefault;
    }

    /** Returns a parser reading the process environment. */
    public static ConfigParser fromEnvironment(int defaultPort) {
        return new ConfigParser(System::getenv, defaultPort);
    }

    /**
     * Returns a parser reading the process environment.
     *
     * @param defaultPort the port used when nothing names one
     * @param spreadByDefault several hosts are tried in random order unless {@code load_balance_hosts} says otherwise
     * @return the parser
     */
    public static ConfigParser fromEnvironment(int defaultPort, boolean spreadByDefault) {
        return new ConfigParser(System::getenv, defaultPort, spreadByDefault);
    }

    /**
     * Resolves the settings.
     *
     * @param config the configuration map; may be empty
     * @param url a connection URL from the builder, or {@code null}
     * @return the settings
     * @throws IllegalArgumentException naming the key and the problem
     */
    public ConnectionSettings parse(Map<String, ?> config, @Nullable String url) {
        Map<String, Object> fromUrl = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : config.entrySet()) {
            Object key = e.getKey();
            if (!(key instanceof String) || !KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown configuration key '" + key + "'"
                        + (ConnectionStrings.PGJDBC_SSL.equals(key)
                                ? ": " + ConnectionStrings.pgjdbcSsl(e.getValue())
                                : "")
                        + "; known keys are "
                        + String.join(", ", KEYS));
            }
            if (e.getValue() == null) {
                throw new IllegalArgumentException(
                        "configuration key '" + key + "' has a null value; leave it out instead");
            }
        }
        Object dsn = config.get("dsn");
        if (dsn != null) {
            fromUrl.putAll(ConnectionStrings.parse(string("dsn", dsn)));
        } else if (url != null) {
            fromUrl.putAll(ConnectionStrings.parse(url));
        }
        // libpq's connection service file (service key or PGSERVICE): below the map and the URL, above the environment
        ServiceFile.fill(optionalString("service", config, fromUrl), fromUrl, new LibpqFiles(environment));

        String user = stringOr("user", config, fromUrl, System.getProperty("user.name", "postgres"));
        List<String> hostList = list("host", first("host", config, fromUrl));
        List<String> portList = list("port", first("port", config, fromUrl));
        String host = hostList.isEmpty() ? "localhost" : hostList.get(0);
        int port = port(portList.isEmpty() || portList.get(0).isEmpty() ? null : portList.get(0));
        String password = optionalString("password", config, fromUrl);
        String database = stringOr("database", config, fromUrl, user);
        String applicationName =
                stringOr("application_name", config, fromUrl, ConnectionSettings.DEFAULT_APPLICATION_NAME);
        SslMode sslMode = sslMode(first("sslmode", config, fromUrl));
        String sslRootCert = optionalPath("sslrootcert", config, fromUrl);
        String sslCert = optionalPath("sslcert", config, fromUrl);
        String sslKey = optionalPath("sslkey", config, fromUrl);
        Duration connectTimeout = duration(
                "connect_timeout",
                first("connect_timeout", config, fromUrl),
                Unit.SECONDS,
                ConnectionSettings.DEFAULT_CONNECT_TIMEOUT,
                false);
        Duration queryTimeout = duration(
                "query_timeout",
                first("query_timeout", config, fromUrl),
                Unit.SECONDS,
                ConnectionSettings.DEFAULT_QUERY_TIMEOUT,
                true);
        Object statementTimeoutValue = first("statement_timeout", config, fromUrl);
        // with a query timeout the server stops the statement at that time (the connection is kept); without either,
        // statements are unbounded and the server's own statement_timeout applies
        Duration statementTimeout = statementTimeoutValue != null
                ? duration("statement_timeout", statementTimeoutValue, Unit.MILLISECONDS, Duration.ZERO, true)
                : queryTimeout.isZero() ? null : queryTimeout;
        String searchPath = optionalString("search_path", config, fromUrl);
        boolean keepalives = bool("keepalives", first("keepalives", config, fromUrl), true);
        Duration keepalivesIdle = duration(
                "keepalives_idle",
                first("keepalives_idle", config, fromUrl),
                Unit.SECONDS,
                ConnectionSettings.DEFAULT_KEEPALIVES_IDLE,
                false);
        Duration keepalivesInterval = duration(
                "keepalives_interval",
                first("keepalives_interval", config, fromUrl),
                Unit.SECONDS,
                ConnectionSettings.DEFAULT_KEEPALIVES_INTERVAL,
                false);
        int keepalivesCount = (int) whole(
                "keepalives_count",
                first("keepalives_count", config, fromUrl),
                ConnectionSettings.DEFAULT_KEEPALIVES_COUNT,
                1,
                1_000);
        int maxMessageSize = (int) whole(
                "max_message_size",
                first("max_message_size", config, fromUrl),
                ConnectionSettings.DEFAULT_MAX_MESSAGE_SIZE,
                1 << 16,
                Integer.MAX_VALUE - 64);
        boolean rewriteBatchedInserts = bool(
                "rewrite_batched_inserts",
                first("rewrite_batched_inserts", config, fromUrl),
                ConnectionSettings.DEFAULT_REWRITE_BATCHED_INSERTS);

        Hosts hosts = hosts(hostList, portList, config, fromUrl);
        if (user.isEmpty()) {
            throw new IllegalArgumentException("user must not be empty");
        }
        if (database.isEmpty()) {
            throw new IllegalArgumentException("database must not be empty");
        }
        noNul("application_name", applicationName);
        // libpq's password file (passfile key, PGPASSFILE, ~/.pgpass), looked up per host when no password is given
        PgPassFile passFile = password == null || password.isEmpty()
                ? PgPassFile.read(new LibpqFiles(environment).passFile(optionalPath("passfile", config, fromUrl)))
                : null;
        return new ConnectionSettings(
                hosts.isMulti() || hosts.random() ? hosts : Hosts.single(host, port),
                user,
                password,
                database,
                applicationName,
                sslMode,
                sslRootCert,
                sslCert,
                sslKey,
                connectTimeout,
                queryTimeout,
                statementTimeout,
                searchPath,
                keepalives,
                keepalivesIdle,
                keepalivesInterval,
                keepalivesCount,
                maxMessageSize,
                rewriteBatchedInserts,
                passFile);
    }

    /**
     * The hosts: libpq's comma-separated {@code host} and {@code port} lists (one port for every host, or one per
     * host; an empty entry is the default port), {@code target_session_attrs}, {@code load_balance_hosts}.
     */
    private Hosts hosts(
            List<String> hostList, List<String> portList, Map<String, ?> config, Map<String, Object> fromUrl) {
        List<String> names = hostList.isEmpty() ? List.of("localhost") : hostList;
        if (portList.size() > 1 && portList.size() != names.size()) {
            throw new IllegalArgumentException("port lists " + portList.size() + " ports for " + names.size()
                    + " hosts; give one port for all hosts or one per host");
        }
        List<Hosts.Endpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String h = names.get(i).trim();
            if (h.isEmpty()) {
                throw new IllegalArgumentException(
                        names.size() == 1 ? "host must not be empty" : "host lists an empty host name");
            }
            if (h.startsWith("/")) {
                throw new IllegalArgumentException(
                        "host is a Unix socket directory (" + h + "); connect over TCP instead, e.g. host 127.0.0.1");
            }
            noNul("host", h);
            String p = portList.isEmpty()
                    ? ""
                    : portList.get(portList.size() == 1 ? 0 : i).trim();
            endpoints.add(new Hosts.Endpoint(h, port(p.isEmpty() ? null : p)));
        }
        Object target = first("target_session_attrs", config, fromUrl);
        Hosts.TargetSessionAttrs attrs = target == null
                ? Hosts.TargetSessionAttrs.ANY
                : Hosts.TargetSessionAttrs.of(string("target_session_attrs", target));
        Object balance = first("load_balance_hosts", config, fromUrl);
        boolean random = spreadByDefault && endpoints.size() > 1;
        if (balance != null) {
            String b = balance instanceof Boolean bool
                    ? bool.toString()
                    : string("load_balance_hosts", balance).trim().toLowerCase(Locale.ROOT);
            random = switch (b) {
                case "random", "true" -> true;
                case "disable", "false" -> false;
                default ->
                    throw new IllegalArgumentException(
                            "load_balance_hosts must be disable or random (was '" + balance + "')");
            };
        }
        Duration recheck = duration(
                "host_recheck_interval",
                first("host_recheck_interval", config, fromUrl),
                Unit.SECONDS,
                Hosts.DEFAULT_RECHECK,
                true);
        return new Hosts(endpoints, attrs, random, recheck);
    }

    /** A list value: a comma-separated String, a number (a port), or a List of either. */
    private static List<String> list(String key, @Nullable Object v) {
        if (v == null) {
            return List.of();
        }
        if (v instanceof List<?> items) {
            List<String> out = new ArrayList<>();
            for (Object item : items) {
                if (item == null) {
                    throw new IllegalArgumentException(key + " lists a null element");
                }
                out.add(
                        key.equals("port") && (item instanceof Integer || item instanceof Long || item instanceof Short)
                                ? String.valueOf(((Number) item).longValue())
                                : string(key, item));
            }
            return out;
        }
        if (key.equals("port") && (v instanceof Integer || v instanceof Long || v instanceof Short)) {
            return List.of(String.valueOf(((Number) v).longValue()));
        }
        if (!(v instanceof CharSequence)) {
            throw key.equals("port")
                    ? wrongType("port", "an Integer between 1 and 65535", v)
                    : wrongType(key, "a String", v);
        }
        return List.of(string(key, v).split(",", -1));
    }

    private @Nullable Object first(String key, Map<String, ?> config, Map<String, Object> fromUrl) {
        Object v = config.get(key);
        if (v == null) {
            v = fromUrl.get(key);
        }
        if (v == null) {
            String env = ENVIRONMENT.get(key);
            if (env != null) {
                String value = environment.apply(env);
                if (value != null && !value.isEmpty()) {
                    v = value;
                }
            }
        }
        return v;
    }

    private String stringOr(String key, Map<String, ?> config, Map<String, Object> fromUrl, String fallback) {
        Object v = first(key, config, fromUrl);
        return v == null ? fallback : string(key, v);
    }

    private @Nullable String optionalString(String key, Map<String, ?> config, Map<String, Object> fromUrl) {
        Object v = first(key, config, fromUrl);
        return v == null ? null : string(key, v);
    }

    private @Nullable String optionalPath(String key, Map<String, ?> config, Map<String, Object> fromUrl) {
        Object v = first(key, config, fromUrl);
        if (v == null) {
            return null;
        }
        if (v instanceof Path p) {
            return p.toString();
        }
        if (v instanceof File f) {
            return f.getPath();
        }
        if (v instanceof String s) {
            noNul(key, s);
            return s;
        }
        throw wrongType(key, "a String, Path or File holding a file name", v);
    }

    private int port(@Nullable Object v) {
        if (v == null) {
            return defaultPort;
        }
        long port;
        if (v instanceof Integer || v instanceof Long || v instanceof Short) {
            port = ((Number) v).longValue();
        } else if (v instanceof String s) {
            try {
                port = Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "port must be a whole number between 1 and 65535 (was \"" + s + "\")");
            }
        } else {
            throw wrongType("port", "an Integer between 1 and 65535", v);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be between 1 and 65535 (was " + port + ")");
        }
        return (int) port;
    }
}
