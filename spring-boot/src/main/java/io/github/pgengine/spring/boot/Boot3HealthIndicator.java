package io.github.pgengine.spring.boot;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/** The {@code pgengine} health indicator on Spring Boot 3 (spring-boot-actuator's API). */
final class Boot3HealthIndicator implements HealthIndicator {
    private final PingCheck check;

    Boot3HealthIndicator(PingCheck check) {
        this.check = check;
    }

    @Override
    public Health health() {
        PingCheck.Outcome o = check.check();
        Health.Builder b = o.up() ? Health.up() : Health.down();
        if (o.error() != null) {
            b.withException(o.error());
        }
        return b.withDetails(o.details()).build();
    }
}
