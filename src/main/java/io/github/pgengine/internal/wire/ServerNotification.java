package io.github.pgengine.internal.wire;

/**
 * One NotificationResponse: a {@code NOTIFY} (or {@code pg_notify}) on a channel this session listens to.
 *
 * @param processId the server process id of the session that sent it
 * @param channel the channel's name, as the server spells it
 * @param payload the payload; empty when none was given
 */
public record ServerNotification(int processId, String channel, String payload) {}
