package io.github.pgengine;

import io.github.pgengine.internal.sql.VersionParser;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An engine for CockroachDB: everything {@link PostgresEngine} does, plus the cluster setting set up by
 * {@link #prepDatabase()}, the real CockroachDB release from {@link #getVersion()}, and transactions that retry
 * serialization failures (SQLSTATE 40001) through CockroachDB's {@code SAVEPOINT cockroach_restart} protocol
 * with capped exponential backoff.
 *
 * <p>The default port is 26257. Extra nodes are CockroachEngines: nodes of the same cluster. CockroachDB has no
 * LISTEN/NOTIFY: {@code listen} fails its subscribers and {@code notify} its future with an {@link EngineException}
 * saying so, without sending anything.
 */
public final class CockroachEngine extends PostgresEngine {
    private static final Logger LOG = LoggerFactory.getLogger(CockroachEngine.class);
    /** The cluster setting {@link #prepDatabase()} applies unless the builder says otherwise. */
    public static final Map<String, String> DEFAULT_CLUSTER_SETTINGS =
            Map.of("sql.defaults.experimental_alter_column_type.enabled", "true");

    private static final Pattern SETTING_NAME = Pattern.compile("[a-z0-9_]+(\\.[a-z0-9_]+)+");
    private static final Pattern PLAIN_VALUE = Pattern.compile("true|false|on|off|-?[0-9]+(\\.[0-9]+)?");

    private final Map<String, String> clusterSettings;

    /**
     * Creates an engine with no extensions, no logging and no extra nodes.
     *
     * @param config connection settings (see docs/configuration.md); the port defaults to 26257
     */
    public CockroachEngine(Map<String, ?> config) {
        this(config, List.of(), false, false, Map.of());
    }

    /**
     * Creates an engine with the five settings of Piccolo's {@code CockroachEngine}.
     *
     * @param config connection settings; the port defaults to 26257
     * @param extensions extensions {@link #prepDatabase()} creates
     * @param logQueries log each statement before it runs
     * @param logResponses log each response with its duration
     * @param extraNodes other nodes of the cluster by name
     */
    public CockroachEngine(
            Map<String, ?> config,
            List<String> extensions,
            boolean logQueries,
            boolean logResponses,
            Map<String, ? extends CockroachEngine> extraNodes) {
        this(new Builder()
                .config(config)
                .extensions(extensions)
                .logQueries(logQueries)
                .logResponses(logResponses)
                .extraNodes(extraNodes));
    }

    private static final Flavor COCKROACH = new Flavor(
            26257,
            RetryPolicy.defaults(),
            "SELECT version()",
            VersionParser::cockroach,
            true,
            false,
            false,
            "cockroachdb",
            true);

    /** What a follower-read node runs on each new session. */
    static final String FOLLOWER_READS = "SET default_transaction_use_follower_reads = on";

    private final boolean followerReads;

    private CockroachEngine(Builder b) {
        super(b, COCKROACH);
        this.clusterSettings = Map.copyOf(b.clusterSettings);
        this.followerReads = b.sessionStatements.contains(FOLLOWER_READS);
    }

    /**
     * Returns true for a follower-read node ({@link Builder#followerReads(boolean)}): its read-only transactions read
     * from the nearest replica, as of {@code follower_read_timestamp()}, and it refuses writes.
     */
    public boolean followerReads() {
        return followerReads;
    }

    /** Returns a builder for everything the constructors do not cover. */
    public static Builder builder() {
        return new Builder();
    }

    /** @return {@code "cockroach"} */
    @Override
    public String engineType() {
        return "cockroach";
    }

    /** @return 0: CockroachDB versions are not checked */
    @Override
    public double minVersionNumber() {
        return 0;
    }

    /** Returns the cluster settings {@link #prepDatabase()} applies. */
    public Map<String, String> clusterSettings() {
        return clusterSettings;
    }

    /**
     * Applies the cluster settings, each with {@code SET CLUSTER SETTING} as a statement of its own outside any
     * transaction, then creates the configured extensions. When the user may not change cluster settings
     * (SQLSTATE 42501) it logs one warning with the server's message and goes on.
     *
     * @return completes when done; fails with the server's error for anything but 42501
     */
    @Override
    public CompletableFuture<@Nullable Void> prepDatabase() {
        CompletableFuture<@Nullable Void> chain = CompletableFuture.completedFuture(null);
        for (Map.Entry<String, String> setting : new java.util.TreeMap<>(clusterSettings).entrySet()) {
            String sql = "SET CLUSTER SETTING " + setting.getKey() + " = " + setting.getValue();
            chain = chain.thenCompose(v -> core().runSetUp(
                            sql,
                            ee -> LOG.warn(
                                    "Unable to set up CockroachDB ({}): some "
                                            + "functionality may not behave as expected. Make sure the database user has permission to set "
                                            + "cluster options: {}",
                                    name(),
                                    ee.serverMessage())));
        }
        return chain.thenCompose(v -> createExtensions());
    }

    /**
     * Starts an atomic queue whose transaction keeps several DDL statements together
     * ({@code SET LOCAL autocommit_before_ddl = off}).
     *
     * @return an empty queue
     */
    @Override
    public Atomic atomic() {
        return atomic(false);
    }

    /**
     * Starts an atomic queue with CockroachDB's {@code autocommit_before_ddl} set for its transaction.
     *
     * @param autocommitBeforeDdl true to let CockroachDB commit before each DDL statement, false to keep everything
     *     in one transaction
     * @return an empty queue
     */
    public Atomic atomic(boolean autocommitBeforeDdl) {
        return new Atomic(
                this,
                TransactionOptions.builder()
                        .autocommitBeforeDdl(autocommitBeforeDdl)
                        .build());
    }

    /** @return the extra node, a CockroachEngine */
    @Override
    public CockroachEngine node(String name) {
        return (CockroachEngine) super.node(name);
    }

    /** Builds a {@link CockroachEngine}: the settings of {@link PostgresEngine.Builder} plus cluster settings. */
    public static final class Builder extends PostgresEngine.Builder {
        private Map<String, String> clusterSettings = DEFAULT_CLUSTER_SETTINGS;

        Builder() {}

        @Override
        public Builder config(Map<String, ?> config) {
            super.config(config);
            return this;
        }

        @Override
        public Builder url(String url) {
            super.url(url);
            return this;
        }

        @Override
        public Builder extensions(List<String> extensions) {
            super.extensions(extensions);
            return this;
        }

        @Override
        public Builder logQueries(boolean logQueries) {
            super.logQueries(logQueries);
            return this;
        }

        @Override
        public Builder logResponses(boolean logResponses) {
            super.logResponses(logResponses);
            return this;
        }

        /**
         * Sets {@code extraNodes}.
         *
         * @param extraNodes other nodes of the cluster by name; each must be a CockroachEngine
         * @return this builder
         */
        @Override
        public Builder extraNodes(Map<String, ? extends PostgresEngine> extraNodes) {
            super.extraNodes(extraNodes);
            return this;
        }

        @Override
        public Builder callbackExecutor(java.util.concurrent.Executor executor) {
            super.callbackExecutor(executor);
            return this;
        }

        @Override
        public Builder name(String name) {
            super.name(name);
            return this;
        }

        @Override
        public Builder rewriteBatchedInserts(boolean rewriteBatchedInserts) {
            super.rewriteBatchedInserts(rewriteBatchedInserts);
            return this;
        }

        @Override
        public Builder retryPolicy(RetryPolicy retryPolicy) {
            super.retryPolicy(retryPolicy);
            return this;
        }

        @Override
        public Builder warnWithoutPool(boolean warnWithoutPool) {
            super.warnWithoutPool(warnWithoutPool);
            return this;
        }

        /**
         * Sets {@code settings}.
         *
         * @param settings the cluster settings {@link #prepDatabase()} applies, name to value (an empty map applies
         *     none); names are dotted lower-case identifiers, values booleans, numbers or text
         * @return this builder
         */
        public Builder clusterSettings(Map<String, ?> settings) {
            Map<String, String> checked = new LinkedHashMap<>();
            settings.forEach((name, value) -> checked.put(checkName(name), literal(name, value)));
            this.clusterSettings = checked;
            return this;
        }

        /**
         * Makes this engine a follower-read node: every session runs
         * {@code SET default_transaction_use_follower_reads = on}, so its transactions are read-only and read, as of
         * {@code follower_read_timestamp()} (about 4.2 s ago), from the nearest replica instead of the leaseholder.
         * Reads are cheaper and closer, and a little stale; writes fail (SQLSTATE 25006). Use it for an extra node
         * that serves reports or dashboards (docs/cockroachdb.md).
         *
         * @param followerReads true for a follower-read node
         * @return this builder
         */
        public Builder followerReads(boolean followerReads) {
            this.sessionStatements = followerReads ? List.of(FOLLOWER_READS) : List.of();
            return this;
        }

        @Override
        public CockroachEngine build() {
            for (Map.Entry<String, PostgresEngine> node : extraNodes.entrySet()) {
                if (!(node.getValue() instanceof CockroachEngine)) {
                    throw new IllegalArgumentException("extra node '" + node.getKey() + "' must be a CockroachEngine "
                            + "(nodes of one cluster), not a "
                            + node.getValue().getClass().getSimpleName());
                }
            }
            return new CockroachEngine(this);
        }

        private static String checkName(String name) {
            if (name == null || !SETTING_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("cluster setting name must be dotted lower-case words such as "
                        + "sql.defaults.experimental_alter_column_type.enabled (was '" + name + "')");
            }
            return name;
        }

        private static String literal(String name, Object value) {
            if (value instanceof Boolean || value instanceof Integer || value instanceof Long) {
                return value.toString();
            }
            if (value instanceof String s) {
                if (PLAIN_VALUE.matcher(s).matches()) {
                    return s;
                }
                if (s.indexOf('\0') >= 0) {
                    throw new IllegalArgumentException("cluster setting " + name + " must not contain NUL characters");
                }
                return "'" + s.replace("'", "''") + "'";
            }
            throw new IllegalArgumentException(
                    "cluster setting " + name + " must be a Boolean, Integer, Long or String (was "
                            + (value == null ? "null" : value.getClass().getSimpleName()) + ")");
        }
    }
}
