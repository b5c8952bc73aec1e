package io.github.pgengine.internal.listen;

import io.github.pgengine.ListenEvent;
import io.github.pgengine.ListenEvent.MissedNotifications;
import io.github.pgengine.ListenEvent.MissedNotifications.Reason;
import io.github.pgengine.ListenEvent.Notification;
import io.github.pgengine.ListenOptions;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * The events a subscriber has not requested yet, in order, holding at most {@code bufferSize} notifications, with
 * the overflow policy applied and gap markers where the gaps are. A marker never follows another of the same reason
 * (they merge), so the markers are bounded by the notifications.
 *
 * <p>Not thread-safe: its subscription guards it.
 */
final class ListenBuffer {
    private final ArrayDeque<ListenEvent> events = new ArrayDeque<>();
    private final int capacity;
    private final ListenOptions.Overflow policy;
    private int notifications;

    /**
     * @param capacity the most notifications held
     * @param policy what a notification arriving at a full buffer does
     */
    ListenBuffer(int capacity, ListenOptions.Overflow policy) {
        this.capacity = capacity;
        this.policy = policy;
    }

    /**
     * Adds a notification, applying the overflow policy when the buffer is full.
     *
     * @param n the notification
     * @param now the time, for the gap marker
     * @return false when the buffer was full and the policy is {@code FAIL}: nothing was added
     */
    boolean add(Notification n, Instant now) {
        if (notifications < capacity) {
            events.add(n);
            notifications++;
            return true;
        }
        switch (policy) {
            case FAIL -> {
                return false;
            }
            case DROP_NEWEST -> {
                MissedNotifications last = events.peekLast() instanceof MissedNotifications m ? m : null;
                if (last != null && last.reason() == Reason.BUFFER_OVERFLOW) {
                    events.pollLast();
                }
                events.add(dropped(last, now));
            }
            case DROP_OLDEST -> {
                // markers before the oldest notification stay in front of it; the gap is where it was
                ArrayDeque<ListenEvent> leading = new ArrayDeque<>();
                while (events.peekFirst() instanceof MissedNotifications m) {
                    events.pollFirst();
                    leading.add(m);
                }
                events.pollFirst();
                MissedNotifications previous = leading.peekLast() instanceof MissedNotifications m ? m : null;
                if (previous != null && previous.reason() == Reason.BUFFER_OVERFLOW) {
                    leading.pollLast();
                }
                leading.add(dropped(previous, now));
                for (var it = leading.descendingIterator(); it.hasNext(); ) {
                    events.addFirst(it.next());
                }
                events.add(n);
            }
        }
        return true;
    }

    /** Returns an overflow marker counting one more drop, continuing {@code previous} when it is one. */
    private MissedNotifications dropped(@Nullable MissedNotifications previous, Instant now) {
        long count = 1;
        Instant since = now;
        if (previous != null && previous.reason() == Reason.BUFFER_OVERFLOW) {
            count = previous.dropped().orElse(0) + 1;
            since = previous.since();
        }
        String detail = "the subscriber had not requested the " + capacity + " buffered notifications (bufferSize); "
                + count + (policy == ListenOptions.Overflow.DROP_OLDEST ? " oldest" : " newest")
                + " dropped (overflow policy " + policy + ")";
        return new MissedNotifications(Reason.BUFFER_OVERFLOW, since, now, OptionalLong.of(count), detail);
    }

    /**
     * Marks a lost connection at the end; it merges into a lost-connection marker already at the end.
     *
     * @param since when the loss was noticed
     * @param until when every channel was listened to again
     * @param detail the cause
     */
    void connectionLost(Instant since, Instant until, String detail) {
        if (events.peekLast() instanceof MissedNotifications m && m.reason() == Reason.CONNECTION_LOST) {
            events.pollLast();
            since = m.since();
            detail = m.detail();
        }
        events.add(new MissedNotifications(Reason.CONNECTION_LOST, since, until, OptionalLong.empty(), detail));
    }

    /** Returns the next event, or null when there is none. */
    @Nullable
    ListenEvent poll() {
        ListenEvent e = events.poll();
        if (e instanceof Notification) {
            notifications--;
        }
        return e;
    }

    boolean isEmpty() {
        return events.isEmpty();
    }

    /** Returns how many notifications are held. */
    int notifications() {
        return notifications;
    }

    void clear() {
        events.clear();
        notifications = 0;
    }
}
