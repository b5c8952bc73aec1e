package io.github.pgengine.internal.listen;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.ListenEvent;
import io.github.pgengine.ListenEvent.MissedNotifications;
import io.github.pgengine.ListenEvent.MissedNotifications.Reason;
import io.github.pgengine.ListenEvent.Notification;
import io.github.pgengine.ListenOptions.Overflow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The buffer's overflow policies: counts, and gap markers exactly where the gaps are. */
class ListenBufferUnitTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static Notification n(int i) {
        return new Notification("c", String.valueOf(i), 1);
    }

    private static List<String> drain(ListenBuffer b) {
        List<String> out = new ArrayList<>();
        ListenEvent e;
        while ((e = b.poll()) != null) {
            out.add(
                    e instanceof Notification n
                            ? n.payload()
                            : ((MissedNotifications) e).reason() + " "
                                    + ((MissedNotifications) e).dropped().orElse(-1));
        }
        return out;
    }

    @Test
    void failRefusesTheNotificationBeyondTheSizeAndKeepsTheRest() {
        ListenBuffer b = new ListenBuffer(2, Overflow.FAIL);
        assertThat(b.add(n(1), T0)).isTrue();
        assertThat(b.add(n(2), T0)).isTrue();
        assertThat(b.add(n(3), T0)).isFalse();
        assertThat(b.notifications()).isEqualTo(2);
        assertThat(drain(b)).containsExactly("1", "2");
    }

    @Test
    void dropOldestPutsOneMarkerWhereTheDroppedOnesWere() {
        ListenBuffer b = new ListenBuffer(2, Overflow.DROP_OLDEST);
        for (int i = 1; i <= 5; i++) {
            assertThat(b.add(n(i), T0.plusSeconds(i))).isTrue();
        }
        assertThat(b.notifications()).isEqualTo(2);
        ListenEvent first = b.poll();
        assertThat(first).isInstanceOf(MissedNotifications.class);
        MissedNotifications gap = (MissedNotifications) first;
        assertThat(gap.reason()).isEqualTo(Reason.BUFFER_OVERFLOW);
        assertThat(gap.dropped()).hasValue(3);
        assertThat(gap.since()).isEqualTo(T0.plusSeconds(3));
        assertThat(gap.until()).isEqualTo(T0.plusSeconds(5));
        assertThat(drain(b)).containsExactly("4", "5");
    }

    @Test
    void dropOldestKeepsAConnectionLossInFrontOfTheGapItPrecedes() {
        ListenBuffer b = new ListenBuffer(2, Overflow.DROP_OLDEST);
        b.add(n(1), T0);
        b.connectionLost(T0, T0.plusSeconds(1), "lost");
        b.add(n(2), T0);
        b.add(n(3), T0); // drops 1, which was before the loss
        b.add(n(4), T0); // drops 2, which was after it
        assertThat(drain(b)).containsExactly("BUFFER_OVERFLOW 1", "CONNECTION_LOST -1", "BUFFER_OVERFLOW 1", "3", "4");
    }

    @Test
    void dropNewestMarksTheGapAfterTheKeptOnes() {
        ListenBuffer b = new ListenBuffer(2, Overflow.DROP_NEWEST);
        for (int i = 1; i <= 5; i++) {
            b.add(n(i), T0);
        }
        assertThat(b.poll()).isEqualTo(n(1));
        b.add(n(6), T0);
        b.add(n(7), T0);
        assertThat(drain(b)).containsExactly("2", "BUFFER_OVERFLOW 3", "6", "BUFFER_OVERFLOW 1");
    }

    @Test
    void consecutiveConnectionLossesMergeIntoOneGap() {
        ListenBuffer b = new ListenBuffer(10, Overflow.FAIL);
        b.connectionLost(T0, T0.plusSeconds(1), "first");
        b.connectionLost(T0.plusSeconds(2), T0.plusSeconds(3), "second");
        MissedNotifications gap = (MissedNotifications) b.poll();
        assertThat(gap.since()).isEqualTo(T0);
        assertThat(gap.until()).isEqualTo(T0.plusSeconds(3));
        assertThat(gap.detail()).isEqualTo("first");
        assertThat(b.isEmpty()).isTrue();
    }

    /**
     * Whatever arrives and whatever is taken out, in any interleaving: nothing is lost without a count, order is kept,
     * each marker counts exactly the notifications missing at its place, and the notifications held never exceed the
     * size.
     */
    @Property(tries = 300)
    void everyDroppedNotificationIsCountedAtItsPlace(
            @ForAll @IntRange(min = 1, max = 5) int size,
            @ForAll Overflow policy,
            @ForAll @Size(max = 60) List<@IntRange(min = 0, max = 2) Integer> steps) {
        if (policy == Overflow.FAIL) {
            return;
        }
        ListenBuffer b = new ListenBuffer(size, policy);
        List<ListenEvent> out = new ArrayList<>();
        int sent = 0;
        for (int step : steps) {
            if (step == 0) {
                ListenEvent e = b.poll();
                if (e != null) {
                    out.add(e);
                }
            } else {
                b.add(n(++sent), T0);
            }
            assertThat(b.notifications()).isLessThanOrEqualTo(size);
        }
        ListenEvent e;
        while ((e = b.poll()) != null) {
            out.add(e);
        }
        long counted = 0;
        int last = 0;
        for (ListenEvent x : out) {
            if (x instanceof Notification n) {
                assertThat(Integer.parseInt(n.payload()))
                        .as("after %s in %s", last, out)
                        .isEqualTo(last + 1);
                last++;
                counted++;
            } else {
                long dropped = ((MissedNotifications) x).dropped().orElseThrow();
                counted += dropped;
                last += (int) dropped; // the dropped ones are exactly the ones missing here
            }
        }
        assertThat(counted).isEqualTo(sent);
    }
}
