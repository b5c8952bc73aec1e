package io.github.pgengine;

import java.time.Duration;

/**
 * What {@link PostgresEngine#ping()} found: the server answered.
 *
 * @param engine the engine's name (user@host:port/database unless named)
 * @param serverVersion the server's version text, e.g. {@code 17.2} or {@code CockroachDB CCL v24.1.0 (...)}
 * @param version the version as {@code major.minor}, as {@link PostgresEngine#getVersion()} gives it
 * @param roundTrip from sending the statement to its answer (borrowing a connection not included)
 * @param pool the pool's state after the answer ({@link PoolStats#NO_POOL} when no pool runs)
 */
public record Health(String engine, String serverVersion, double version, Duration roundTrip, PoolStats pool) {}
