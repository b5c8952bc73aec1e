package io.github.pgengine.internal.connect;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Where and how to connect: the resolved, validated form of an engine's configuration map ({@link ConfigParser}
 * makes it).
 *
 * <p>The password is kept out of {@link #toString()}.
 *
 * @param hosts the hosts to try and what a session must be; {@link #host()} and {@link #port()} are the first
 * @param user the user name
 * @param password the configured password, or null
 * @param database the database
 * @param applicationName the {@code application_name} each session sets
 * @param sslMode the libpq SSL mode
 * @param sslRootCert the CA certificate file, or null
 * @param sslCert the client certificate file, or null
 * @param sslKey the client key file, or null
 * @param connectTimeout time allowed to open a connection, TLS and authentication included
 * @param queryTimeout when a statement's future fails at the latest; zero for no limit
 * @param statementTimeout the session's {@code statement_timeout} to set, or null to leave the server's setting
 * @param searchPath the session's {@code search_path}, or null
 * @param keepalives whether TCP keepalive probes are sent
 * @param keepalivesIdle idle time before the first keepalive probe
 * @param keepalivesInterval time between keepalive probes
 * @param keepalivesCount unanswered probes before the connection is dead
 * @param maxMessageSize the largest message accepted from the server, in bytes
 * @param rewriteBatchedInserts whether executeBatch sends plain single-row inserts as multi-row inserts
 * @param passFile the password file consulted when no password is configured, or null
 */
public record ConnectionSettings(
        Hosts hosts,
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

    /** Returns the first host. */
    public String host() {
        return hosts.endpoints().get(0).host();
    }

    /** Returns the first host's port. */
    public int port() {
        return hosts.endpoints().get(0).port();
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

    /**
     * Returns {@code user@host:port/database} for one of the hosts: how a connection to it is named.
     *
     * @param endpoint the host
     */
    public String describe(Hosts.Endpoint endpoint) {
        return user + "@" + endpoint + "/" + database;
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
