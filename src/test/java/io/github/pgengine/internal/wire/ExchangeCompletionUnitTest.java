package io.github.pgengine.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.github.pgengine.testing.LogCapture;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * An exchange tells its completion of the outcome exactly once, as the future it replaced did: the first ending wins,
 * whichever thread ends it, and a completion that throws is logged instead of reaching the event loop.
 */
class ExchangeCompletionUnitTest {

    /** Records every call it gets. */
    private static final class Calls implements Exchange.Completion {
        final List<Object> outcomes = new ArrayList<>();

        @Override
        public synchronized void completed(@Nullable Result result, @Nullable Throwable error) {
            outcomes.add(error != null ? error : String.valueOf(result));
        }

        synchronized List<Object> outcomes() {
            return List.copyOf(outcomes);
        }
    }

    private static Exchange exchange(Calls calls) {
        return new StatementExchange(Unpooled.buffer()).onCompletion(calls);
    }

    @Test
    void aFinishedExchangeIgnoresALaterFailure() {
        Calls calls = new Calls();
        Exchange e = exchange(calls);
        assertThat(e.isDone()).isFalse();

        e.finish('I');
        e.fail(new IllegalStateException("too late"));

        assertThat(e.isDone()).isTrue();
        assertThat(calls.outcomes()).hasSize(1);
        assertThat(calls.outcomes().get(0)).isInstanceOf(String.class);
    }

    @Test
    void theFirstFailureWins() {
        Calls calls = new Calls();
        Exchange e = exchange(calls);
        IllegalStateException first = new IllegalStateException("first");

        e.fail(first);
        e.fail(new IllegalStateException("second"));
        e.finish('I');

        assertThat(calls.outcomes()).containsExactly(first);
    }

    @RepeatedTest(20)
    void racingEndingsTellTheCompletionOnce() throws InterruptedException {
        int exchanges = 500;
        List<Calls> all = new ArrayList<>();
        List<Exchange> list = new ArrayList<>();
        for (int i = 0; i < exchanges; i++) {
            Calls c = new Calls();
            all.add(c);
            list.add(exchange(c));
        }
        CountDownLatch start = new CountDownLatch(1);
        Thread finisher = new Thread(() -> {
            awaitQuietly(start);
            list.forEach(x -> x.finish('I'));
        });
        Thread failer = new Thread(() -> {
            awaitQuietly(start);
            list.forEach(x -> x.fail(new IllegalStateException("closed")));
        });
        finisher.start();
        failer.start();
        start.countDown();
        finisher.join(TimeUnit.SECONDS.toMillis(30));
        failer.join(TimeUnit.SECONDS.toMillis(30));

        assertThat(finisher.isAlive() || failer.isAlive()).isFalse();
        assertThat(all).allSatisfy(c -> assertThat(c.outcomes()).hasSize(1));
    }

    @Test
    void aCompletionThatThrowsIsLoggedAndDoesNotReachTheCaller() {
        Exchange e = new StatementExchange(Unpooled.buffer()).onCompletion((r, x) -> {
            throw new IllegalStateException("bookkeeping broke");
        });
        try (LogCapture logs = LogCapture.of("io.github.pgengine.internal.wire.Exchange", Level.ERROR)) {
            e.finish('I');

            assertThat(logs.lines())
                    .singleElement()
                    .asString()
                    .startsWith("ERROR ")
                    .contains("an exchange's completion failed");
        }
        assertThat(e.isDone()).isTrue();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
