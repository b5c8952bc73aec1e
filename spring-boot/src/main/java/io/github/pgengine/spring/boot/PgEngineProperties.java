package io.github.pgengine.spring.boot;

import io.github.pgengine.PoolOptions;
import io.github.pgengine.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code pgengine.*} properties: the connection, the pool, the retry policy and the engine's life in the
 * application context. Every property and its default is in docs/spring-boot.md. Connection properties that are not
 * set fall back as the engine's own configuration does: the URL, the service file, the libpq environment variables
 * ({@code PGHOST}, ...), then the defaults of docs/configuration.md.
 */
@ConfigurationProperties(prefix = "pgengine")
public class PgEngineProperties {
    /** Default {@link #getStartupTimeout()}. */
    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(30);
    /** Default {@link #getShutdownTimeout()}. */
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

    /** Which engine the application gets. */
    public enum EngineType {
        /** A {@code PostgresEngine}. */
        POSTGRES,
        /** A {@code CockroachEngine} (default port 26257, transactions retried, cluster settings). */
        COCKROACH
    }

    /** Which engine to create: postgres or cockroach. */
    private EngineType type = EngineType.POSTGRES;

    /**
     * Connection URL: postgresql://, postgres://, jdbc:postgresql:// or libpq's key=value form. The other
     * connection properties win over its parts.
     */
    private @Nullable String url;

    /** Server host name; several (a,b) are tried in turn, see target-session-attrs. */
    private List<String> host = new ArrayList<>();

    /** Server port: one for every host, or one per host. */
    private List<Integer> port = new ArrayList<>();

    /** Database name. */
    private @Nullable String database;

    /** Login role (the engine's "user" key). */
    private @Nullable String username;

    /** Login password; never logged. */
    private @Nullable String password;

    /** Shown in pg_stat_activity. */
    private @Nullable String applicationName;

    /** disable, prefer, require, verify-ca or verify-full. */
    private @Nullable String sslMode;

    /**
     * Which server a new connection must reach: any, read-write, read-only, primary, standby or prefer-standby.
     */
    private @Nullable String targetSessionAttrs;

    /** disable or random (try the hosts in random order for each new connection). */
    private @Nullable String loadBalanceHosts;

    /** Time to open a connection, TLS and authentication included (engine default 10s). */
    private @Nullable Duration connectTimeout;

    /** When a statement's future fails at the latest; unset means statements are unbounded. */
    private @Nullable Duration queryTimeout;

    /** The server's statement_timeout for each session; defaults to query-timeout when that is set. */
    private @Nullable Duration statementTimeout;

    /** The session's search_path. */
    private @Nullable String searchPath;

    /**
     * Any other key of the engine's configuration (docs/configuration.md), e.g. sslrootcert, keepalives_idle,
     * max_message_size. A key that one of the properties above sets too is an error.
     */
    private Map<String, String> properties = new LinkedHashMap<>();

    /** The engine's name in logs, metrics and health; defaults to user@host:port/database. */
    private @Nullable String name;

    /** Extensions created (CREATE EXTENSION IF NOT EXISTS) at start-up when prepare-database is on. */
    private List<String> extensions = new ArrayList<>();

    /** Log each statement before it runs (logger io.github.pgengine.query). */
    private boolean logQueries;

    /** Log each response with its duration (logger io.github.pgengine.response). */
    private boolean logResponses;

    /** Whether executeBatch sends plain single-row inserts as multi-row inserts (engine default true). */
    private @Nullable Boolean rewriteBatchedInserts;

    /** Run the engine's prepDatabase() at start-up: the extensions, and CockroachDB's cluster settings. */
    private boolean prepareDatabase = true;

    /**
     * How long start-up (prepare-database, the pool's first connections, the first statement) may take before the
     * application fails to start.
     */
    private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;

    /**
     * How long the context's shutdown waits for connections in use to come back before it closes the engine.
     */
    private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;

    private final Pool pool = new Pool();
    private final Retry retry = new Retry();
    private final Health health = new Health();
    private final Cockroach cockroach = new Cockroach();
    private final Tracing tracing = new Tracing();

    public EngineType getType() {
        return type;
    }

    public void setType(EngineType type) {
        this.type = type;
    }

    public @Nullable String getUrl() {
        return url;
    }

    public void setUrl(@Nullable String url) {
        this.url = url;
    }

    public List<String> getHost() {
        return host;
    }

    public void setHost(List<String> host) {
        this.host = host;
    }

    public List<Integer> getPort() {
        return port;
    }

    public void setPort(List<Integer> port) {
        this.port = port;
    }

    public @Nullable String getDatabase() {
        return database;
    }

    public void setDatabase(@Nullable String database) {
        this.database = database;
    }

    public @Nullable String getUsername() {
        return username;
    }

    public void setUsername(@Nullable String username) {
        this.username = username;
    }

