package io.github.pgengine.internal.connect;

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
    /** No client-side limit on a statement's duration by default (as pgjdbc, r2dbc, Vert.x and asyncpg). */
    public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ZERO;
    /** TCP keepalive: idle time before the first probe, so a dead peer is noticed on an idle or waiting connection. */
    public static final Duration DEFAULT_KEEPALIVES_IDLE = Duration.ofSeconds(30);
    /** TCP keepalive: time between unanswered probes. */
    public static final Duration DEFAULT_KEEPALIVES_INTERVAL = Duration.ofSeconds(10);
    /** TCP keepalive: unanswered probes before the connection is declared dead. */
    public static final int DEFAULT_KEEPALIVES_COUNT = 3;
    /** The largest message accepted from the server: 1 GiB (PostgreSQL's own limit for one value) plus headroom. */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = (1 << 30) + (1 << 20);
    /** executeBatch sends plain single-row inserts as multi-row inserts by default (as pgjdbc's option does when on). */
    public static final boolean DEFAULT_REWRITE_BATCHED_INSERTS = true;

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

        /** Returns the libpq spelling, e.g. {@code verify-full}. */
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
    private final @Nullable Duration statementTimeout;
    private final @Nullable String searchPath;
    private final boolean keepalives;
    private final Duration keepalivesIdle;
    private final Duration keepalivesInterval;
    private final int keepalivesCount;
    private final int maxMessageSize;
    private final Hosts hosts;
    private final boolean rewriteBatchedInserts;
    private final @Nullable PgPassFile passFile;

    public ConnectionSettings(
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
            @Nullable Duration statementTimeout,
            @Nullable String searchPath,
            boolean keepalives,
            Duration keepalivesIdle,
            Duration keepalivesInterval,
            int keepalivesCount,
            int maxMessageSize,
            boolean rewriteBatchedInserts,
            @Nullable PgPassFile passFile) {
        this(
                host,
                port,
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
                passFile,
                Hosts.single(host, port));
    }

    @SuppressWarnings("TooManyParameters")
    private ConnectionSettings(
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
            @Nullable Duration statementTimeout,
            @Nullable String searchPath,
            boolean keepalives,
            Duration keepalivesIdle,
            Duration keepalivesInterval,
            int keepalivesCount,
            int maxMessageSize,
            boolean rewriteBatchedInserts,
            @Nullable PgPassFile passFile,
            Hosts hosts) {
        this.hosts = hosts;
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
        this.keepalives = keepalives;
        this.keepalivesIdle = keepalivesIdle;
        this.keepalivesInterval = keepalivesInterval;
        this.keepalivesCount = keepalivesCount;
        this.maxMessageSize = maxMessageSize;
        this.passFile = passFile;
        this.rewriteBatchedInserts = rewriteBatchedInserts;
    }

    /** Returns whether executeBatch sends plain single-row inserts as multi-row inserts. */
    public boolean rewriteBatchedInserts() {
        return rewriteBatchedInserts;
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

    /** Returns when a statement's future fails at the latest; zero for no limit. */
    public Duration queryTimeout() {
        return queryTimeout;
    }

    /** Returns the session's {@code statement_timeout} to set, or {@code null} to leave the server's setting. */
    public @Nullable Duration statementTimeout() {
        return statementTimeout;
    }

    /** Returns whether TCP keepalive probes are sent. */
    public boolean keepalives() {
        return keepalives;
    }

    /** Returns idle time before the first keepalive probe. */
    public Duration keepalivesIdle() {
        return keepalivesIdle;
    }

    /** Returns time between keepalive probes. */
    public Duration keepalivesInterval() {
        return keepalivesInterval;
    }

    /** Returns unanswered probes before the connection is dead. */
    public int keepalivesCount() {
        return keepalivesCount;
    }

    /** Returns the largest message accepted from the server, in bytes. */
    public int maxMessageSize() {
        return maxMessageSize;
    }

    public @Nullable String searchPath() {
        return searchPath;
    }

    /** Returns the password file consulted when no password is configured, or {@code null}. */
    public @Nullable PgPassFile passFile() {
        return passFile;
    }

    /**
     * Returns the password for one host: the configured one, else the first line of the password file that matches
     * this host, port, database and user (libpq looks it up per host), else none.
     *
     * @param host the host as configured
     * @param port its port
     */
    public @Nullable String passwordFor(String host, int port) {
        if ((password != null && !password.isEmpty()) || passFile == null) {
            return password;
        }
        String found = passFile.lookup(host, port, database, user);
        return found != null ? found : password;
    }

    /** Returns {@code user@host:port/database} ({@code user@a:1,b:2/database} for several hosts), never the password. */
    public String describe() {
        return user + "@" + hosts.describe() + "/" + database;
    }

    /** Returns the hosts to try and what a session must be; {@link #host()} and {@link #port()} are the first. */
    public Hosts hosts() {
        return hosts;
    }

    /**
     * Returns these settings for several hosts (the first becomes {@link #host()} and {@link #port()}).
     *
     * @param hosts the hosts and what a session must be
     * @return the new settings
     */
    public ConnectionSettings withHosts(Hosts hosts) {
        Hosts.Endpoint first = hosts.endpoints().get(0);
        return new ConnectionSettings(
                first.host(),
                first.port(),
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
                passFile,
                hosts);
    }

    /**
     * Returns these settings for one of the hosts, as a single host (what one connection attempt uses).
     *
     * @param endpoint the host
     * @return the new settings
     */
    public ConnectionSettings forEndpoint(Hosts.Endpoint endpoint) {
        return withHosts(Hosts.single(endpoint.host(), endpoint.port()));
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
                && Objects.equals(statementTimeout, s.statementTimeout)
                && Objects.equals(searchPath, s.searchPath)
                && keepalives == s.keepalives
                && keepalivesIdle.equals(s.keepalivesIdle)
                && keepalivesInterval.equals(s.keepalivesInterval)
                && keepalivesCount == s.keepalivesCount
                && maxMessageSize == s.maxMessageSize
                && hosts.equals(s.hosts)
                && rewriteBatchedInserts == s.rewriteBatchedInserts
                && Objects.equals(passFile, s.passFile);
    }

    @Override
    public int hashCode() {
        return Objects.hash(host, port, user, database, applicationName, sslMode, connectTimeout, queryTimeout);
    }

    @Override
    public String toString() {
        return "ConnectionSettings{hosts=" + hosts.describe()
                + (hosts.target() == Hosts.TargetSessionAttrs.ANY
                        ? ""
                        : ", targetSessionAttrs=" + hosts.target().libpqName())
                + (hosts.random() ? ", loadBalanceHosts=random" : "") + ", user=" + user
                + ", password=" + (password == null ? "<none>" : "<hidden>") + ", database=" + database
                + ", applicationName=" + applicationName + ", sslMode=" + sslMode.libpqName()
                + (sslRootCert == null ? "" : ", sslRootCert=" + sslRootCert)
                + ", connectTimeout=" + connectTimeout + ", queryTimeout=" + queryTimeout
                + (statementTimeout == null ? "" : ", statementTimeout=" + statementTimeout)
                + (searchPath == null ? "" : ", searchPath=" + searchPath)
                + ", keepalives="
                + (keepalives ? keepalivesIdle + "/" + keepalivesInterval + "/" + keepalivesCount : "off")
                + ", maxMessageSize=" + maxMessageSize
                + (passFile == null ? "" : ", passfile=" + passFile.path()) + "}";
    }
}
