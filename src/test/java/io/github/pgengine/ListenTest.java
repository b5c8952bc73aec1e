package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.github.pgengine.ListenEvent.MissedNotifications;
import io.github.pgengine.ListenEvent.MissedNotifications.Reason;
import io.github.pgengine.ListenEvent.Notification;
import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.LogCapture;
import io.github.pgengine.testing.Recorder;
import io.github.pgengine.testing.TestPostgres;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * LISTEN/NOTIFY against the test PostgreSQL: notifications from another connection arrive with their channel, payload
 * and sender; demand is honoured and the buffer's overflow policies do what they say; a listener whose backend is
 * terminated comes back, says it may have missed notifications, and receives the next one; cancelling or closing the
 * engine closes the dedicated connection, which never touches the pool.
 */
class ListenTest {
    private static final AtomicInteger CHANNELS = new AtomicInteger();
    private final TestPostgres pg = TestPostgres.get();
    private final List<PostgresEngine> engines = new ArrayList<>();
    private final List<Recorder<ListenEvent>> recorders = new ArrayList<>();
    private PostgresEngine engine;

    @BeforeEach
    void engine() {
        engine = open(pg.config());
        Await.result(engine.startConnectionPool(
                PoolOptions.builder().maxSize(2).minIdle(1).build()));
    }

    @AfterEach
    void close() {
        recorders.forEach(r -> {
            if (!r.isTerminated()) {
                r.cancel();
            }
            assertThat(r.violations()).as("Reactive Streams violations").isEmpty();
        });
        engines.forEach(e -> Await.result(e.close()));
    }

    private PostgresEngine open(Map<String, Object> config) {
        PostgresEngine e = new PostgresEngine(config);
        engines.add(e);
        return e;
    }

    private static String channel() {
        return "listen_test_" + CHANNELS.incrementAndGet();
    }

    private Recorder<ListenEvent> subscribe(java.util.concurrent.Flow.Publisher<ListenEvent> publisher, long request) {
        Recorder<ListenEvent> r = new Recorder<>(request);
        recorders.add(r);
        publisher.subscribe(r);
        return r;
    }

    /** The backends whose LISTEN (the last statement they ran) begins with the first channel, idle. */
    private List<Integer> listeners(String channel) {
        List<Integer> pids = new ArrayList<>();
        for (List<Object> row : pg.admin("SELECT pid FROM pg_stat_activity WHERE starts_with(query, 'LISTEN \""
                + channel + "\"') AND state = 'idle'")) {
            pids.add(((Number) row.get(0)).intValue());
        }
        return pids;
    }

    private int awaitListening(String channel) {
        Await.until("a backend listens to " + channel, () -> listeners(channel).size() == 1);
        return listeners(channel).get(0);
    }

    private void awaitReceived(long total) {
        Await.until(
                total + " notifications received",
                () -> engine.core().listeners().notificationsReceived() >= total);
    }

    private static Notification notification(ListenEvent e) {
        assertThat(e).isInstanceOf(Notification.class);
        return (Notification) e;
    }

    private static List<String> payloads(List<ListenEvent> events) {
        return events.stream()
                .map(e -> e instanceof Notification n
                        ? n.payload()
                        : "missed " + ((MissedNotifications) e).dropped().orElse(-1))
                .toList();
    }

    @Test
    void aNotificationFromAnotherConnectionArrivesWithChannelPayloadAndSender() {
        String channel = channel();
        Recorder<ListenEvent> r = subscribe(engine.listen(channel), Long.MAX_VALUE);
        awaitListening(channel);

        Row sent = Await.result(engine.query("SELECT pg_backend_pid() AS pid, pg_notify($1, $2)", channel, "hello"))
                .get(0);

        Notification n = notification(r.await(1).get(0));
        assertThat(n.channel()).isEqualTo(channel);
        assertThat(n.payload()).isEqualTo("hello");
        assertThat(n.processId()).isEqualTo(sent.getInt("pid"));
    }

