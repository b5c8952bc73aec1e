package io.github.pgengine;

import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * What a subscription of {@link PostgresEngine#listen(String, String...)} delivers, in order: the notifications, and
 * a {@link MissedNotifications} marker exactly where notifications may be missing (after a lost connection, or where
 * the overflow policy dropped some).
 *
 * <pre>{@code
 * if (event instanceof ListenEvent.Notification n) {
 *     handle(n.channel(), n.payload());
 * } else if (event instanceof ListenEvent.MissedNotifications m) {
 *     reloadEverything(); // the gap sits here
 * }
 * }</pre>
 */
public sealed interface ListenEvent permits ListenEvent.Notification, ListenEvent.MissedNotifications {

    /**
     * One notification: a {@code NOTIFY} or {@code pg_notify} on a channel the subscription listens to, delivered
     * when the sending transaction committed.
     *
     * @param channel the channel, as the sender named it
     * @param payload the payload; empty (never null) when the sender gave none or NULL
     * @param processId the server process id of the sending session ({@code pg_backend_pid()} there)
     */
    record Notification(String channel, String payload, int processId) implements ListenEvent {
        /**
         * Checks the components.
         *
         * @param channel the channel
         * @param payload the payload
         * @param processId the sender's process id
         */
        public Notification {
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(payload, "payload");
        }
    }

    /**
     * A gap: notifications sent to the channels may not have been delivered between {@link #since()} and
     * {@link #until()}. It sits in the stream where the gap is: every notification before it was sent before the gap,
     * every one after it after the gap. Treat it as "re-read the state these notifications describe".
     *
     * @param reason why notifications are missing
     * @param since when the gap began: the connection loss was noticed, or the first notification was dropped
     * @param until when it ended: every channel was listened to again (or the engine was closed before that), or the
     *     last notification was dropped
     * @param dropped how many notifications were dropped ({@link Reason#BUFFER_OVERFLOW}); empty for
     *     {@link Reason#CONNECTION_LOST}, where any number may have been sent while nobody listened
     * @param detail a description for logs: the cause of the loss, or the buffer size and policy
     */
    record MissedNotifications(Reason reason, Instant since, Instant until, OptionalLong dropped, String detail)
            implements ListenEvent {
        /**
         * Checks the components.
         *
         * @param reason why notifications are missing
         * @param since when the gap began
         * @param until when it ended
         * @param dropped how many were dropped, when known
         * @param detail a description
         */
        public MissedNotifications {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(since, "since");
            Objects.requireNonNull(until, "until");
            Objects.requireNonNull(dropped, "dropped");
            Objects.requireNonNull(detail, "detail");
        }

        /** Why notifications are missing. */
        public enum Reason {
            /**
             * The dedicated connection was lost (server restart, {@code pg_terminate_backend}, network); it was
             * re-opened and every channel listened to again. Notifications sent in between were not received.
             */
            CONNECTION_LOST,
            /**
             * The subscriber did not request events fast enough, the buffer was full and the overflow policy
             * ({@link ListenOptions.Overflow#DROP_OLDEST} or {@link ListenOptions.Overflow#DROP_NEWEST}) dropped
             * {@link #dropped()} notifications here.
             */
            BUFFER_OVERFLOW
        }
    }
}
