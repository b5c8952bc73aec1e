package io.github.pgengine.spring.boot;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** The {@code pgengine} health indicator on Spring Boot 4 (spring-boot-health's API). */
final class Boot4HealthIndicator implements HealthIndicator {
    private final PingCheck check;

    Boot4HealthIndicator(PingCheck check) {
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
