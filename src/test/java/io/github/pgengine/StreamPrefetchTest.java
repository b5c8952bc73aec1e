package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.Recorder;
import io.github.pgengine.testing.TcpForwarder;
import io.github.pgengine.testing.TestPostgres;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link PostgresEngine#stream} reads one batch ahead of the subscriber and no further, ends at a short batch
 * without another FETCH, and still closes its cursor and gives its connection back on cancel and on error.
 */
class StreamPrefetchTest {
    private static TestPostgres pg;
    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeAll
    static void database() {
        pg = TestPostgres.get();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable r : resources) {
            r.close();
        }
    }

    private PostgresEngine engine(Map<String, Object> config) {
        PostgresEngine e = new PostgresEngine(config);
        resources.add(() -> Await.result(e.close()));
        Await.result(e.startConnectionPool(PoolOptions.builder().maxSize(1).build()));
        return e;
    }

    private PostgresEngine engine() {
        return engine(pg.config());
    }

    /** Counts the rows the engine's cursors have fetched. */
    private static AtomicLong fetchedRows(PostgresEngine e) {
        AtomicLong fetched = new AtomicLong();
        e.addObserver(new EngineObserver() {
            @Override
            public void cursorRows(int rows) {
                fetched.addAndGet(rows);
            }
        });
        return fetched;
    }

    /** True while the cursor's transaction waits for its next FETCH (none is running). */
    private static boolean cursorIdle() {
        return !pg.admin("SELECT 1 FROM pg_stat_activity WHERE state = 'idle in transaction' AND query LIKE 'FETCH%'")
                .isEmpty();
    }

    @Test
    void readsOneBatchAheadOfTheSubscriberAndNoFurther() {
        PostgresEngine e = engine();
        AtomicLong fetched = fetchedRows(e);
        Recorder<Row> r = new Recorder<>(5);
        e.stream("SELECT g FROM generate_series(1, 100) g", List.of(), 10).subscribe(r);

        r.await(5);
        // the first batch is being delivered, the second read ahead; the third waits for the first to be used up
        Await.until(
                "the second batch read ahead", () -> fetched.get() >= 20 && cursorIdle(), () -> "fetched " + fetched);
        assertThat(cursorIdle()).isTrue();
        assertThat(fetched).hasValue(20);
        assertThat(r.items()).hasSize(5);

        r.request(10); // uses up the first batch and half the second: the third is read ahead
        r.await(15);
        Await.until(
                "the third batch read ahead", () -> fetched.get() >= 30 && cursorIdle(), () -> "fetched " + fetched);
        assertThat(cursorIdle()).isTrue();
        assertThat(fetched).hasValue(30);

        r.request(Long.MAX_VALUE);
        r.awaitComplete();
        assertThat(r.items())
                .extracting(row -> row.getInt("g"))
                .hasSize(100)
                .startsWith(1, 2, 3)
                .endsWith(100);
        assertThat(r.violations()).isEmpty();
        Await.until("the connection back", () -> e.poolStats().isIdle());
    }

    @Test
    void endsAtAShortBatchWithoutAnotherFetch() throws Exception {
        TcpForwarder f = TcpForwarder.start("127.0.0.1", 0, "127.0.0.1", pg.port());
        resources.add(f);
        Map<String, Object> config = new HashMap<>(pg.config());
        config.put("host", "127.0.0.1");
        config.put("port", f.port());
        PostgresEngine e = engine(config);

        long shortLast = roundTrips(f, e, 25); // FETCH 10, 10, 5: the 5 ends it
        long exact = roundTrips(f, e, 20); // FETCH 10, 10, then an empty one to learn the rows ran out
        assertThat(shortLast).isEqualTo(5); // BEGIN with DECLARE, three FETCHes, ROLLBACK
        assertThat(exact).isEqualTo(shortLast);
        assertThat(roundTrips(f, e, 0)).isEqualTo(3); // DECLARE, one empty FETCH, ROLLBACK
    }

    private static long roundTrips(TcpForwarder f, PostgresEngine e, int rows) {
        long before = f.roundTrips();
        Recorder<Row> r = new Recorder<>(Long.MAX_VALUE);
        e.stream("SELECT g FROM generate_series(1, $1) g", List.of(rows), 10).subscribe(r);
        r.awaitComplete();
        assertThat(r.items()).hasSize(rows);
        Await.until("the connection back", () -> e.poolStats().isIdle());
        return f.roundTrips() - before;
    }

    @Test
    void cancellingMidStreamClosesTheCursorAndGivesTheConnectionBack() {
        PostgresEngine e = engine();
        Recorder<Row> r = new Recorder<>(150);
        e.stream("SELECT g FROM generate_series(1, 1000000) g", List.of(), 100).subscribe(r);
        r.await(150);
        r.cancel();

        Await.until("the connection back", () -> e.poolStats().isIdle());
        // the pool's one connection is the cursor's: its transaction is over and the cursor gone with it
        assertThat(Await.result(e.query("SELECT count(*) AS n FROM pg_cursors WHERE name = 'pgengine_cursor'"))
                        .get(0)
                        .getLong("n"))
                .isZero();
        assertThat(r.isTerminated()).isFalse();
        assertThat(r.violations()).isEmpty();
        assertThat(r.items()).hasSize(150);
    }

    @Test
    void anErrorInTheBatchReadAheadComesOnceAfterTheRowsBeforeIt() {
        PostgresEngine e = engine();
        Recorder<Row> r = new Recorder<>(15);
        e.stream("SELECT 1 / (g - 25) AS q FROM generate_series(1, 100) g", List.of(), 10)
                .subscribe(r);
        r.await(15);
        // the third FETCH (rows 21 to 30) fails while five rows of the second batch wait for demand
        Await.until(
                "the failed FETCH has given the connection back",
                () -> e.poolStats().isIdle());
        assertThat(r.isTerminated()).isFalse();

        r.request(100);
        Throwable error = r.awaitError();
        assertThat(error).isInstanceOf(EngineException.class);
        assertThat(((EngineException) error).sqlState()).isEqualTo("22012"); // division_by_zero
        assertThat(r.items()).hasSize(20);

        r.request(10);
        r.cancel();
        assertThat(Await.result(e.query("SELECT 1 AS one")).get(0).getInt("one"))
                .isEqualTo(1);
        assertThat(r.violations()).isEmpty();
        assertThat(r.items()).hasSize(20);
    }
}