    public @Nullable String getPassword() {
        return password;
    }

    public void setPassword(@Nullable String password) {
        this.password = password;
    }

    public @Nullable String getApplicationName() {
        return applicationName;
    }

    public void setApplicationName(@Nullable String applicationName) {
        this.applicationName = applicationName;
    }

    public @Nullable String getSslMode() {
        return sslMode;
    }

    public void setSslMode(@Nullable String sslMode) {
        this.sslMode = sslMode;
    }

    public @Nullable String getTargetSessionAttrs() {
        return targetSessionAttrs;
    }

    public void setTargetSessionAttrs(@Nullable String targetSessionAttrs) {
        this.targetSessionAttrs = targetSessionAttrs;
    }

    public @Nullable String getLoadBalanceHosts() {
        return loadBalanceHosts;
    }

    public void setLoadBalanceHosts(@Nullable String loadBalanceHosts) {
        this.loadBalanceHosts = loadBalanceHosts;
    }

    public @Nullable Duration getConnectTimeout() {
        return connectTimeout;
    }

    public void setConnectTimeout(@Nullable Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    public @Nullable Duration getQueryTimeout() {
        return queryTimeout;
    }

    public void setQueryTimeout(@Nullable Duration queryTimeout) {
        this.queryTimeout = queryTimeout;
    }

    public @Nullable Duration getStatementTimeout() {
        return statementTimeout;
    }

    public void setStatementTimeout(@Nullable Duration statementTimeout) {
        this.statementTimeout = statementTimeout;
    }

    public @Nullable String getSearchPath() {
        return searchPath;
    }

    public void setSearchPath(@Nullable String searchPath) {
        this.searchPath = searchPath;
    }

    public Map<String, String> getProperties() {
        return properties;
    }

    public void setProperties(Map<String, String> properties) {
        this.properties = properties;
    }

    public @Nullable String getName() {
        return name;
    }

    public void setName(@Nullable String name) {
        this.name = name;
    }

    public List<String> getExtensions() {
        return extensions;
    }

    public void setExtensions(List<String> extensions) {
        this.extensions = extensions;
    }

    public boolean isLogQueries() {
        return logQueries;
    }

    public void setLogQueries(boolean logQueries) {
        this.logQueries = logQueries;
    }

    public boolean isLogResponses() {
        return logResponses;
    }

    public void setLogResponses(boolean logResponses) {
        this.logResponses = logResponses;
    }

    public @Nullable Boolean getRewriteBatchedInserts() {
        return rewriteBatchedInserts;
    }

    public void setRewriteBatchedInserts(@Nullable Boolean rewriteBatchedInserts) {
        this.rewriteBatchedInserts = rewriteBatchedInserts;
    }

    public boolean isPrepareDatabase() {
        return prepareDatabase;
    }

    public void setPrepareDatabase(boolean prepareDatabase) {
        this.prepareDatabase = prepareDatabase;
    }

    public Duration getStartupTimeout() {
        return startupTimeout;
    }

    public void setStartupTimeout(Duration startupTimeout) {
        this.startupTimeout = startupTimeout;
    }

    public Duration getShutdownTimeout() {
        return shutdownTimeout;
    }

    public void setShutdownTimeout(Duration shutdownTimeout) {
        this.shutdownTimeout = shutdownTimeout;
    }

    public Pool getPool() {
        return pool;
    }

    public Retry getRetry() {
        return retry;
    }

    public Health getHealth() {
        return health;
    }

    public Cockroach getCockroach() {
        return cockroach;
    }

    public Tracing getTracing() {
        return tracing;
    }

    /** The connection pool ({@code PoolOptions}). */
    public static class Pool {
        /** Start a connection pool; without one, every call opens and closes a connection of its own. */
        private boolean enabled = true;

        /** The most connections the pool opens, 1 to 10000. */
        private int maxSize = PoolOptions.DEFAULT_MAX_SIZE;

        /** Idle connections kept open, opened at start-up. */
        private int minIdle = PoolOptions.DEFAULT_MIN_IDLE;

        /** How long a caller waits for a free connection before PoolTimeoutException. */
        private Duration acquireTimeout = PoolOptions.DEFAULT_ACQUIRE_TIMEOUT;

        /** How many callers may wait for a connection at once; past it calls fail with PoolExhaustedException. */
        private int maxWaiters = PoolOptions.DEFAULT_MAX_WAITERS;

        /** How long a connection above min-idle may sit idle before it is closed. */
        private Duration idleTimeout = PoolOptions.DEFAULT_IDLE_TIMEOUT;

        /** How long a connection lives at most. */
        private Duration maxLifetime = PoolOptions.DEFAULT_MAX_LIFETIME;

        /** Holding a connection longer than this logs a warning with the borrower's stack; unset means off. */
        private @Nullable Duration leakDetectionThreshold;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public int getMaxSize() {
            return maxSize;
        }

        public void setMaxSize(int maxSize) {
            this.maxSize = maxSize;
        }

        public int getMinIdle() {
            return minIdle;
        }

        public void setMinIdle(int minIdle) {
            this.minIdle = minIdle;
        }

        public Duration getAcquireTimeout() {
            return acquireTimeout;
        }

        public void setAcquireTimeout(Duration acquireTimeout) {
            this.acquireTimeout = acquireTimeout;
        }

        public int getMaxWaiters() {
            return maxWaiters;
        }

        public void setMaxWaiters(int maxWaiters) {
            this.maxWaiters = maxWaiters;
        }

        public Duration getIdleTimeout() {
            return idleTimeout;
        }

        public void setIdleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
        }

        public Duration getMaxLifetime() {
            return maxLifetime;
        }

        public void setMaxLifetime(Duration maxLifetime) {
            this.maxLifetime = maxLifetime;
        }

        public @Nullable Duration getLeakDetectionThreshold() {
            return leakDetectionThreshold;
        }

        public void setLeakDetectionThreshold(@Nullable Duration leakDetectionThreshold) {
            this.leakDetectionThreshold = leakDetectionThreshold;
        }
    }

