package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.TestPostgres;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;

/**
 * The Reactive Streams TCK (TestNG, run by the JUnit Platform's TestNG engine) on {@link PostgresEngine#listen},
 * against the test PostgreSQL. LISTEN is an infinite publisher fed by the server, so a publisher of exactly {@code n}
 * elements is staged: each {@link #createFlowPublisher} builds an engine of its own (no pool, an
 * {@code application_name} of its own) and listens to a channel of its own; a feeder waits until a subscriber has
 * made a request (the multicast rules subscribe three subscribers, then request) and every active subscription's
 * {@code LISTEN} has run on the server, sends the {@code n} notifications in one transaction (delivered together, in
 * order, at commit), waits until every subscription has received them, and closes that engine, which completes the
 * subscriptions once the buffered notifications are delivered. A feeder whose publisher nobody listens to in time
 * closes it all the same. The publisher the TCK sees is the engine's own; its signals and the TCK's calls pass
 * through unchanged, watched only for the first request and for {@code MissedNotifications} (there must be none here:
 * a gap would be a failure of the test's staging).
 *
 * <p>The failed publisher listens to a channel name that is not allowed: {@code onSubscribe}, then
 * {@code onError(IllegalArgumentException)}, with no connection opened.
 *
 * <p>No rule is skipped here; the TCK itself skips its seven {@code untested_} rules and
 * {@code required_spec317_mustNotSignalOnErrorWhenPendingAboveLongMaxValue} (it needs {@code Integer.MAX_VALUE}
 * elements, past {@link #maxElementsFromPublisher()}).
 */
public class ListenPublisherTckTest extends FlowPublisherVerification<ListenEvent> {
    /** Long enough for a round trip to the database on a busy machine. */
    private static final long TIMEOUT_MILLIS = 2_000;
    /** How long the TCK waits to be sure that no signal comes. */
    private static final long NO_SIGNALS_MILLIS = 300;
    /** How long a feeder waits for its publisher's LISTEN and then for its notifications to arrive. */
    private static final Duration FEED_DEADLINE = Duration.ofSeconds(5);

    private static final AtomicInteger PUBLISHERS = new AtomicInteger();
    private final TestPostgres pg = TestPostgres.get();
    private final List<CompletableFuture<?>> feeders = new ArrayList<>();
    private final List<ListenEvent> unexpected = new ArrayList<>();
    private final TestEnvironment env;
    private ExecutorService feeding;
    private PostgresEngine sender;

    public ListenPublisherTckTest() {
        this(new TestEnvironment(TIMEOUT_MILLIS, NO_SIGNALS_MILLIS));
    }

    private ListenPublisherTckTest(TestEnvironment env) {
        super(env, TIMEOUT_MILLIS);
        this.env = env;
    }

    @BeforeClass
    public void sender() {
        feeding = Executors.newCachedThreadPool();
        sender = PostgresEngine.builder()
                .config(pg.config())
                .warnWithoutPool(false)
                .build();
    }

    @AfterClass(alwaysRun = true)
    public void everyListenerIsClosed() {
        try {
            synchronized (feeders) {
                feeders.forEach(Await::result);
            }
            Await.until("every listener's connection closed", () -> backends(prefix() + "%") == 0);
            synchronized (unexpected) {
                assertThat(unexpected).as("events other than notifications").isEmpty();
            }
        } finally {
            feeding.shutdown();
            Await.result(sender.close());
        }
    }

    @Override
    public Flow.Publisher<ListenEvent> createFlowPublisher(long elements) {
        String name = prefix() + PUBLISHERS.incrementAndGet();
        Map<String, Object> config = new HashMap<>(pg.config());
        config.put("application_name", name);
        PostgresEngine listener =
                PostgresEngine.builder().config(config).warnWithoutPool(false).build();
        Flow.Publisher<ListenEvent> publisher = listener.listen(
                ListenOptions.builder().bufferSize((int) Math.max(1, elements)).build(), name);
        CountDownLatch requested = new CountDownLatch(1);
        CompletableFuture<?> feeder =
                CompletableFuture.runAsync(() -> feed(listener, name, elements, requested), feeding);
        synchronized (feeders) {
            feeders.add(feeder);
        }
        return subscriber -> publisher.subscribe(subscriber == null ? null : new Watched(subscriber, requested));
    }

