package io.github.pgengine.internal.wire;

/**
 * What the factory found when it kept a session of a multi-host or {@code target_session_attrs} engine.
 *
 * @param standby the server was in recovery
 * @param generation the factory's count of role changes seen when the session was kept: a session kept before the
 *     latest change is replaced
 */
public record SessionRole(boolean standby, long generation) {}
