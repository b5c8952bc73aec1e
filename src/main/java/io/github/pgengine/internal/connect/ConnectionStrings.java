package io.github.pgengine.internal.connect;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The two spellings of a connection string: URLs ({@code postgresql://}, {@code postgres://},
 * {@code jdbc:postgresql://}) and libpq's keyword/value form ({@code host=a,b port=5432 dbname=app}), both turned
 * into configuration keys of {@link ConnectionParameter}; {@link ConfigParser} reads and checks the values.
 */
public final class ConnectionStrings {
    /** pgjdbc's parameter for TLS, which libpq and pgengine spell {@code sslmode}. */
    static final String PGJDBC_SSL = "ssl";

    private static final Map<String, String> URL_PARAMETERS = ConnectionParameter.urlParameters();

    private ConnectionStrings() {}

    /**
     * Parses {@code postgresql://}, {@code postgres://} and {@code jdbc:postgresql://} URLs into configuration keys.
     *
     * @param url the URL
     * @return the keys it sets
     */
    public static Map<String, Object> parse(String url) {
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
    static String pgjdbcSsl(@Nullable Object value) {
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
}