    @Test
    void severalChannelsOnOneConnectionAndOnlyThose() {
        String a = channel();
        String b = channel();
        String other = channel();
        Recorder<ListenEvent> r = subscribe(engine.listen(a, b, a), Long.MAX_VALUE);
        awaitListening(a);
        assertThat(pg.admin("SELECT query FROM pg_stat_activity WHERE starts_with(query, 'LISTEN \"" + a + "\"')"))
                .containsExactly(List.of("LISTEN \"" + a + "\"; LISTEN \"" + b + "\""));

        Await.result(engine.notify(b, "1"));
        Await.result(engine.notify(other, "not listened"));
        Await.result(engine.notify(a, "2"));
        Await.result(engine.notify(b, "3"));

        List<ListenEvent> events = r.await(3);
        assertThat(events)
                .extracting(
                        e -> notification(e).channel() + ":" + notification(e).payload())
                .containsExactly(b + ":1", a + ":2", b + ":3");
        assertThat(engine.core().listeners().notificationsReceived()).isEqualTo(3);
    }

    @Test
    void aNullPayloadArrivesEmptyAndTheLongestPayloadPasses() {
        String channel = channel();
        Recorder<ListenEvent> r = subscribe(engine.listen(channel), Long.MAX_VALUE);
        awaitListening(channel);
        String longest = "é".repeat(3999) + "x"; // 7999 bytes

        Await.result(engine.notify(channel, null));
        Await.result(engine.notify(channel, ""));
        Await.result(engine.notify(channel, longest));

        assertThat(payloads(r.await(3))).containsExactly("", "", longest);
    }

    @Test
    void aPayloadOfEightThousandBytesIsRefusedBeforeSending() {
        Throwable error = Await.failure(engine.notify(channel(), "x".repeat(8000)));
        assertThat(error)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("payload must be shorter than 8000 bytes in UTF-8 (was 8000 bytes), PostgreSQL's limit for "
                        + "a notification; send a key and keep the data in a table");
    }

    @Test
    void notificationsWaitForDemand() {
        String channel = channel();
        Recorder<ListenEvent> r = subscribe(engine.listen(channel), 0);
        awaitListening(channel);

        Await.result(engine.query(
                "SELECT pg_notify($1, 'a'), pg_notify($1, 'b'), pg_notify($1, 'c'), pg_notify($1, 'd')", channel));
        awaitReceived(4);
        assertThat(r.items()).isEmpty();

        r.request(1);
        assertThat(payloads(r.await(1))).containsExactly("a");
        assertThat(r.items()).hasSize(1);

        r.request(2);
        assertThat(payloads(r.await(3))).containsExactly("a", "b", "c");
        assertThat(r.items()).hasSize(3);

        r.request(5);
        Await.result(engine.notify(channel, "e"));
        assertThat(payloads(r.await(5))).containsExactly("a", "b", "c", "d", "e");
        // the Recorder notes any onNext beyond demand; close() asserts there was none
    }

    @Test
    void aFullBufferFailsTheSubscriptionByDefaultNamingTheBufferSize() {
        String channel = channel();
        Recorder<ListenEvent> r =
                subscribe(engine.listen(ListenOptions.builder().bufferSize(3).build(), channel), 0);
        awaitListening(channel);

        Await.result(engine.query(
                "SELECT pg_notify($1, '1'), pg_notify($1, '2'), pg_notify($1, '3'), pg_notify($1, '4')", channel));

        Throwable error = r.awaitError();
        assertThat(error)
                .isInstanceOf(ListenOverflowException.class)
                .hasMessageContaining("buffer of 3 notifications")
                .hasMessageContaining("overflow policy is FAIL")
                .hasMessageContaining("the 3 buffered notifications were not delivered");
        assertThat(((ListenOverflowException) error).bufferSize()).isEqualTo(3);
        assertThat(r.items()).isEmpty();
        Await.until(
                "the listener's connection is closed", () -> listeners(channel).isEmpty());
    }

