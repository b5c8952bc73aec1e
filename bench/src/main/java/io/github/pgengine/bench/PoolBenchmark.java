package io.github.pgengine.bench;

import com.github.jasync.sql.db.ConnectionPoolConfigurationBuilder;
import com.github.jasync.sql.db.pool.ConnectionPool;
import com.github.jasync.sql.db.postgresql.PostgreSQLConnection;
import com.github.jasync.sql.db.postgresql.PostgreSQLConnectionBuilder;
import io.github.pgengine.PoolOptions;
import io.github.pgengine.PostgresEngine;
import io.github.pgengine.testing.TestPostgres;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * The measurement behind pgengine's own pool (docs/pool.md): closed-loop point queries at a fixed concurrency
 * through jasync's ConnectionPool as configured by default (size raised to 8), jasync's pool with callbacks
 * completed directly, and pgengine's pool, alternated in rounds so machine noise hits all alike.
 * Run: {@code mvn -q install -DskipTests && mvn -q -f bench/pom.xml compile exec:java -Dexec.mainClass=io.github.pgengine.bench.PoolBenchmark}.
 */
public final class PoolBenchmark {
    private PoolBenchmark() {}

    /**
     * @param args {@code [concurrency] [seconds per round] [rounds]}
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        int concurrency = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        Duration round = Duration.ofSeconds(args.length > 1 ? Integer.parseInt(args[1]) : 5);
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        TestPostgres pg = TestPostgres.get();

        ConnectionPool<PostgreSQLConnection> jasyncDefault = jasyncPool(pg, false);
        ConnectionPool<PostgreSQLConnection> jasyncDirect = jasyncPool(pg, true);
        PostgresEngine engine = new PostgresEngine(pg.config());
        engine.startConnectionPool(PoolOptions.builder().maxSize(8).minIdle(8).build())
                .get(60, TimeUnit.SECONDS);

        IntFunction<CompletableFuture<?>> viaJasyncDefault =
                i -> jasyncDefault.sendPreparedStatement("select ?::int as v", List.of(i));
        IntFunction<CompletableFuture<?>> viaJasyncDirect =
                i -> jasyncDirect.sendPreparedStatement("select ?::int as v", List.of(i));
        IntFunction<CompletableFuture<?>> viaEngine = i -> engine.query("select $1::int as v", i);

        // warm-up
        run(viaJasyncDefault, concurrency, Duration.ofSeconds(2));
        run(viaJasyncDirect, concurrency, Duration.ofSeconds(2));
        run(viaEngine, concurrency, Duration.ofSeconds(2));

        double[] totals = new double[3];
        for (int r = 0; r < rounds; r++) {
            totals[0] += run(viaJasyncDefault, concurrency, round);
            totals[1] += run(viaJasyncDirect, concurrency, round);
            totals[2] += run(viaEngine, concurrency, round);
        }
        System.out.printf(
                "%d callers, %d rounds of %d s, %d cores%n",
                concurrency, rounds, round.toSeconds(), Runtime.getRuntime().availableProcessors());
        System.out.printf("jasync ConnectionPool, defaults but size 8:  %8.0f queries/s%n", totals[0] / rounds);
        System.out.printf("jasync ConnectionPool, direct executor:      %8.0f queries/s%n", totals[1] / rounds);
        System.out.printf(
                "pgengine pool (size 8):                      %8.0f queries/s (%.1fx jasync default, %.2fx jasync direct)%n",
                totals[2] / rounds, totals[2] / totals[0], totals[2] / totals[1]);
        jasyncDefault.disconnect().get(10, TimeUnit.SECONDS);
        jasyncDirect.disconnect().get(10, TimeUnit.SECONDS);
        engine.close().get(10, TimeUnit.SECONDS);
        System.exit(0);
    }

    private static ConnectionPool<PostgreSQLConnection> jasyncPool(TestPostgres pg, boolean direct) {
        ConnectionPoolConfigurationBuilder b = new ConnectionPoolConfigurationBuilder();
        b.setHost(pg.host());
        b.setPort(pg.port());
        b.setUsername(pg.user());
        b.setPassword(pg.password());
        b.setDatabase(pg.database());
        b.setMaxActiveConnections(8);
        if (direct) {
            b.setExecutionContext(Runnable::run);
        }
        return PostgreSQLConnectionBuilder.createConnectionPool(b);
    }

    /** Closed loop: each caller sends its next query when the previous completes. @return queries per second */
    static double run(IntFunction<CompletableFuture<?>> query, int concurrency, Duration duration) throws Exception {
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + duration.toNanos();
        CompletableFuture<?>[] callers = new CompletableFuture<?>[concurrency];
        for (int c = 0; c < concurrency; c++) {
            CompletableFuture<Void> finished = new CompletableFuture<>();
            callers[c] = finished;
            loop(query, c, end, done, finished);
        }
        long start = System.nanoTime();
        CompletableFuture.allOf(callers).get(duration.toSeconds() + 60, TimeUnit.SECONDS);
        return done.get() / ((System.nanoTime() - start) / 1e9);
    }

    private static void loop(
            IntFunction<CompletableFuture<?>> query,
            int i,
            long end,
            AtomicLong done,
            CompletableFuture<Void> finished) {
        query.apply(i).whenComplete((r, e) -> {
            if (e != null) {
                finished.completeExceptionally(e);
                return;
            }
            done.incrementAndGet();
            if (System.nanoTime() < end) {
                loop(query, i, end, done, finished);
            } else {
                finished.complete(null);
            }
        });
    }
}