    /** The start of every listener's channel name and {@code application_name}. */
    private static String prefix() {
        return "tck_listen_" + ProcessHandle.current().pid() + "_";
    }

    @Override
    public Flow.Publisher<ListenEvent> createFailedFlowPublisher() {
        return sender.listen("no spaces allowed");
    }

    @Override
    public long maxElementsFromPublisher() {
        return 1_000;
    }

    /**
     * Sends {@code n} notifications in one transaction once a subscriber has made a request (the TCK's multicast rules
     * subscribe three, then request) and every subscription listens, waits until each one has received them (or none
     * is left), then closes the listener's engine.
     */
    private void feed(PostgresEngine listener, String channel, long n, CountDownLatch requested) {
        try {
            if (awaitQuietly("a request", () -> requested.getCount() == 0) && listening(listener, channel)) {
                int subscriptions = listener.core().listeners().active();
                if (n > 0) {
                    Await.result(sender.query(
                            "SELECT count(pg_notify($1, g::text)) FROM generate_series(1, $2) g", channel, n));
                }
                awaitQuietly(
                        "the notifications received by every subscription, or none left",
                        () -> listener.core().listeners().notificationsReceived() >= n * subscriptions
                                || listener.core().listeners().active() == 0);
            }
        } finally {
            Await.result(listener.close());
        }
    }

    /**
     * Waits until the publisher has subscribers and every one of them listens: as many backends have run their
     * {@code LISTEN} as subscriptions are active (the TCK's multicast rules subscribe three at once).
     */
    private boolean listening(PostgresEngine listener, String channel) {
        return awaitQuietly("every subscription of " + channel + " listening", () -> {
            int active = listener.core().listeners().active();
            return active > 0
                    && active
                            == pg.admin("SELECT 1 FROM pg_stat_activity WHERE application_name = '" + channel
                                            + "' AND state = 'idle' AND starts_with(query, 'LISTEN')")
                                    .size();
        });
    }

    /** Counts the backends whose {@code application_name} is LIKE the pattern (of the test's own characters). */
    private long backends(String pattern) {
        return pg.admin("SELECT 1 FROM pg_stat_activity WHERE application_name LIKE '" + pattern + "'")
                .size();
    }

    /** Waits with the feeder's deadline; returns false when the condition did not come true in time. */
    private static boolean awaitQuietly(String what, java.util.function.BooleanSupplier condition) {
        try {
            Await.within(FEED_DEADLINE, what, condition, () -> "");
            return true;
        } catch (AssertionError e) {
            return false;
        }
    }

    /**
     * Passes every signal and call through unchanged, on the same thread; notes the first request, and any event that
     * is not a notification.
     */
    private final class Watched implements Flow.Subscriber<ListenEvent> {
        private final Flow.Subscriber<? super ListenEvent> subscriber;
        private final CountDownLatch requested;

        Watched(Flow.Subscriber<? super ListenEvent> subscriber, CountDownLatch requested) {
            this.subscriber = subscriber;
            this.requested = requested;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                    requested.countDown();
                    subscription.request(n);
                }

                @Override
                public void cancel() {
                    subscription.cancel();
                }
            });
        }

        @Override
        public void onNext(ListenEvent event) {
            if (!(event instanceof ListenEvent.Notification)) {
                synchronized (unexpected) {
                    unexpected.add(event);
                }
                env.flop("not a notification: " + event);
            }
            subscriber.onNext(event);
        }

        @Override
        public void onError(Throwable error) {
            subscriber.onError(error);
        }

        @Override
        public void onComplete() {
            subscriber.onComplete();
        }
    }
}