    @Test
    void dropOldestKeepsTheNewestAndMarksTheGapBeforeThem() {
        String channel = channel();
        Recorder<ListenEvent> r = subscribe(
                engine.listen(
                        ListenOptions.builder()
                                .bufferSize(3)
                                .overflow(ListenOptions.Overflow.DROP_OLDEST)
                                .build(),
                        channel),
                0);
        awaitListening(channel);

        Await.result(engine.query(
                "SELECT pg_notify($1, '1'), pg_notify($1, '2'), pg_notify($1, '3'), pg_notify($1, '4'), "
                        + "pg_notify($1, '5')",
                channel));
        awaitReceived(5);
        r.request(Long.MAX_VALUE);

        List<ListenEvent> events = r.await(4);
        assertThat(payloads(events)).containsExactly("missed 2", "3", "4", "5");
        MissedNotifications gap = (MissedNotifications) events.get(0);
        assertThat(gap.reason()).isEqualTo(Reason.BUFFER_OVERFLOW);
        assertThat(gap.since()).isBeforeOrEqualTo(gap.until());
        assertThat(gap.detail()).contains("2 oldest dropped", "DROP_OLDEST", "3 buffered");

        Await.result(engine.notify(channel, "6"));
        assertThat(payloads(r.await(5))).endsWith("6");
    }

    @Test
    void dropNewestKeepsTheOldestAndMarksTheGapAfterThem() {
        String channel = channel();
        Recorder<ListenEvent> r = subscribe(
                engine.listen(
                        ListenOptions.builder()
                                .bufferSize(2)
                                .overflow(ListenOptions.Overflow.DROP_NEWEST)
                                .build(),
                        channel),
                0);
        awaitListening(channel);

        Await.result(engine.query(
                "SELECT pg_notify($1, '1'), pg_notify($1, '2'), pg_notify($1, '3'), pg_notify($1, '4'), "
                        + "pg_notify($1, '5')",
                channel));
        awaitReceived(5);
        r.request(1);
        assertThat(payloads(r.await(1))).containsExactly("1");
        Await.result(engine.notify(channel, "6")); // room for one again: kept, after the gap
        awaitReceived(6);
        r.request(Long.MAX_VALUE);

        assertThat(payloads(r.await(4))).containsExactly("1", "2", "missed 3", "6");
        MissedNotifications gap = (MissedNotifications) r.items().get(2);
        assertThat(gap.reason()).isEqualTo(Reason.BUFFER_OVERFLOW);
        assertThat(gap.detail()).contains("3 newest dropped", "DROP_NEWEST");
    }

    @Test
    void aTerminatedListenerComesBackSaysItMayHaveMissedNotificationsAndReceivesTheNext() {
        String channel = channel();
        Recorder<ListenEvent> r = subscribe(
                engine.listen(
                        ListenOptions.builder()
                                .reconnectInitialDelay(Duration.ofMillis(20))
                                .build(),
                        channel),
                Long.MAX_VALUE);
        int first = awaitListening(channel);
        Await.result(engine.notify(channel, "before"));
        r.await(1);

        assertThat(pg.admin("SELECT pg_terminate_backend(" + first + ")")).containsExactly(List.of(true));

        List<ListenEvent> events = r.await(2);
        MissedNotifications gap = (MissedNotifications) events.get(1);
        assertThat(gap.reason()).isEqualTo(Reason.CONNECTION_LOST);
        assertThat(gap.dropped()).isEmpty();
        assertThat(gap.since()).isBeforeOrEqualTo(gap.until());
        assertThat(gap.detail()).contains("57P01");
        Await.until("a new backend listens", () -> {
            List<Integer> now = listeners(channel);
            return now.size() == 1 && now.get(0) != first;
        });

        Await.result(engine.notify(channel, "after"));
        assertThat(payloads(r.await(3))).containsExactly("before", "missed -1", "after");
        assertThat(notification(r.items().get(2)).channel()).isEqualTo(channel);
        assertThat(engine.poolStats().inUse()).isZero();
    }

    @Test
    void aListenerSurvivesAServerRestartLoggingTheFailedReconnectOnce() {
        if (!pg.canRestart()) {
            System.out.println("[pgengine-test] aListenerSurvivesAServerRestart needs the local cluster; backend is "
                    + pg.source());
            return;
        }
        String channel = channel();
        Recorder<ListenEvent> r;
        try (LogCapture log = LogCapture.of("io.github.pgengine.connection", Level.DEBUG)) {
            r = subscribe(
                    engine.listen(
                            ListenOptions.builder()
                                    .reconnectInitialDelay(Duration.ofMillis(20))
                                    .reconnectMaxDelay(Duration.ofMillis(200))
                                    .build(),
                            channel),
                    Long.MAX_VALUE);
            awaitListening(channel);
            pg.stop();
            try {
                Await.until(
                        "reconnect attempts failed more than once",
                        () -> log.lines().stream()
                                        .filter(l -> l.contains("still cannot be re-opened"))
                                        .count()
                                >= 2);
            } finally {
                pg.start();
            }
            List<ListenEvent> events = r.await(1);
            assertThat(((MissedNotifications) events.get(0)).reason()).isEqualTo(Reason.CONNECTION_LOST);
            assertThat(log.warnings().stream()
                            .filter(l -> l.contains("cannot re-open the listener's connection"))
                            .count())
                    .isEqualTo(1);
        }
        awaitListening(channel);
        Await.until(
                "the pool serves again",
                () -> engine.notify(channel, "back").handle((v, x) -> x == null).join());
        assertThat(payloads(r.await(2))).startsWith("missed -1", "back");
    }

