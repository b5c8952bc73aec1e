package io.github.pgengine;

import io.github.pgengine.testing.TestPostgres;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/**
 * Streams 1,000,000 rows through {@link PostgresEngine#stream} and prints the count and peak heap. Run in a JVM
 * with {@code -Xmx64m} by {@code LowMemoryStreamingTest}; exits non-zero on failure.
 */
public final class StreamMillionRows {
    private StreamMillionRows() {}

    /**
     * Streams the rows and prints what it took.
     *
     * @param args {@code [rows] [fetchSize]}
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int fetchSize = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        PostgresEngine engine = new PostgresEngine(TestPostgres.get().config());
        engine.startConnectionPool(PoolOptions.builder().maxSize(1).build()).get(60, TimeUnit.SECONDS);
        long start = System.nanoTime();
        CompletableFuture<Long> done = new CompletableFuture<>();
        engine.stream(
                        "SELECT g AS id, md5(g::text) AS payload FROM generate_series(1, $1) AS g",
                        List.of(rows),
                        fetchSize)
                .subscribe(new Flow.Subscriber<>() {
                    private Flow.Subscription subscription;
                    private long count;
                    private long sum;

                    @Override
                    public void onSubscribe(Flow.Subscription s) {
                        subscription = s;
                        s.request(fetchSize);
                    }

                    @Override
                    public void onNext(Row row) {
                        count++;
                        sum += row.getInt("id");
                        if (count % fetchSize == 0) {
                            subscription.request(fetchSize);
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onComplete() {
                        done.complete(sum == (long) rows * (rows + 1) / 2 ? count : -count);
                    }
                });
        long count = done.get(10, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.printf(
                "streamed rows=%d in %.1f s (%.0f rows/s), peak heap %.1f MB, max heap %.1f MB%n",
                count,
                seconds,
                count / seconds,
                peak / 1048576.0,
                Runtime.getRuntime().maxMemory() / 1048576.0);
        engine.close().get(30, TimeUnit.SECONDS);
        System.exit(count == rows && engine.poolStats().isIdle() ? 0 : 1);
    }
}
