package io.github.pgengine.bench;

import io.github.pgengine.PoolOptions;
import io.github.pgengine.PostgresEngine;
import io.github.pgengine.Row;
import io.github.pgengine.testing.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.RowStream;
import io.vertx.sqlclient.Tuple;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Streams 1,000,000 rows through one client's streaming or cursor API and prints rows/s and peak heap. The clock runs
 * from the first request after the client has connected to the last row (and, where the client has one, the end of
 * its transaction): opening and closing the client stay outside, as they are not streaming (pgengine starts a pool
 * and its event loops, pgjdbc opens one socket). Each run is a fresh JVM, so every client streams with a cold JIT.
 */
final class StreamChild {
    /** When the streaming started and ended (System.nanoTime), set by each client. */
    private static long started;

    private static long ended;
    static final String SQL = "SELECT aid, bid, abalance, filler FROM pgbench_accounts WHERE aid <= $1";
    static final int ROWS = 1_000_000;
    static final int FETCH = 1_000;

    /** The rows after which {@link #mark} notes the time. */
    private static final long[] MARKS = {1, 1_000, 10_000, 100_000, 200_000, 500_000, ROWS};

    private static final long[] MARKED = new long[MARKS.length];
    /** The milestone {@link #mark} waits for next (rows arrive in order, one thread at a time). */
    private static int nextMark;

    private StreamChild() {}

    /** Notes when the {@code n}th row arrived, for the milestones of {@link #MARKS}. */
    private static void mark(long n) {
        if (nextMark < MARKS.length && MARKS[nextMark] == n) {
            MARKED[nextMark++] = System.nanoTime();
        }
    }

    /** @return milliseconds from the start to each milestone row, e.g. {@code 1:3.1,1000:9.0,...} */
    private static String milestones() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < MARKS.length; i++) {
            out.append(i == 0 ? "" : ",")
                    .append(MARKS[i])
                    .append(':')
                    .append(String.format(Locale.ROOT, "%.1f", (MARKED[i] - started) / 1e6));
        }
        return out.toString();
    }

    static void main(String client) throws Exception {
        TestPostgres pg = TestPostgres.get();
        long rows = switch (client) {
            case "pgengine" -> pgengine(pg);
            case "pgjdbc" -> pgjdbc(pg);
            case "vertx" -> vertx(pg);
            default -> throw new IllegalArgumentException(client);
        };
        double seconds = (ended - started) / 1e9;
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.printf(
                Locale.ROOT,
                "RESULT rows=%d rowsPerSecond=%.0f peakHeapMB=%.1f millisAtRow=%s%n",
                rows,
                rows / seconds,
                peak / 1048576.0,
                milestones());
        System.exit(rows == ROWS ? 0 : 1);
    }

    private static long pgengine(TestPostgres pg) throws Exception {
        PostgresEngine engine = new PostgresEngine(pg.config());
        engine.startConnectionPool(PoolOptions.builder().maxSize(1).build()).get(60, TimeUnit.SECONDS);
        engine.query("SELECT 1").get(30, TimeUnit.SECONDS); // the pool's connection is open, as pgjdbc's is below
        CompletableFuture<Long> done = new CompletableFuture<>();
        started = System.nanoTime();
        engine.stream(SQL, List.of(ROWS), FETCH).subscribe(new Flow.Subscriber<>() {
            private Flow.Subscription s;
            private long n;

            public void onSubscribe(Flow.Subscription s) {
                this.s = s;
                s.request(FETCH);
            }

            public void onNext(Row row) {
                mark(++n);
                if (n % FETCH == 0) {
                    s.request(FETCH);
                }
                row.getInt("aid");
            }

            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            public void onComplete() {
                ended = System.nanoTime();
                done.complete(n);
            }
        });
        long n = done.get(5, TimeUnit.MINUTES);
        engine.close().get(30, TimeUnit.SECONDS);
        return n;
    }

    private static long pgjdbc(TestPostgres pg) throws Exception {
        try (Connection c = DriverManager.getConnection(
                "jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/" + pg.database(), pg.user(), pg.password())) {
            c.setAutoCommit(false);
            started = System.nanoTime();
            try (PreparedStatement ps = c.prepareStatement(Contestants.q(SQL))) {
                ps.setFetchSize(FETCH);
                ps.setInt(1, ROWS);
                long n = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rs.getInt(1);
                        mark(++n);
                    }
                }
                c.commit();
                ended = System.nanoTime();
                return n;
            }
        }
    }

    private static long vertx(TestPostgres pg) throws Exception {
        Vertx vertx = Vertx.vertx();
        PgConnectOptions options = new PgConnectOptions()
                .setHost(pg.host())
                .setPort(pg.port())
                .setUser(pg.user())
                .setPassword(pg.password())
                .setDatabase(pg.database());
        AtomicLong n = new AtomicLong();
        CompletableFuture<Long> done = new CompletableFuture<>();
        PgConnection.connect(vertx, options)
                .onSuccess(conn -> startedThen(conn)
                        .begin()
                        .onSuccess(tx -> conn.prepare(SQL)
                                .onSuccess(ps -> {
                                    RowStream<io.vertx.sqlclient.Row> stream = ps.createStream(FETCH, Tuple.of(ROWS));
                                    stream.exceptionHandler(done::completeExceptionally);
                                    stream.endHandler(v -> tx.commit().onComplete(x -> {
                                        ended = System.nanoTime();
                                        done.complete(n.get());
                                    }));
                                    stream.handler(row -> {
                                        row.getInteger(0);
                                        mark(n.incrementAndGet());
                                    });
                                })
                                .onFailure(done::completeExceptionally))
                        .onFailure(done::completeExceptionally))
                .onFailure(done::completeExceptionally);
        long rows = done.get(5, TimeUnit.MINUTES);
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        return rows;
    }

    private static PgConnection startedThen(PgConnection conn) {
        started = System.nanoTime();
        return conn;
    }
}