    @Test
    void cancellingClosesTheDedicatedConnectionAndNeverTouchesThePool() {
        String channel = channel();
        PoolStats before = engine.poolStats();
        Recorder<ListenEvent> r = subscribe(engine.listen(channel), Long.MAX_VALUE);
        awaitListening(channel);
        assertThat(engine.poolStats()).isEqualTo(before);
        assertThat(engine.core().listeners().active()).isEqualTo(1);

        r.cancel();

        Await.until(
                "the listener's connection is closed", () -> listeners(channel).isEmpty());
        assertThat(engine.poolStats()).isEqualTo(before);
        assertThat(engine.core().listeners().active()).isZero();
        Await.result(engine.notify(channel, "after cancel"));
        assertThat(r.items()).isEmpty();
        assertThat(r.isTerminated()).isFalse();
    }

    @Test
    void closingTheEngineDeliversWhatIsBufferedThenCompletes() {
        String channel = channel();
        Recorder<ListenEvent> r = subscribe(engine.listen(channel), 0);
        awaitListening(channel);
        Await.result(engine.query("SELECT pg_notify($1, 'x'), pg_notify($1, 'y')", channel));
        awaitReceived(2);

        Await.result(engine.close());

        Await.until(
                "the listener's connection is closed", () -> listeners(channel).isEmpty());
        assertThat(r.isTerminated()).isFalse();
        r.request(Long.MAX_VALUE);
        r.awaitComplete();
        assertThat(payloads(r.items())).containsExactly("x", "y");
    }

    @Test
    void closingTheEngineWhileTheConnectionIsLostReportsTheGapThenCompletes() {
        String channel = channel();
        Recorder<ListenEvent> r;
        try (LogCapture log = LogCapture.of("io.github.pgengine.connection", Level.INFO)) {
            r = subscribe(
                    engine.listen(
                            ListenOptions.builder()
                                    .reconnectInitialDelay(Duration.ofMinutes(10))
                                    .reconnectMaxDelay(Duration.ofMinutes(10))
                                    .build(),
                            channel),
                    Long.MAX_VALUE);
            int pid = awaitListening(channel);
            pg.admin("SELECT pg_terminate_backend(" + pid + ")");
            Await.until(
                    "the loss was noticed",
                    () -> log.messages().stream()
                            .anyMatch(m -> m.contains("the listener of [" + channel + "] lost its connection")));
        }

        Await.result(engine.close());

        r.awaitComplete();
        assertThat(r.items()).hasSize(1);
        MissedNotifications gap = (MissedNotifications) r.items().get(0);
        assertThat(gap.reason()).isEqualTo(Reason.CONNECTION_LOST);
        assertThat(gap.detail()).contains("57P01", "the engine was closed before the connection was back");
    }

    @Test
    void aClosedEngineFailsNewSubscribers() {
        Await.result(engine.close());
        Recorder<ListenEvent> r = subscribe(engine.listen(channel()), 1);
        assertThat(r.awaitError()).isInstanceOf(EngineClosedException.class);
        assertThat(Await.failure(engine.notify(channel(), "x"))).isInstanceOf(EngineClosedException.class);
    }

    @Test
    void aServerThatIsDownFailsTheSubscriberNamingIt() {
        Map<String, Object> config = new HashMap<>(pg.config());
        config.put("port", 1);
        PostgresEngine nowhere = open(config);
        Recorder<ListenEvent> r = subscribe(nowhere.listen(channel()), 1);
        assertThat(r.awaitError()).isInstanceOf(ConnectionException.class).hasMessageContaining(pg.host() + ":1");
    }

