package io.github.pgengine.internal.connect;

import io.github.pgengine.internal.connect.ConnectionSettings.SslMode;
import java.io.File;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
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

    /** pgjdbc's parameter for TLS, which libpq and pgengine spell {@code sslmode}. */
    private static final String PGJDBC_SSL = "ssl";

    private static final Map<String, String> URL_PARAMETERS = ConnectionParameter.urlParameters();

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
                        + (PGJDBC_SSL.equals(key) ? ": " + pgjdbcSsl(e.getValue()) : "") + "; known keys are "
                        + String.join(", ", KEYS));
            }
            if (e.getValue() == null) {
                throw new IllegalArgumentException(
                        "configuration key '" + key + "' has a null value; leave it out instead");
            }
        }
        Object dsn = config.get("dsn");
        if (dsn != null) {
            fromUrl.putAll(parseUrl(string("dsn", dsn)));
        } else if (url != null) {
            fromUrl.putAll(parseUrl(url));
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

    /**
     * Parses {@code postgresql://}, {@code postgres://} and {@code jdbc:postgresql://} URLs into configuration keys.
     *
     * @param url the URL
     * @return the keys it sets
     */
    public static Map<String, Object> parseUrl(String url) {
        if (!url.contains("://") && url.contains("=")) {
            return parseKeywords(url);
        }
        String rest;
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:postgresql://")) {
            rest = url.substring("jdbc:postgresql://".length());
        } else if (lower.startsWith("postgresql://")) {
            rest = url.substring("postgresql://".length());
        } else if (lower.startsWith("postgres://")) {
            rest = url.substring("postgres://".length());
        } else {
            throw new IllegalArgumentException("connection URL must start with postgresql://, postgres:// or "
                    + "jdbc:postgresql:// (was " + redact(url) + ")");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        String query = null;
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        String path = null;
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            path = rest.substring(slash + 1);
            rest = rest.substring(0, slash);
        }
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = userInfo.indexOf(':');
            String user = colon >= 0 ? userInfo.substring(0, colon) : userInfo;
            if (!user.isEmpty()) {
                out.put("user", decode(user, "user"));
            }
            if (colon >= 0) {
                out.put("password", decode(userInfo.substring(colon + 1), "password"));
            }
        }
        List<String> hosts = new ArrayList<>();
        List<String> ports = new ArrayList<>();
        for (String hostPort : rest.split(",", -1)) {
            String host = hostPort;
            String port = null;
            if (host.startsWith("[")) {
                int close = host.indexOf(']');
                if (close < 0) {
                    throw new IllegalArgumentException(
                            "connection URL has an unterminated IPv6 address: " + redact(url));
                }
                port = host.length() > close + 1 && host.charAt(close + 1) == ':' ? host.substring(close + 2) : null;
                host = host.substring(1, close);
            } else {
                int colon = host.lastIndexOf(':');
                if (colon >= 0) {
                    port = host.substring(colon + 1);
                    host = host.substring(0, colon);
                }
            }
            hosts.add(decode(host, "host"));
            ports.add(port == null ? "" : port);
        }
        if (hosts.size() == 1) {
            if (!hosts.get(0).isEmpty()) {
                out.put("host", hosts.get(0));
            }
            if (!ports.get(0).isEmpty()) {
                out.put("port", ports.get(0));
            }
        } else {
            if (hosts.contains("")) {
                throw new IllegalArgumentException("connection URL lists an empty host: " + redact(url));
            }
            out.put("host", List.copyOf(hosts));
            out.put("port", List.copyOf(ports));
        }
        if (path != null && !path.isEmpty()) {
            out.put("database", decode(path, "database"));
        }
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&", -1)) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = decode(eq >= 0 ? pair.substring(0, eq) : pair, "parameter name");
                String value = eq >= 0 ? decode(pair.substring(eq + 1), name) : "";
                String key = URL_PARAMETERS.get(name.toLowerCase(Locale.ROOT));
                if (key == null && PGJDBC_SSL.equalsIgnoreCase(name)) {
                    throw new IllegalArgumentException("connection URL parameter " + pgjdbcSsl(value));
                }
                if (key == null) {
                    throw new IllegalArgumentException("connection URL parameter '" + name + "' is not supported; "
                            + "supported parameters are "
                            + String.join(
                                    ", ",
                                    URL_PARAMETERS.keySet().stream().sorted().toList()));
                }
                out.put(key, value);
            }
        }
        return out;
    }

    /**
     * Parses libpq's keyword/value connection string ({@code host=a,b port=5432,5433 dbname=app}): values may be
     * single-quoted, with {@code \\'} and {@code \\\\} escapes.
     *
     * @param dsn the connection string
     * @return the keys it sets
     */
    static Map<String, Object> parseKeywords(String dsn) {
        Map<String, Object> out = new LinkedHashMap<>();
        int i = 0;
        int n = dsn.length();
        while (true) {
            while (i < n && Character.isWhitespace(dsn.charAt(i))) {
                i++;
            }
            if (i >= n) {
                return out;
            }
            int eq = dsn.indexOf('=', i);
            if (eq < 0) {
                throw new IllegalArgumentException(
                        "connection string has \"" + dsn.substring(i).strip()
                                + "\" without \"=value\" (keyword/value pairs such as host=db port=5432)");
            }
            String name = dsn.substring(i, eq).trim();
            i = eq + 1;
            while (i < n && Character.isWhitespace(dsn.charAt(i))) {
                i++;
            }
            StringBuilder value = new StringBuilder();
            if (i < n && dsn.charAt(i) == '\'') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = dsn.charAt(i++);
                    if (c == '\\' && i < n) {
                        value.append(dsn.charAt(i++));
                    } else if (c == '\'') {
                        closed = true;
                        break;
                    } else {
                        value.append(c);
                    }
                }
                if (!closed) {
                    throw new IllegalArgumentException(
                            "connection string has an unterminated quoted value for " + name);
                }
            } else {
                while (i < n && !Character.isWhitespace(dsn.charAt(i))) {
                    char c = dsn.charAt(i++);
                    if (c == '\\' && i < n) {
                        value.append(dsn.charAt(i++));
                    } else {
                        value.append(c);
                    }
                }
            }
            String key = URL_PARAMETERS.get(name.toLowerCase(Locale.ROOT));
            if (key == null && PGJDBC_SSL.equalsIgnoreCase(name)) {
                throw new IllegalArgumentException("connection string keyword " + pgjdbcSsl(value));
            }
            if (key == null) {
                throw new IllegalArgumentException("connection string keyword '" + name + "' is not supported; "
                        + "supported keywords are "
                        + String.join(
                                ", ", URL_PARAMETERS.keySet().stream().sorted().toList()));
            }
            out.put(key, value.toString());
        }
    }

    /**
     * Says what to use instead of pgjdbc's {@code ssl} parameter: {@code ssl=true} (or the bare parameter) asks
     * pgjdbc for an encrypted connection with the server's certificate and host name checked, libpq's
     * {@code sslmode=verify-full}; {@code ssl=false} for none, {@code sslmode=disable}.
     */
    private static String pgjdbcSsl(@Nullable Object value) {
        if ("false".equalsIgnoreCase(String.valueOf(value).trim())) {
            return "ssl=false is pgjdbc's; use sslmode=disable";
        }
        return "ssl=true is pgjdbc's; use sslmode=verify-full (what pgjdbc's ssl=true does: encrypt and check the "
                + "server's certificate and host name) or sslmode=require (encrypt only)";
    }

    private static String decode(String s, String what) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("connection URL has a malformed %-escape in the " + what, null);
        }
    }

    /** Returns the URL with any password replaced, for messages. */
    static String redact(String url) {
        return url.replaceAll("(//[^/@:]*:)[^/@]*@", "$1****@").replaceAll("(?i)(password=)[^&]*", "$1****");
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

    private static String string(String key, Object v) {
        if (v instanceof String s) {
            if (!key.equals("password")) {
                noNul(key, s);
            } else if (s.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("password must not contain NUL characters");
            }
            return s;
        }
        if (v instanceof CharSequence cs) {
            return string(key, cs.toString());
        }
        throw wrongType(key, "a String", v);
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

    private static SslMode sslMode(@Nullable Object v) {
        if (v == null) {
            return ConnectionSettings.DEFAULT_SSL_MODE;
        }
        String s = string("sslmode", v).trim().toLowerCase(Locale.ROOT);
        for (SslMode m : SslMode.values()) {
            if (m.libpqName().equals(s)) {
                return m;
            }
        }
        if (s.equals("allow")) {
            throw new IllegalArgumentException(
                    "sslmode 'allow' is not supported by the driver; use 'prefer' or 'disable'");
        }
        throw new IllegalArgumentException(
                "sslmode must be one of disable, prefer, require, verify-ca, verify-full (was '" + v + "')");
    }

    private static boolean bool(String key, @Nullable Object v, boolean fallback) {
        if (v == null) {
            return fallback;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Integer i && (i == 0 || i == 1)) {
            return i == 1;
        }
        if (v instanceof String s) {
            return switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "1", "true", "on", "yes" -> true;
                case "0", "false", "off", "no" -> false;
                default ->
                    throw new IllegalArgumentException(key + " must be 1 or 0 (or true or false) (was \"" + s + "\")");
            };
        }
        throw wrongType(key, "a Boolean, 1 or 0", v);
    }

    private static long whole(String key, @Nullable Object v, long fallback, long min, long max) {
        if (v == null) {
            return fallback;
        }
        long n;
        if (v instanceof Integer || v instanceof Long || v instanceof Short) {
            n = ((Number) v).longValue();
        } else if (v instanceof String s) {
            try {
                n = Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        key + " must be a whole number between " + min + " and " + max + " (was \"" + s + "\")");
            }
        } else {
            throw wrongType(key, "an Integer", v);
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(key + " must be between " + min + " and " + max + " (was " + n + ")");
        }
        return n;
    }

    private enum Unit {
        SECONDS,
        MILLISECONDS
    }

    private static Duration duration(
            String key, @Nullable Object v, Unit bareUnit, Duration fallback, boolean zeroAllowed) {
        if (v == null) {
            return fallback;
        }
        Duration d;
        if (v instanceof Duration given) {
            d = given;
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short) {
            d = of(((Number) v).longValue(), bareUnit);
        } else if (v instanceof Double || v instanceof Float) {
            double n = ((Number) v).doubleValue();
            d = Duration.ofNanos((long) (n * (bareUnit == Unit.SECONDS ? 1e9 : 1e6)));
        } else if (v instanceof String s) {
            d = parseDuration(key, s.trim(), bareUnit);
        } else {
            throw wrongType(
                    key,
                    "a Duration, a number of " + bareUnit.name().toLowerCase(Locale.ROOT)
                            + " or a String such as \"30s\"",
                    v);
        }
        if (d.isNegative() || (!zeroAllowed && d.isZero())) {
            throw new IllegalArgumentException(
                    key + " must be " + (zeroAllowed ? "zero or positive" : "positive") + " (was " + v + ")");
        }
        return d;
    }

    private static Duration of(long n, Unit unit) {
        return unit == Unit.SECONDS ? Duration.ofSeconds(n) : Duration.ofMillis(n);
    }

    private static Duration parseDuration(String key, String s, Unit bareUnit) {
        try {
            if (s.startsWith("P") || s.startsWith("p")) {
                return Duration.parse(s);
            }
            int i = 0;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            String number = s.substring(0, i);
            String unit = s.substring(i).trim().toLowerCase(Locale.ROOT);
            double n = Double.parseDouble(number);
            double nanos = switch (unit) {
                case "" -> n * (bareUnit == Unit.SECONDS ? 1e9 : 1e6);
                case "us" -> n * 1e3;
                case "ms" -> n * 1e6;
                case "s", "sec" -> n * 1e9;
                case "min" -> n * 60e9;
                case "h" -> n * 3600e9;
                case "d" -> n * 86400e9;
                default -> throw new IllegalArgumentException();
            };
            return Duration.ofNanos((long) nanos);
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new IllegalArgumentException(key + " must be a duration such as \"30s\", \"500ms\", \"2min\" or "
                    + "\"PT30S\" (was \"" + s + "\")");
        }
    }

    private static void noNul(String key, String s) {
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(key + " must not contain NUL characters");
        }
    }

    private static IllegalArgumentException wrongType(String key, String expected, Object v) {
        String shown = key.equals("password") || key.equals("dsn") ? "" : " " + v;
        return new IllegalArgumentException("configuration key '" + key + "' must be " + expected + " (was "
                + v.getClass().getSimpleName() + shown + "); known keys are " + String.join(", ", KEYS));
    }
}
