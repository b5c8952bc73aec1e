package io.github.pgengine.spring.boot;

import io.github.pgengine.Health;
import io.github.pgengine.PoolStats;
import io.github.pgengine.PostgresEngine;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * One health check: the engine's {@code ping()} with a bound. Spring Boot's health indicators are synchronous, so
 * the check waits for the answer, at most the timeout; then the ping is cancelled (the statement too, and its
 * connection goes back) and the check reports DOWN. Shared by the Spring Boot 3 and 4 indicators.
 */
final class PingCheck {
    private final PostgresEngine engine;
    private final Duration timeout;

    /** What the check found: up or down, the details, and the failure. */
    record Outcome(boolean up, Map<String, Object> details, @Nullable Throwable error) {}

    PingCheck(PostgresEngine engine, Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("pgengine.health.timeout must be positive (was " + timeout + ")");
        }
        this.engine = engine;
        this.timeout = timeout;
    }

    Outcome check() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("engine", engine.name());
        CompletableFuture<Health> ping = engine.ping();
        try {
            Health h = ping.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            details.put("version", h.serverVersion());
            details.put("roundTripMs", Math.round(h.roundTrip().toNanos() / 1_000.0) / 1_000.0);
            details.put("pool", pool(h.pool()));
            return new Outcome(true, details, null);
        } catch (TimeoutException e) {
            ping.cancel(true);
            details.put("pool", pool(engine.poolStats()));
            return new Outcome(
                    false, details, new TimeoutException("no answer within " + timeout + " (pgengine.health.timeout)"));
        } catch (ExecutionException e) {
            details.put("pool", pool(engine.poolStats()));
            return new Outcome(false, details, e.getCause() != null ? e.getCause() : e);
        } catch (InterruptedException e) {
            ping.cancel(true);
            Thread.currentThread().interrupt();
            return new Outcome(false, details, e);
        }
    }

    private static Map<String, Object> pool(PoolStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("total", s.total());
        m.put("idle", s.idle());
        m.put("inUse", s.inUse());
        m.put("waiting", s.waiting());
        m.put("maxSize", s.maxSize());
        return m;
    }
}
