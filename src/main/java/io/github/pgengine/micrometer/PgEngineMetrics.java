package io.github.pgengine.micrometer;

import io.github.pgengine.EngineException;
import io.github.pgengine.EngineObserver;
import io.github.pgengine.PostgresEngine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * Micrometer metrics of an engine and its extra nodes: pool gauges, connection acquire time, statement and
 * transaction timers, CockroachDB retries, connections opened, closed and failed, cursor rows.
 *
 * <pre>{@code
 * PgEngineMetrics metrics = new PgEngineMetrics(engine);
 * metrics.bindTo(registry);   // or let Spring Boot bind every MeterBinder bean
 * ...
 * metrics.close();            // detaches from the engine and removes the meters
 * }</pre>
 *
 * <p>Every meter carries the tags {@code engine} (the engine's name), {@code node} ({@code default}, or the extra
 * node's name) and {@code pool} (the name of the node's own engine, the tag HikariCP's binder uses), plus the tags
 * given to the constructor. Names and the meaning of each tag are in docs/metrics.md.
 */
public final class PgEngineMetrics implements MeterBinder, AutoCloseable {
    /** The {@code node} tag's value for the engine itself. */
    public static final String DEFAULT_NODE = "default";

    private static final Set<String> OPERATIONS = Set.of(
            "SELECT",
            "INSERT",
            "UPDATE",
            "DELETE",
            "MERGE",
            "WITH",
            "VALUES",
            "TABLE",
            "CALL",
            "DO",
            "CREATE",
            "ALTER",
            "DROP",
            "TRUNCATE",
            "SHOW",
            "SET",
            "RESET",
            "DECLARE",
            "EXPLAIN",
            "ANALYZE",
            "VACUUM",
            "GRANT",
            "REVOKE",
            "COMMENT",
            "LOCK",
            "REFRESH",
            "NOTIFY",
            "LISTEN",
            "UNLISTEN",
            "COPY",
            "UPSERT",
            "REINDEX");

    private final PostgresEngine engine;
    private final Tags tags;
    private final Object lock = new Object();
    private final List<EngineObserver.Registration> registrations = new ArrayList<>();
    private final List<Meter> meters = new ArrayList<>();
    private final List<Recorder> recorders = new ArrayList<>();
    private @Nullable MeterRegistry registry;
    private boolean closed;

    /**
     * Metrics of an engine and of each of its extra nodes.
     *
     * @param engine the engine
     */
    public PgEngineMetrics(PostgresEngine engine) {
        this(engine, Tags.empty());
    }

    /**
     * Metrics of an engine and of each of its extra nodes, with tags of the caller's on every meter.
     *
     * @param engine the engine
     * @param tags added to every meter (an application or region, say)
     */
    public PgEngineMetrics(PostgresEngine engine, Iterable<Tag> tags) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
    }

    /**
     * Registers the meters and starts recording. A binder binds to one registry; to export to several, bind a
     * {@code CompositeMeterRegistry}.
     *
     * @param registry where the meters go
     * @throws IllegalStateException when already bound, or closed
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        synchronized (lock) {
            if (closed && this.registry == null) {
                throw new IllegalStateException(
                        "PgEngineMetrics for " + engine.name() + " is closed; make a new one to bind it to a registry");
            }
            if (this.registry != null) {
                throw new IllegalStateException("PgEngineMetrics for " + engine.name()
                        + " is already bound to a registry; bind a CompositeMeterRegistry to export to several");
            }
            this.registry = registry;
            Map<String, PostgresEngine> nodes = new LinkedHashMap<>();
            nodes.put(DEFAULT_NODE, engine);
            nodes.putAll(engine.extraNodes());
            nodes.forEach((node, e) -> {
                Tags nodeTags =
                        tags.and(Tag.of("engine", engine.name()), Tag.of("node", node), Tag.of("pool", e.name()));
                gauges(registry, e, nodeTags);
                Recorder recorder = new Recorder(registry, nodeTags);
                recorders.add(recorder);
                registrations.add(e.addObserver(recorder));
            });
        }
    }

    /**
     * Stops recording and removes the meters from the registry. When it returns, no meter of this binder is in the
     * registry and none comes back, whatever statements are still running: their events record nothing. Binding
     * again afterwards is not supported; closing again does nothing.
     */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            registrations.forEach(EngineObserver.Registration::close);
            registrations.clear();
            MeterRegistry r = registry;
            if (r != null) {
                meters.forEach(r::remove);
            }
            recorders.forEach(Recorder::close);
            meters.clear();
            recorders.clear();
        }
    }

    private void gauges(MeterRegistry registry, PostgresEngine e, Tags nodeTags) {
        gauge(
                registry,
                e,
                nodeTags,
                "pgengine.connections",
                "Open connections (idle and in use)",
                p -> p.poolStats().total());
        gauge(
                registry,
                e,
                nodeTags,
                "pgengine.connections.idle",
                "Idle connections",
                p -> p.poolStats().idle());
        gauge(
                registry,
                e,
                nodeTags,
                "pgengine.connections.active",
                "Connections lent to callers",
                p -> p.poolStats().inUse());
        gauge(
                registry,
                e,
                nodeTags,
                "pgengine.connections.pending",
                "Callers waiting for a connection",
                p -> p.poolStats().waiting());
        gauge(
                registry,
                e,
                nodeTags,
                "pgengine.connections.max",
                "The pool's maximum size",
                p -> p.poolStats().maxSize());
    }

    private void gauge(
            MeterRegistry registry,
            PostgresEngine e,
            Tags nodeTags,
            String name,
            String description,
            ToDoubleFunction<PostgresEngine> value) {
        meters.add(Gauge.builder(name, e, value)
                .tags(nodeTags)
                .description(description)
                .baseUnit("connections")
                .register(registry));
    }

    private static String operation(String keyword) {
        return OPERATIONS.contains(keyword) ? keyword.toLowerCase(Locale.ROOT) : "other";
    }

    private static String sqlStateClass(@Nullable Throwable error) {
        String state = EngineObserver.sqlState(error);
        return state == null || state.length() < 2 ? "none" : state.substring(0, 2);
    }

    /**
     * Records one node's events; a meter is registered on the first event of its tag combination, then looked up.
     * Registering and closing hold the same lock, so a meter is either registered before {@link #close()} (which
     * removes it) or never.
     */
    private static final class Recorder implements EngineObserver {
        private final MeterRegistry registry;
        private final Tags tags;
        private final Object lock = new Object();
        /** Every meter registered; written under {@link #lock} only. */
        private final Map<String, Timer> timers = new ConcurrentHashMap<>();
        /** Every meter registered; written under {@link #lock} only. */
        private final Map<String, Counter> counters = new ConcurrentHashMap<>();
        /** Written under {@link #lock}; read without it only to skip work after close. */
        private volatile boolean closed;

        Recorder(MeterRegistry registry, Tags tags) {
            this.registry = registry;
            this.tags = tags;
        }

        @Override
        public StatementObservation statementStarted(
                StatementInfo statement, @Nullable Object captured, @Nullable TransactionObservation transaction) {
            long start = now();
            String operation = operation(statement.operation());
            String batch = statement.batchSize() > 0 ? "true" : "false";
            return (rows, error) -> time(
                    "pgengine.statements",
                    "Statements callers ran, from sending to the answer",
                    now() - start,
                    "operation",
                    operation,
                    "batch",
                    batch,
                    "outcome",
                    Outcome.of(error).tag(),
                    "sqlstate.class",
                    sqlStateClass(error));
        }

        @Override
        public TransactionObservation transactionStarted(EngineInfo engine, @Nullable Object captured) {
            long start = now();
            return new TransactionObservation() {
                @Override
                public void retrying(int attempt, EngineException cause) {
                    String state = cause.sqlState();
                    count(
                            "pgengine.transactions.retries",
                            "Transaction attempts retried after a retryable error (CockroachDB 40001, ...)",
                            1,
                            "sqlstate",
                            state == null ? "none" : state);
                }

                @Override
                public void ended(@Nullable Throwable error) {
                    time(
                            "pgengine.transactions",
                            "Transactions, from having a connection to COMMIT or ROLLBACK",
                            now() - start,
                            "outcome",
                            Outcome.of(error).tag(),
                            "sqlstate.class",
                            sqlStateClass(error));
                }
            };
        }

        @Override
        public void connectionAcquired(long nanos, @Nullable Throwable error) {
            time(
                    "pgengine.connections.acquire",
                    "Time callers waited for a connection from the pool",
                    nanos,
                    "outcome",
                    Outcome.of(error).tag());
        }

        @Override
        public void connectionOpened() {
            count("pgengine.connections.opened", "Connections opened", 1);
        }

        @Override
        public void connectionClosed() {
            count("pgengine.connections.closed", "Connections closed", 1);
        }

        @Override
        public void connectionFailed(Throwable error) {
            count("pgengine.connections.failed", "Connection attempts that failed", 1);
        }

        @Override
        public void cursorRows(int rows) {
            count("pgengine.cursor.rows", "Rows fetched by cursors (batch, stream, queryFlow)", rows);
        }

        private long now() {
            return registry.config().clock().monotonicTime();
        }

        /** Removes every meter from the registry; events after this record nothing and register nothing. */
        void close() {
            synchronized (lock) {
                closed = true;
                timers.values().forEach(registry::remove);
                counters.values().forEach(registry::remove);
                timers.clear();
                counters.clear();
            }
        }

        private void time(String name, String description, long nanos, String... tagPairs) {
            Timer timer = meter(
                    timers,
                    key(name, tagPairs),
                    () -> Timer.builder(name)
                            .description(description)
                            .tags(tags.and(tagPairs))
                            .register(registry));
            if (timer != null) {
                timer.record(nanos, TimeUnit.NANOSECONDS);
            }
        }

        private void count(String name, String description, double amount, String... tagPairs) {
            Counter counter = meter(
                    counters,
                    key(name, tagPairs),
                    () -> Counter.builder(name)
                            .description(description)
                            .tags(tags.and(tagPairs))
                            .register(registry));
            if (counter != null) {
                counter.increment(amount);
            }
        }

        /**
         * The meter of a tag combination, registered on first use; null once closed. A meter found without the lock
         * may be removed by a close meanwhile: what is recorded into it then reaches no registry.
         */
        private <M extends Meter> @Nullable M meter(Map<String, M> meters, String key, Supplier<M> register) {
            if (closed) {
                return null;
            }
            M meter = meters.get(key);
            if (meter != null) {
                return meter;
            }
            synchronized (lock) {
                if (closed) {
                    return null;
                }
                meter = meters.get(key);
                if (meter == null) {
                    meter = register.get();
                    meters.put(key, meter);
                }
                return meter;
            }
        }

        private static String key(String name, String... tagPairs) {
            return tagPairs.length == 0 ? name : name + '|' + String.join("|", tagPairs);
        }
    }
}
