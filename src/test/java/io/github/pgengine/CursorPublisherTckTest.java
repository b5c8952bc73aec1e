package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.TestPostgres;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;

/**
 * The Reactive Streams TCK (TestNG, run by the JUnit Platform's TestNG engine) on {@link PostgresEngine#stream}, against
 * the test PostgreSQL: a publisher of {@code n} elements streams {@code generate_series(1, n)}, with fetch sizes that
 * take turns so the last batch is sometimes short and sometimes exactly full (then an empty FETCH ends it); the failed
 * publisher queries a relation that does not exist. After the TCK, every connection is back in the pool: no test,
 * cancelling ones included, leaks a cursor.
 *
 * <p>No rule is skipped here; the TCK itself skips its seven {@code untested_} rules and
 * {@code required_spec317_mustNotSignalOnErrorWhenPendingAboveLongMaxValue} (it needs {@code Integer.MAX_VALUE}
 * elements, past {@link #maxElementsFromPublisher()}).
 */
public class CursorPublisherTckTest extends FlowPublisherVerification<Row> {
    /** Long enough for a round trip to the database on a busy machine. */
    private static final long TIMEOUT_MILLIS = 2_000;
    /** How long the TCK waits to be sure that no signal comes. */
    private static final long NO_SIGNALS_MILLIS = 300;
    /** 1: a FETCH per row; 3: batches end inside and at the edge of the TCK's 3, 5 and 10 elements; 1,000: one batch. */
    private static final int[] FETCH_SIZES = {3, 1, 2, 5, 1_000};

    private final AtomicInteger publishers = new AtomicInteger();
    private PostgresEngine engine;

    public CursorPublisherTckTest() {
        super(new TestEnvironment(TIMEOUT_MILLIS, NO_SIGNALS_MILLIS), TIMEOUT_MILLIS);
    }

    @BeforeClass
    public void engine() {
        engine = new PostgresEngine(TestPostgres.get().config());
        Await.result(engine.startConnectionPool(PoolOptions.builder().maxSize(8).build()));
    }

    @AfterClass(alwaysRun = true)
    public void everyConnectionIsBack() {
        try {
            Await.until(
                    "every cursor's connection back in the pool",
                    () -> engine.poolStats().inUse() == 0,
                    () -> engine.poolStats().toString());
            assertThat(engine.poolStats().waiting()).isZero();
        } finally {
            Await.result(engine.close());
        }
    }

    @Override
    public Flow.Publisher<Row> createFlowPublisher(long elements) {
        int fetchSize = FETCH_SIZES[publishers.getAndIncrement() % FETCH_SIZES.length];
        return engine.stream("SELECT g FROM generate_series(1, $1) g", List.of(elements), fetchSize);
    }

    @Override
    public Flow.Publisher<Row> createFailedFlowPublisher() {
        return engine.stream("SELECT * FROM tck_no_such_relation", List.of(), 3);
    }

    @Override
    public long maxElementsFromPublisher() {
        return 1_000;
    }
}
