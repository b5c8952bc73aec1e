package io.github.pgengine.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.testing.Await;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The statement-timeout watchdog fails only the statement whose deadline passed: one that got its answer meanwhile
 * (and was followed by another on the same connection) is left alone, and the next one is watched in its turn.
 */
class WatchdogUnitTest {
    @Test
    void aStatementThatHadItsAnswerMeanwhileIsNotFailedAndTheNextIsWatched() {
        AtomicReference<Object> running = new AtomicReference<>("A");
        List<Object> told = new CopyOnWriteArrayList<>();
        List<Object> failed = new CopyOnWriteArrayList<>();
        Watchdog watchdog = new Watchdog(1, running::get, (statement, e) -> {
            told.add(statement);
            if (statement.equals("A")) {
                running.set("B"); // A's answer came as its deadline passed, and B started at once
                return false;
            }
            failed.add(statement);
            assertThat(e).isInstanceOf(TimeoutException.class).hasMessageStartingWith("no answer within");
            return true;
        });
        watchdog.started();
        Await.until("B timed out", () -> failed.contains("B"));
        assertThat(told).containsExactly("A", "B");
        assertThat(failed).containsExactly("B");
    }

    @Test
    void nothingExpiresWhileNoStatementRuns() throws Exception {
        AtomicReference<Object> running = new AtomicReference<>();
        List<Object> told = new CopyOnWriteArrayList<>();
        Watchdog watchdog = new Watchdog(1, running::get, (statement, e) -> told.add(statement));
        watchdog.started();
        // the timer finds no statement and disarms; a statement started later re-arms it and is told
        running.set("C");
        watchdog.started();
        Await.until("C timed out", () -> told.contains("C"));
        assertThat(told).containsExactly("C");
    }
}