    /**
     * How transactions are run again after a serialization failure ({@code RetryPolicy}). Unset, the engine's
     * default applies: no retry for postgres, RetryPolicy.defaults() for cockroach; setting any of these starts from
     * RetryPolicy.defaults().
     */
    public static class Retry {
        /** How many times a transaction may run in all (1 = no retry), 1 to 1000. */
        private @Nullable Integer maxAttempts;

        /** The delay before the second attempt (policy default 50ms). */
        private @Nullable Duration initialBackoff;

        /** The longest delay (policy default 5s). */
        private @Nullable Duration maxBackoff;

        /** The growth factor of the delay, at least 1 (policy default 2.0). */
        private @Nullable Double multiplier;

        /** The random spread of each delay, 0 to 1 (policy default 0.5). */
        private @Nullable Double jitter;

        public @Nullable Integer getMaxAttempts() {
            return maxAttempts;
        }

        public void setMaxAttempts(@Nullable Integer maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        public @Nullable Duration getInitialBackoff() {
            return initialBackoff;
        }

        public void setInitialBackoff(@Nullable Duration initialBackoff) {
            this.initialBackoff = initialBackoff;
        }

        public @Nullable Duration getMaxBackoff() {
            return maxBackoff;
        }

        public void setMaxBackoff(@Nullable Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
        }

        public @Nullable Double getMultiplier() {
            return multiplier;
        }

        public void setMultiplier(@Nullable Double multiplier) {
            this.multiplier = multiplier;
        }

        public @Nullable Double getJitter() {
            return jitter;
        }

        public void setJitter(@Nullable Double jitter) {
            this.jitter = jitter;
        }

        boolean isSet() {
            return maxAttempts != null
                    || initialBackoff != null
                    || maxBackoff != null
                    || multiplier != null
                    || jitter != null;
        }

        RetryPolicy toPolicy() {
            RetryPolicy.Builder b = RetryPolicy.builder();
            if (maxAttempts != null) {
                b.maxAttempts(maxAttempts);
            }
            if (initialBackoff != null) {
                b.initialBackoff(initialBackoff);
            }
            if (maxBackoff != null) {
                b.maxBackoff(maxBackoff);
            }
            if (multiplier != null) {
                b.multiplier(multiplier);
            }
            if (jitter != null) {
                b.jitter(jitter);
            }
            return b.build();
        }
    }

    /** The health indicator {@code pgengine} (with Spring Boot Actuator). */
    public static class Health {
        /** Default {@link #getTimeout()}. */
        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

        /** How long a health check waits for the ping's answer before it reports DOWN. */
        private Duration timeout = DEFAULT_TIMEOUT;

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }
    }

    /** CockroachDB (type cockroach). */
    public static class Cockroach {
        /**
         * The cluster settings prepDatabase() applies, name to value; unset means the engine's default
         * (sql.defaults.experimental_alter_column_type.enabled = true).
         */
        private @Nullable Map<String, String> clusterSettings;

        public @Nullable Map<String, String> getClusterSettings() {
            return clusterSettings;
        }

        public void setClusterSettings(@Nullable Map<String, String> clusterSettings) {
            this.clusterSettings = clusterSettings;
        }
    }

    /** OpenTelemetry spans (when the application has an OpenTelemetry bean). */
    public static class Tracing {
        /** Record the server's error messages in spans; they may repeat parameter values. */
        private boolean recordErrorMessages;

        public boolean isRecordErrorMessages() {
            return recordErrorMessages;
        }

        public void setRecordErrorMessages(boolean recordErrorMessages) {
            this.recordErrorMessages = recordErrorMessages;
        }
    }
}
