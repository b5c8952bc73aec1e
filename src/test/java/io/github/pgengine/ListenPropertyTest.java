package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.ListenEvent.Notification;
import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.Recorder;
import io.github.pgengine.testing.TestPostgres;
import java.util.HashMap;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Generated payloads and channel names against the test PostgreSQL: any text payload arrives unchanged (it travels as
 * a parameter), any allowed channel name can be listened and notified (quoted, case kept), and any other name fails
 * before a connection is tried.
 */
class ListenPropertyTest {
    private static final String CHANNEL = "listen_property";
    private static PostgresEngine live;
    private static PostgresEngine nowhere;
    private static Recorder<ListenEvent> recorder;
    private static int received;

    @BeforeContainer
    static void subscribe() {
        TestPostgres pg = TestPostgres.get();
        live = new PostgresEngine(pg.config());
        Await.result(live.startConnectionPool(PoolOptions.builder().maxSize(2).build()));
        Map<String, Object> config = new HashMap<>(pg.config());
        config.put("port", 1);
        nowhere = new PostgresEngine(config);
        recorder = new Recorder<>(Long.MAX_VALUE);
        live.listen(CHANNEL).subscribe(recorder);
        Await.until(
                "the listener listens",
                () -> !pg.admin("SELECT 1 FROM pg_stat_activity WHERE query = 'LISTEN \"" + CHANNEL
                                + "\"' AND state = 'idle'")
                        .isEmpty());
    }

    @AfterContainer
    static void close() {
        recorder.cancel();
        assertThat(recorder.violations()).isEmpty();
        Await.result(live.close());
        Await.result(nowhere.close());
    }

    @Property(tries = 100)
    void anyTextPayloadArrivesUnchanged(@ForAll("payloads") String payload) {
        Await.result(live.notify(CHANNEL, payload));
        received++;
        Notification n = (Notification) recorder.await(received).get(received - 1);
        assertThat(n.payload()).isEqualTo(payload);
        assertThat(n.channel()).isEqualTo(CHANNEL);
    }

    @Property(tries = 15)
    void anyAllowedChannelNameIsListenedAndNotifiedAsWritten(@ForAll("channels") String channel) {
        Recorder<ListenEvent> r = new Recorder<>(Long.MAX_VALUE);
        live.listen(channel).subscribe(r);
        try {
            String other = channel.toLowerCase(java.util.Locale.ROOT).equals(channel)
                    ? channel.toUpperCase(java.util.Locale.ROOT)
                    : channel.toLowerCase(java.util.Locale.ROOT);
            // notify until the LISTEN is in place; a different-case name is another channel and never arrives
            Await.until("a notification arrives", () -> {
                if (!other.equals(channel)) {
                    Await.result(live.notify(other, "other"));
                }
                Await.result(live.notify(channel, "x"));
                return !r.items().isEmpty();
            });
            assertThat(r.items()).allSatisfy(e -> {
                assertThat(((Notification) e).channel()).isEqualTo(channel);
                assertThat(((Notification) e).payload()).isEqualTo("x");
            });
        } finally {
            r.cancel();
        }
    }

    @Property(tries = 100)
    void anyOtherChannelNameFailsBeforeConnecting(@ForAll("badChannels") String channel) {
        Recorder<ListenEvent> r = new Recorder<>(1);
        nowhere.listen(channel).subscribe(r);
        assertThat(r.awaitError()).isInstanceOf(IllegalArgumentException.class);
        assertThat(Await.failure(nowhere.notify(channel, "x"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Provide
    Arbitrary<String> payloads() {
        Arbitrary<String> text = Arbitraries.strings()
                .withCharRange('\u0001', '\u007f')
                .withCharRange('\u00a0', '\ud7ff')
                .ofMaxLength(300);
        Arbitrary<String> tricky = Arbitraries.of(
                "",
                "'",
                "''",
                "\"",
                "it's; DROP TABLE x; --",
                "$1",
                "$$ dollar $$",
                "back\\slash",
                "\\x00",
                "emoji 😀🎉",
                "ß水🙂",
                "line\nbreak\r\ttab",
                "é".repeat(3999));
        return Arbitraries.oneOf(text, tricky);
    }

    @Provide
    Arbitrary<String> channels() {
        return Arbitraries.strings()
                .withCharRange('a', 'z')
                .withCharRange('A', 'Z')
                .withCharRange('0', '9')
                .withChars('_', '-', '.', ':')
                .ofMinLength(1)
                .ofMaxLength(63);
    }

    @Provide
    Arbitrary<String> badChannels() {
        Arbitrary<String> withBadChar = Arbitraries.strings()
                .withCharRange('a', 'z')
                .ofMaxLength(20)
                .flatMap(s -> Arbitraries.of(' ', '"', '\'', ';', '\\', '\u0000', '\n', 'é', '$', '(', '*', '\u2603')
                        .map(c -> s + c + s));
        Arbitrary<String> tooLong =
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(64).ofMaxLength(200);
        return Arbitraries.oneOf(withBadChar, tooLong, Arbitraries.just(""));
    }
}
