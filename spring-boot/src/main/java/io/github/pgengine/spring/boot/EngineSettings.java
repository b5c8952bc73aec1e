package io.github.pgengine.spring.boot;

import io.github.pgengine.CockroachEngine;
import io.github.pgengine.PoolOptions;
import io.github.pgengine.PostgresEngine;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/** Turns the {@code pgengine.*} properties into an engine builder and pool options. */
final class EngineSettings {
    private final PgEngineProperties properties;

    EngineSettings(PgEngineProperties properties) {
        this.properties = properties;
    }

    /**
     * Returns the engine's configuration map: the typed properties under the engine's keys, then
     * {@code pgengine.properties.*}.
     *
     * @throws IllegalArgumentException when {@code pgengine.properties} repeats a key a typed property sets
     */
    Map<String, Object> config() {
        PgEngineProperties p = properties;
        Map<String, Object> config = new LinkedHashMap<>();
        Map<String, String> origin = new LinkedHashMap<>();
        if (!p.getHost().isEmpty()) {
            put(config, origin, "host", List.copyOf(p.getHost()), "pgengine.host");
        }
        if (!p.getPort().isEmpty()) {
            put(config, origin, "port", List.copyOf(p.getPort()), "pgengine.port");
        }
        put(config, origin, "database", p.getDatabase(), "pgengine.database");
        put(config, origin, "user", p.getUsername(), "pgengine.username");
        put(config, origin, "password", p.getPassword(), "pgengine.password");
        put(config, origin, "application_name", p.getApplicationName(), "pgengine.application-name");
        put(config, origin, "sslmode", p.getSslMode(), "pgengine.ssl-mode");
        put(config, origin, "target_session_attrs", p.getTargetSessionAttrs(), "pgengine.target-session-attrs");
        put(config, origin, "load_balance_hosts", p.getLoadBalanceHosts(), "pgengine.load-balance-hosts");
        put(config, origin, "connect_timeout", p.getConnectTimeout(), "pgengine.connect-timeout");
        put(config, origin, "query_timeout", p.getQueryTimeout(), "pgengine.query-timeout");
        put(config, origin, "statement_timeout", p.getStatementTimeout(), "pgengine.statement-timeout");
        put(config, origin, "search_path", p.getSearchPath(), "pgengine.search-path");
        if (p.getUrl() != null) {
            origin.put("dsn", "pgengine.url");
        }
        for (Map.Entry<String, String> e : p.getProperties().entrySet()) {
            String typed = origin.get(e.getKey());
            if (typed != null) {
                throw new IllegalArgumentException("pgengine.properties." + e.getKey() + " repeats " + typed
                        + "; set one of them (typed properties: " + new TreeSet<>(origin.values()) + ")");
            }
            config.put(e.getKey(), e.getValue());
        }
        return config;
    }

    private static void put(
            Map<String, Object> config, Map<String, String> origin, String key, @Nullable Object value, String name) {
        if (value != null) {
            config.put(key, value);
            origin.put(key, name);
        }
    }

    /** Returns a builder of the engine the properties ask for, every property applied. */
    PostgresEngine.Builder builder() {
        PgEngineProperties p = properties;
        PostgresEngine.Builder b;
        if (p.getType() == PgEngineProperties.EngineType.COCKROACH) {
            CockroachEngine.Builder crdb = CockroachEngine.builder();
            Map<String, String> settings = p.getCockroach().getClusterSettings();
            if (settings != null) {
                crdb.clusterSettings(settings);
            }
            b = crdb;
        } else {
            b = PostgresEngine.builder();
        }
        b.config(config());
        if (p.getUrl() != null) {
            b.url(p.getUrl());
        }
        if (p.getName() != null) {
            b.name(p.getName());
        }
        b.extensions(p.getExtensions()).logQueries(p.isLogQueries()).logResponses(p.isLogResponses());
        if (p.getRewriteBatchedInserts() != null) {
            b.rewriteBatchedInserts(p.getRewriteBatchedInserts());
        }
        if (p.getRetry().isSet()) {
            b.retryPolicy(p.getRetry().toPolicy());
        }
        return b;
    }

    /** Returns the pool options of {@code pgengine.pool.*}. */
    PoolOptions poolOptions() {
        PgEngineProperties.Pool p = properties.getPool();
        return PoolOptions.builder()
                .maxSize(p.getMaxSize())
                .minIdle(p.getMinIdle())
                .acquireTimeout(p.getAcquireTimeout())
                .maxWaiters(p.getMaxWaiters())
                .idleTimeout(p.getIdleTimeout())
                .maxLifetime(p.getMaxLifetime())
                .leakDetectionThreshold(p.getLeakDetectionThreshold())
                .build();
    }
}
