package io.github.pgengine.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.PostgresEngine;
import io.github.pgengine.Row;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class HealthTest {
    /** A health check's status and details, read through the API of the line under test. */
    record Checked(String status, Map<String, Object> details) {}

    static Checked check(ApplicationContext context) {
        return Fixtures.boot4() ? Boot4.check(context) : Boot3.check(context);
    }

    static final class Boot3 {
        static Checked check(ApplicationContext context) {
            org.springframework.boot.actuate.health.Health h = context.getBean(
                            "pgengineHealthIndicator", org.springframework.boot.actuate.health.HealthIndicator.class)
                    .health();
            return new Checked(h.getStatus().getCode(), h.getDetails());
        }
    }

    static final class Boot4 {
        static Checked check(ApplicationContext context) {
            org.springframework.boot.health.contributor.Health h = context.getBean(
                            "pgengineHealthIndicator", org.springframework.boot.health.contributor.HealthIndicator.class)
                    .health();
            return new Checked(h.getStatus().getCode(), h.getDetails());
        }
    }

    @Test
    void isUpWithTheServerVersionTheRoundTripAndThePool() {
        Fixtures.runner().withPropertyValues("pgengine.name=orders", "pgengine.pool.max-size=4").run(context -> {
            assertThat(context).hasBean("pgengineHealthIndicator");
            Checked h = check(context);
            assertThat(h.status()).isEqualTo("UP");
            assertThat(h.details()).containsEntry("engine", "orders").containsKeys("version", "roundTripMs");
            assertThat((String) h.details().get("version")).matches("\\d+(\\.\\d+)?.*");
            assertThat(h.details().get("pool")).isEqualTo(Map.of("total", 1, "idle", 1, "inUse", 0, "waiting", 0,
                    "maxSize", 4));
        });
    }

    @Test
    void isDownNamingTheCauseWhenTheServerCannotBeReached() {
        Fixtures.runner().withUserConfiguration(Unreachable.class).run(context -> {
            Checked h = check(context);
            assertThat(h.status()).isEqualTo("DOWN");
            assertThat((String) h.details().get("error")).startsWith("io.github.pgengine.ConnectionException");
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class Unreachable {
        @Bean
        PostgresEngine unreachable() {
            return PostgresEngine.builder()
                    .url("postgresql://app@127.0.0.1:" + Fixtures.closedPort() + "/app?sslmode=disable")
                    .build();
        }
    }

    @Test
    void answersDownWithinItsTimeoutWhenThePoolHasNoConnectionFree() {
        Fixtures.runner()
                .withPropertyValues("pgengine.pool.max-size=1", "pgengine.health.timeout=300ms")
                .run(context -> {
                    PostgresEngine engine = context.getBean(PostgresEngine.class);
                    CompletableFuture<List<Row>> busy = engine.query("SELECT pg_sleep(30)");
                    Fixtures.until("the only connection is in use", () -> engine.poolStats().inUse() == 1);

                    long start = System.nanoTime();
                    Checked h = check(context);
                    Duration took = Duration.ofNanos(System.nanoTime() - start);

                    assertThat(h.status()).isEqualTo("DOWN");
                    assertThat(took).isLessThan(Duration.ofSeconds(2));
                    assertThat((String) h.details().get("error")).contains("no answer within PT0.3S");
                    busy.cancel(true);
                    Fixtures.until("the connection is back", () -> engine.poolStats().inUse() == 0);
                    assertThat(engine.poolStats().waiting()).isZero();
                    assertThat(check(context).status()).isEqualTo("UP");
                });
    }

    @Test
    void canBeTurnedOffAsEveryHealthIndicator() {
        Fixtures.runner()
                .withPropertyValues("management.health.pgengine.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("pgengineHealthIndicator"));
    }
}
