package io.github.pgengine.docs;

import io.github.pgengine.Batch;
import io.github.pgengine.BatchOptions;
import io.github.pgengine.BatchPartiallyFailedException;
import io.github.pgengine.CockroachEngine;
import io.github.pgengine.EngineObserver;
import io.github.pgengine.IsolationLevel;
import io.github.pgengine.ListenEvent;
import io.github.pgengine.ListenOptions;
import io.github.pgengine.PoolOptions;
import io.github.pgengine.PoolStats;
import io.github.pgengine.PostgresEngine;
import io.github.pgengine.RetryPolicy;
import io.github.pgengine.Row;
import io.github.pgengine.Transaction;
import io.github.pgengine.TransactionOptions;
import io.github.pgengine.micrometer.PgEngineMetrics;
import io.github.pgengine.opentelemetry.PgEngineTracing;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The Java code samples of README.md and docs/, each between {@code // region name} and {@code // endregion}.
 * {@code DocsSamplesTest} checks that every sample in the Markdown is one of these regions, word for word, and runs
 * the ones that can run against the test PostgreSQL. A sample that drifts from the API fails the build.
 */
@SuppressWarnings({"unused", "UnusedReturnValue"})
public final class JavaSamples {
    private JavaSamples() {}

    static void readme(String secret) {
        // region readme-java
        PostgresEngine engine = new PostgresEngine(
                Map.of("host", "localhost", "port", 5432, "user", "app", "password", secret, "database", "app"),
                List.of("uuid-ossp"),   // extensions prepDatabase() creates
                true,                   // log queries
                false,                  // log responses
                Map.of());              // extra nodes (read replicas) by name

        engine.prepDatabase()
                .thenCompose(v -> engine.checkVersion())
                .thenCompose(v -> engine.startConnectionPool(PoolOptions.builder().maxSize(8).build()))
                .thenCompose(v -> engine.query("SELECT name FROM band WHERE popularity > $1", 100))
                .thenAccept(rows -> rows.forEach(row -> System.out.println(row.getString("name"))))
                .join();

        engine.transaction(tx -> tx.execute("UPDATE band SET popularity = popularity + 1 WHERE name = ?", "Pythonistas")
                .thenCompose(n -> tx.query("SELECT popularity FROM band WHERE name = ?", "Pythonistas")));
        // endregion
    }

    static void readmeCockroach() {
        // region readme-cockroach-java
        CockroachEngine crdb = new CockroachEngine(
                Map.of("host", "localhost", "user", "root", "database", "defaultdb", "sslmode", "disable"), // port 26257
                List.of(), false, false, Map.of());
        crdb.prepDatabase().join();          // SET CLUSTER SETTING ...; a missing privilege (42501) is one warning
        double release = crdb.getVersion().join();                        // 24.1, the CockroachDB release
        crdb.transaction(tx -> tx.execute("UPDATE account SET balance = balance - $1 WHERE id = $2", 10, 1))
                .join();                     // 40001 "restart transaction" is retried with backoff
        crdb.atomic().add("CREATE TABLE a (id INT)").add("CREATE TABLE b (id INT)").run().join(); // one transaction
        // endregion
    }

    static void cockroachEngine() {
        // region cockroach-engine
        CockroachEngine engine = new CockroachEngine(
                Map.of("host", "localhost", "user", "root", "database", "defaultdb", "sslmode", "disable"), // port 26257
                List.of(), false, false, Map.of());
        engine.prepDatabase().join();
        engine.startConnectionPool().join();
        engine.transaction(tx -> tx.execute("UPDATE account SET balance = balance - $1 WHERE id = $2", 10, 1)).join();
        // endregion
    }

    static void cockroachRetries(Map<String, Object> config, Function<Transaction, CompletionStage<Object>> work) {
        // region cockroach-retry-policy
        RetryPolicy policy = RetryPolicy.builder()
                .maxAttempts(10)                          // default 10
                .initialBackoff(Duration.ofMillis(50))    // default 50 ms
                .maxBackoff(Duration.ofSeconds(5))        // default 5 s
                .multiplier(2.0)                          // default 2
                .jitter(0.5)                              // default 0.5: each wait × random [0.5, 1.5]
                .build();
        CockroachEngine engine = CockroachEngine.builder().config(config).retryPolicy(policy).build();
        engine.transaction(TransactionOptions.builder().retryPolicy(RetryPolicy.none()).build(), work); // per transaction
        // endregion
    }

    static List<PostgresEngine> configuration() {
        // region configuration-url
        PostgresEngine e = PostgresEngine.builder().url("postgresql://app@db1/app?sslmode=verify-full").build();
        PostgresEngine f = new PostgresEngine(Map.of("dsn", "postgres://app:pw@db1/app", "application_name", "billing"));
        // endregion
        return List.of(e, f);
    }

    static void cursorsBatch(PostgresEngine engine, List<Row> handled) {
        class Sample {
            void handle(Row row) {
                handled.add(row);
            }

            void run() {
                // region cursors-batch
                Batch batch = engine.batch("SELECT * FROM band WHERE popularity > $1", List.of(100), 500).join();
                for (List<Row> rows = batch.next().join(); !rows.isEmpty(); rows = batch.next().join()) {
                    rows.forEach(this::handle);
                }
                // endregion
            }
        }
        new Sample().run();
    }

    static Flow.Publisher<Row> cursorsStream(PostgresEngine engine) {
        // region cursors-stream
        Flow.Publisher<Row> rows = engine.stream("SELECT * FROM event ORDER BY id", List.of(), 1_000);
        // endregion
        return rows;
    }

    static void gettingStarted(String secret) {
        // region getting-started-java
        PostgresEngine engine = new PostgresEngine(
                Map.of("host", "localhost", "port", 5432, "user", "app", "password", secret, "database", "app"),
                List.of("uuid-ossp"), false, false, Map.of());

        engine.prepDatabase()                                   // CREATE EXTENSION IF NOT EXISTS "uuid-ossp"
                .thenCompose(v -> engine.checkVersion())        // warns below PostgreSQL 10; never fails
                .thenCompose(v -> engine.startConnectionPool(PoolOptions.builder().maxSize(8).build()))
                .join();

        List<Row> rows = engine.query("SELECT id, name FROM band WHERE popularity > $1", 100).join();
        long changed = engine.execute("UPDATE band SET popularity = 0 WHERE name = ?", "Pythonistas").join();
        engine.runDdl("CREATE INDEX IF NOT EXISTS band_name ON band (name)").join();

        engine.close().join();                                  // closes the pool
        // endregion
    }

    static PoolStats pool(PostgresEngine engine) {
        // region pool-options
        engine.startConnectionPool(PoolOptions.builder()
                .maxSize(8)                                  // default 10
                .minIdle(2)                                  // default 1: opened at start, so a wrong address fails early
                .acquireTimeout(Duration.ofSeconds(5))       // default 30 s, then PoolTimeoutException
                .maxWaiters(1_000)                           // default 10,000 waiting for a connection to come back
                .idleTimeout(Duration.ofMinutes(10))         // default 10 min, for connections above minIdle
                .maxLifetime(Duration.ofMinutes(30))         // default 30 min, each up to 2.5% shorter at random
                .leakDetectionThreshold(Duration.ofSeconds(30)) // default off: WARN with the borrower's stack
                .build());
        PoolStats stats = engine.poolStats();               // total, idle, inUse, waiting, maxSize
        // endregion
        return stats;
    }

    static PostgresEngine poolUnpooled(String url) {
        // region pool-unpooled
        PostgresEngine script = PostgresEngine.builder().url(url).warnWithoutPool(false).build();
        // endregion
        return script;
    }

    static CompletableFuture<Long> transactionBasic(PostgresEngine engine) {
        // region transactions-basic
        CompletableFuture<Long> count = engine.transaction(tx ->
                tx.execute("INSERT INTO band (name) VALUES ($1)", "Pythonistas")
                        .thenCompose(n -> tx.query("SELECT count(*) AS n FROM band"))
                        .thenApply(rows -> rows.get(0).getLong("n")));
        // endregion
        return count;
    }

    static CompletableFuture<List<Row>> transactionOptions(PostgresEngine engine) {
        // region transactions-options
        TransactionOptions options = TransactionOptions.builder()
                .isolation(IsolationLevel.SERIALIZABLE)   // READ_COMMITTED, REPEATABLE_READ, SERIALIZABLE; default: server's
                .readOnly(true)
                .deferrable(true)
                .allowNested(false)                       // default true
                .retryPolicy(RetryPolicy.defaults())      // default: the engine's (none for PostgresEngine)
                .build();
        engine.transaction(options, tx -> tx.query("SELECT sum(amount) AS total FROM ledger"));
        // endregion
        return engine.transaction(options, tx -> tx.query("SELECT 1 AS total"));
    }

    static CompletableFuture<Long> transactionNested(PostgresEngine engine) {
        // region transactions-nested
        engine.transaction(tx -> tx.execute("INSERT INTO band VALUES (1, 'outer')")
                .thenCompose(n -> tx.transaction(inner -> inner.execute("INSERT INTO band VALUES (1, 'clash')")))
                .exceptionally(e -> 0L)                                   // the inner failure rolled back to its savepoint
                .thenCompose(n -> tx.execute("INSERT INTO band VALUES (2, 'after')")));   // outer commits 1 and 2
        // endregion
        return engine.transaction(tx -> tx.query("SELECT 1").thenApply(r -> 1L));
    }

    static CompletableFuture<?> transactionSavepoints(PostgresEngine engine) {
        // region transactions-savepoints
        return engine.transaction(tx -> tx.execute("INSERT INTO band VALUES (10, 'a')")
                .thenCompose(n -> tx.savepoint())                 // savepoint_1, savepoint_2, ... per transaction
                .thenCompose(sp -> tx.execute("INSERT INTO band VALUES (11, 'b')").thenCompose(n -> sp.rollbackTo()))
                .thenCompose(v -> tx.savepoint("before-import"))  // ASCII letters, digits, '-' and '_', at most 63
                .thenCompose(sp -> tx.rollbackTo("before-import")));
        // endregion
    }

    static void atomic(PostgresEngine engine) {
        // region transactions-atomic
        engine.atomic()
                .add("INSERT INTO band (name) VALUES ($1)", "Pythonistas")
                .add("UPDATE band SET popularity = popularity + 1")
                .run();                                           // one transaction; any failure rolls all back
        // endregion
    }

    static CompletableFuture<Boolean> health(PostgresEngine engine) {
        // region health-ping
        return engine.ping()
                .thenApply(h -> {
                    System.out.printf("%s: PostgreSQL %s, %d µs, %d of %d connections in use%n", h.engine(),
                            h.serverVersion(), h.roundTrip().toNanos() / 1000, h.pool().inUse(), h.pool().maxSize());
                    return true;
                })
                .exceptionally(error -> false);   // down: ConnectionException; pool busy: PoolTimeoutException
        // endregion
    }

    static CompletableFuture<long[]> bulkBatch(PostgresEngine engine) {
        // region bulk-execute-batch
        List<List<Object>> rows = List.of(
                List.of("Pythonistas", 1000),
                List.of("Rustaceans", 800),
                List.of("Gophers", 600));
        CompletableFuture<long[]> counts =                       // [1, 1, 1]: one round trip, all or nothing
                engine.executeBatch("INSERT INTO band (name, popularity) VALUES ($1, $2)", rows);
        // endregion
        return counts;
    }

    static CompletableFuture<long[]> bulkIndependent(PostgresEngine engine) {
        // region bulk-independent
        List<List<Object>> rows = List.of(
                List.of(501, "Elixirists", 400),
                List.of(502, "Ziggers", 200),
                List.of(501, "Elixirists again", 1));                 // id 501 again: this row fails
        CompletableFuture<long[]> counts = engine
                .executeBatch("INSERT INTO band (id, name, popularity) VALUES ($1, $2, $3)",
                        rows, BatchOptions.independent())              // each row commits on its own
                .exceptionally(error -> {
                    if (error instanceof BatchPartiallyFailedException partly) {
                        partly.errors().forEach((row, e) ->            // row 2 (from 0): 23505
                                System.out.println("row " + row + " failed: " + e.sqlState()));
                        return partly.counts();                        // [1, 1, -3]: the first two committed
                    }
                    throw new CompletionException(error);
                });
        // endregion
        return counts;
    }

    static PostgresEngine bulkRowByRow(Map<String, Object> config) {
        // region bulk-rewrite-off
        PostgresEngine exact = PostgresEngine.builder()
                .config(config)
                .rewriteBatchedInserts(false)          // executeBatch: every statement once per row, exact counts
                .build();
        // endregion
        return exact;
    }

    static CompletableFuture<Long> bulkUnnest(PostgresEngine engine) {
        // region bulk-unnest
        List<String> names = List.of("Kotliners", "Haskellers");
        List<Integer> popularity = List.of(700, 300);
        CompletableFuture<Long> inserted = engine.execute(          // 2: one statement, two array parameters
                "INSERT INTO band (name, popularity) SELECT * FROM unnest($1::text[], $2::int[])",
                names, popularity);
        // endregion
        return inserted;
    }

    static PgEngineMetrics metrics(PostgresEngine engine, MeterRegistry registry) {
        // region metrics-bind
        PgEngineMetrics metrics = new PgEngineMetrics(engine, Tags.of("app", "orders"));
        metrics.bindTo(registry);              // Spring Boot binds every MeterBinder bean for you
        // ... later, when the engine goes away:
        // metrics.close();                    // detaches and removes the meters
        // endregion
        return metrics;
    }

    static EngineObserver.Registration tracing(PostgresEngine engine, OpenTelemetry openTelemetry) {
        // region tracing-register
        EngineObserver.Registration tracing = PgEngineTracing.create(openTelemetry).register(engine);
        // spans now follow the caller's context: a statement run under a span is its child
        // tracing.close() detaches
        // endregion
        return tracing;
    }

    static EngineObserver.Registration tracingWithMessages(PostgresEngine engine, OpenTelemetry openTelemetry) {
        // region tracing-error-messages
        EngineObserver.Registration tracing = PgEngineTracing.builder(openTelemetry)
                .recordErrorMessages(true)     // the server's messages, and the values they repeat
                .build()
                .register(engine);
        // endregion
        return tracing;
    }

    static EngineObserver.Registration observer(PostgresEngine engine) {
        // region observer-custom
        EngineObserver.Registration slowLog = engine.addObserver(new EngineObserver() {
            @Override
            public StatementObservation statementStarted(
                    StatementInfo statement, @Nullable Object captured, @Nullable TransactionObservation tx) {
                long start = System.nanoTime();
                return (rows, error) -> {
                    long micros = (System.nanoTime() - start) / 1000;
                    if (micros > 100_000) {
                        System.out.println("slow (" + micros + " µs): " + statement.text());
                    }
                };
            }
        });
        // endregion
        return slowLog;
    }

    /** Subscribes to "orders" and "refunds"; the first payload completes the returned future. */
    static CompletableFuture<String> listen(PostgresEngine engine, Runnable reloadOrders) {
        CompletableFuture<String> firstPayload = new CompletableFuture<>();
        // region listen-java
        engine.listen("orders", "refunds").subscribe(new Flow.Subscriber<ListenEvent>() {
            private Flow.Subscription subscription;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(1);                                 // one at a time; the rest wait in the buffer
            }

            @Override
            public void onNext(ListenEvent event) {
                if (event instanceof ListenEvent.Notification n) {
                    firstPayload.complete(n.payload());       // also n.channel(), n.processId() of the sender
                } else if (event instanceof ListenEvent.MissedNotifications gap) {
                    reloadOrders.run();                       // notifications may be missing here: re-read the state
                }
                subscription.request(1);
            }

            @Override
            public void onError(Throwable error) {            // first connection failed, bad name, overflow (FAIL)
                firstPayload.completeExceptionally(error);
            }

            @Override
            public void onComplete() {}                       // the engine was closed
        });
        // endregion
        return firstPayload;
    }

    static CompletableFuture<Long> notifyOrders(PostgresEngine engine) {
        // region notify-java
        engine.notify("orders", "order 42 shipped").join();  // SELECT pg_notify($1, $2): both are parameters

        return engine.transaction(tx -> tx.execute("UPDATE band SET popularity = popularity + 1 WHERE name = $1", "Pythonistas")
                .thenCompose(n -> tx.execute("SELECT pg_notify($1, $2)", "orders", "Pythonistas")));   // sent at COMMIT
        // endregion
    }

    static Flow.Publisher<ListenEvent> listenOptions(PostgresEngine engine) {
        // region listen-options
        ListenOptions options = ListenOptions.builder()
                .bufferSize(10_000)                                  // default 1,000 undelivered notifications
                .overflow(ListenOptions.Overflow.DROP_OLDEST)        // default FAIL: onError(ListenOverflowException)
                .reconnectInitialDelay(Duration.ofMillis(100))       // default 100 ms, doubled after each failed attempt
                .reconnectMaxDelay(Duration.ofSeconds(10))           // default 10 s
                .build();
        Flow.Publisher<ListenEvent> events = engine.listen(options, "orders", "refunds");
        // endregion
        return events;
    }

    static CockroachEngine followerReads() {
        // region crdb-follower-reads
        CockroachEngine reports = CockroachEngine.builder()
                .url("postgresql://root@n1:26257,n2:26257,n3:26257/shop")
                .followerReads(true)            // every session: SET default_transaction_use_follower_reads = on
                .build();
        CockroachEngine engine = CockroachEngine.builder()
                .url("postgresql://root@n1:26257,n2:26257,n3:26257/shop")
                .extraNodes(Map.of("reports", reports))
                .build();
        engine.node("reports").query("SELECT count(*) FROM orders");   // as of follower_read_timestamp(), ~4.2 s ago
        // endregion
        return engine;
    }
}
