package io.github.pgengine.internal;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where and how to connect: the resolved, validated form of an engine's configuration map.
 *
 * <p>Immutable. The password is kept out of {@link #toString()}.
 */
public final class ConnectionSettings {
    /** libpq's default port. */
    public static final int DEFAULT_PORT = 5432;
    /** The application name sent when none is configured. */
    public static final String DEFAULT_APPLICATION_NAME = "pgengine";
    /** libpq's default SSL mode. */
    public static final SslMode DEFAULT_SSL_MODE = SslMode.PREFER;
    /** Time allowed to open a connection, including TLS and authentication. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Time after which the caller's future fails (and the server is asked to stop). */
    public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ofSeconds(60);

    /** SSL modes, named as in libpq. */
    public enum SslMode {
        DISABLE("disable"),
        PREFER("prefer"),
        REQUIRE("require"),
        VERIFY_CA("verify-ca"),
        VERIFY_FULL("verify-full");

        private final String libpqName;

        SslMode(String libpqName) {
            this.libpqName = libpqName;
        }

        /** @return the libpq spelling, e.g. {@code verify-full} */
        public String libpqName() {
            return libpqName;
        }
    }

    private final String host;
    private final int port;
    private final String user;
    private final @Nullable String password;
    private final String database;
    private final String applicationName;
    private final SslMode sslMode;
    private final @Nullable String sslRootCert;
    private final @Nullable String sslCert;
    private final @Nullable String sslKey;
    private final Duration connectTimeout;
    private final Duration queryTimeout;
    private final Duration statementTimeout;
    private final @Nullable String searchPath;

    ConnectionSettings(
            String host,
            int port,
            String user,
            @Nullable String password,
            String database,
            String applicationName,
            SslMode sslMode,
            @Nullable String sslRootCert,
            @Nullable String sslCert,
            @Nullable String sslKey,
            Duration connectTimeout,
            Duration queryTimeout,
            Duration statementTimeout,
            @Nullable String searchPath) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.database = database;
        this.applicationName = applicationName;
        this.sslMode = sslMode;
        this.sslRootCert = sslRootCert;
        this.sslCert = sslCert;
        this.sslKey = sslKey;
        this.connectTimeout = connectTimeout;
        this.queryTimeout = queryTimeout;
        this.statementTimeout = statementTimeout;
        this.searchPath = searchPath;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String user() {
        return user;
    }

    public @Nullable String password() {
        return password;
    }

    public String database() {
        return database;
    }

    public String applicationName() {
        return applicationName;
    }

    public SslMode sslMode() {
        return sslMode;
    }

    public @Nullable String sslRootCert() {
        return sslRootCert;
    }

    public @Nullable String sslCert() {
        return sslCert;
    }

    public @Nullable String sslKey() {
        return sslKey;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** @return when the caller's future fails at the latest */
    public Duration queryTimeout() {
        return queryTimeout;
    }

    /** @return the server-side {@code statement_timeout}; zero turns it off */
    public Duration statementTimeout() {
        return statementTimeout;
    }

    public @Nullable String searchPath() {
        return searchPath;
    }

    /** @return the same settings with another host and port (used for nodes of one cluster) */
    public ConnectionSettings withPort(int newPort) {
        return new ConnectionSettings(host, newPort, user, password, database, applicationName, sslMode, sslRootCert,
                sslCert, sslKey, connectTimeout, queryTimeout, statementTimeout, searchPath);
    }

    /** @return {@code user@host:port/database}, never the password */
    public String describe() {
        return user + "@" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port + "/" + database;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof ConnectionSettings s
                && port == s.port
                && host.equals(s.host)
                && user.equals(s.user)
                && Objects.equals(password, s.password)
                && database.equals(s.database)
                && applicationName.equals(s.applicationName)
                && sslMode == s.sslMode
                && Objects.equals(sslRootCert, s.sslRootCert)
                && Objects.equals(sslCert, s.sslCert)
                && Objects.equals(sslKey, s.sslKey)
                && connectTimeout.equals(s.connectTimeout)
                && queryTimeout.equals(s.queryTimeout)
                && statementTimeout.equals(s.statementTimeout)
                && Objects.equals(searchPath, s.searchPath);
    }

    @Override
    public int hashCode() {
        return Objects.hash(host, port, user, database, applicationName, sslMode, connectTimeout, queryTimeout);
    }

    @Override
    public String toString() {
        return "ConnectionSettings{host=" + host + ", port=" + port + ", user=" + user
                + ", password=" + (password == null ? "<none>" : "<hidden>") + ", database=" + database
                + ", applicationName=" + applicationName + ", sslMode=" + sslMode.libpqName()
                + (sslRootCert == null ? "" : ", sslRootCert=" + sslRootCert)
                + ", connectTimeout=" + connectTimeout + ", queryTimeout=" + queryTimeout
                + ", statementTimeout=" + statementTimeout
                + (searchPath == null ? "" : ", searchPath=" + searchPath) + "}";
    }
}