    @Test
    void hostileChannelNamesFailCleanlyAndNothingIsSent() {
        Map<String, Object> config = new HashMap<>(pg.config());
        config.put("port", 1); // a subscription that tried to connect would fail with a ConnectionException
        PostgresEngine nowhere = open(config);
        List<String> hostile = List.of(
                "a; DROP TABLE x", "x\"y", "it's", "a".repeat(64), "", "with space", "é", "tab\there", "new\nline");
        for (String name : hostile) {
            Throwable error = subscribe(nowhere.listen(name), 1).awaitError();
            assertThat(error)
                    .as(name)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("channel name may contain only ASCII letters, digits, '_', '-', '.' and "
                            + "':' (1 to 63 characters)");
            assertThat(subscribe(nowhere.listen("fine", name), 1).awaitError())
                    .as(name)
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(Await.failure(nowhere.notify(name, "x"))).as(name).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(subscribe(nowhere.listen(null), 1).awaitError())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("channel name must not be null");
        assertThat(subscribe(nowhere.listen("ok", (String[]) null), 1).awaitError())
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(subscribe(nowhere.listen((ListenOptions) null, "ok"), 1).awaitError())
                .isInstanceOf(NullPointerException.class);
        assertThat(nowhere.core().listeners().active()).isZero();
    }

    @Test
    void aNonPositiveRequestFailsTheSubscriptionAndClosesTheConnection() {
        String channel = channel();
        Recorder<ListenEvent> r = subscribe(engine.listen(channel), 0);
        awaitListening(channel);
        r.request(0);
        assertThat(r.awaitError()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3.9");
        Await.until(
                "the listener's connection is closed", () -> listeners(channel).isEmpty());
    }

    @Test
    void aSubscriberThatThrowsIsCancelled() {
        String channel = channel();
        AtomicInteger calls = new AtomicInteger();
        engine.listen(channel).subscribe(new java.util.concurrent.Flow.Subscriber<>() {
            @Override
            public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
                s.request(10);
            }

            @Override
            public void onNext(ListenEvent item) {
                calls.incrementAndGet();
                throw new IllegalStateException("subscriber bug");
            }

            @Override
            public void onError(Throwable throwable) {}

            @Override
            public void onComplete() {}
        });
        awaitListening(channel);
        Await.result(engine.notify(channel, "boom"));
        Await.until(
                "the listener's connection is closed", () -> listeners(channel).isEmpty());
        assertThat(calls.get()).isEqualTo(1);
    }

    @Test
    void aNotificationInsideATransactionArrivesAtCommitAndNeverAfterRollback() {
        String channel = channel();
        Recorder<ListenEvent> r = subscribe(engine.listen(channel), Long.MAX_VALUE);
        awaitListening(channel);

        Throwable rolledBack =
                Await.failure(engine.transaction(tx -> tx.execute("SELECT pg_notify($1, $2)", channel, "rolled back")
                        .thenCompose(n -> java.util.concurrent.CompletableFuture.<Long>failedFuture(
                                new IllegalStateException("roll back")))));
        assertThat(rolledBack).hasMessage("roll back");
        Await.result(engine.transaction(tx -> tx.execute("SELECT pg_notify($1, $2)", channel, "committed")));

        assertThat(payloads(r.await(1))).containsExactly("committed");
        Await.result(engine.notify(channel, "last"));
        assertThat(payloads(r.await(2))).containsExactly("committed", "last");
    }

    @Test
    void cockroachEngineRefusesListenAndNotifyWithoutSending() {
        Map<String, Object> config = new HashMap<>(pg.config());
        config.put("port", 1);
        CockroachEngine crdb = new CockroachEngine(config);
        engines.add(crdb);

        Throwable listen = subscribe(crdb.listen("orders"), 1).awaitError();
        Throwable notify = Await.failure(crdb.notify("orders", "x"));

        for (Throwable e : List.of(listen, notify)) {
            assertThat(e)
                    .isExactlyInstanceOf(EngineException.class)
                    .hasMessageContaining("CockroachDB does not support LISTEN/NOTIFY")
                    .hasMessageContaining("41522");
        }
    }
}
