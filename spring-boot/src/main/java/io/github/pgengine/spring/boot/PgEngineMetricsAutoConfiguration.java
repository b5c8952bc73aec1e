package io.github.pgengine.spring.boot;

import io.github.pgengine.PostgresEngine;
import io.github.pgengine.micrometer.PgEngineMetrics;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;

/**
 * The engine's Micrometer metrics ({@link PgEngineMetrics}, docs/metrics.md) as a {@code MeterBinder} bean, which
 * Spring Boot binds to the application's registry; when the application has Micrometer, a {@code MeterRegistry} and
 * one engine bean. Ordered after Spring Boot's metrics auto-configuration of either line (it moved to
 * {@code org.springframework.boot.micrometer.metrics.autoconfigure} in Spring Boot 4).
 */
@AutoConfiguration(
        after = PgEngineAutoConfiguration.class,
        afterName = {
            "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration",
            "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
            "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"
        })
@ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
@ConditionalOnBean(type = "io.micrometer.core.instrument.MeterRegistry")
@ConditionalOnSingleCandidate(PostgresEngine.class)
public class PgEngineMetricsAutoConfiguration {
    /** Not for use: Spring creates it. */
    public PgEngineMetricsAutoConfiguration() {}

    @Bean
    @ConditionalOnMissingBean
    PgEngineMetrics pgEngineMetrics(PostgresEngine engine) {
        return new PgEngineMetrics(engine);
    }
}
