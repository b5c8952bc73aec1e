package io.github.pgengine.spring.boot;

import static io.github.pgengine.spring.boot.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.PostgresEngine;
import io.github.pgengine.micrometer.PgEngineMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.FilteredClassLoader;

class MetricsTest {
    @Test
    void theBinderIsBoundToTheApplicationsRegistry() {
        Fixtures.runner()
                .withConfiguration(Fixtures.metrics())
                .withPropertyValues("pgengine.name=orders", "pgengine.pool.max-size=5")
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(PgEngineMetrics.class);
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    PostgresEngine engine = context.getBean(PostgresEngine.class);
                    await(engine.query("SELECT 1"));
                    assertThat(registry.get("pgengine.connections.max")
                                    .tag("engine", "orders")
                                    .gauge()
                                    .value())
                            .isEqualTo(5.0);
                    assertThat(registry.get("pgengine.statements")
                                    .tag("operation", "select")
                                    .tag("outcome", "success")
                                    .timer()
                                    .count())
                            .isGreaterThanOrEqualTo(1);
                });
    }

    @Test
    void noBinderWithoutARegistry() {
        Fixtures.runner().run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(PostgresEngine.class);
            assertThat(context).doesNotHaveBean(PgEngineMetrics.class);
        });
    }

    @Test
    void noBinderAndNoFailureWithoutMicrometer() {
        Fixtures.runner()
                .withClassLoader(new FilteredClassLoader("io.micrometer"))
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(PostgresEngine.class);
                    assertThat(context.getBeanNamesForType(PgEngineMetrics.class)).isEmpty();
                });
    }
}
