package io.github.pgengine.spring.boot;

import io.github.pgengine.opentelemetry.PgEngineTracing;
import io.opentelemetry.api.OpenTelemetry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * OpenTelemetry spans for the auto-configured engine ({@link PgEngineTracing}, docs/tracing.md) when the application
 * has an {@code OpenTelemetry} bean: the tracing bean is an {@code EngineObserver}, which the engine's auto-configuration
 * attaches. Ordered after Spring Boot's OpenTelemetry auto-configuration of either line.
 */
@AutoConfiguration(
        before = PgEngineAutoConfiguration.class,
        afterName = {
            "org.springframework.boot.actuate.autoconfigure.opentelemetry.OpenTelemetryAutoConfiguration",
            "org.springframework.boot.opentelemetry.autoconfigure.OpenTelemetrySdkAutoConfiguration"
        })
@ConditionalOnClass(name = "io.opentelemetry.api.OpenTelemetry")
@ConditionalOnBean(type = "io.opentelemetry.api.OpenTelemetry")
@EnableConfigurationProperties(PgEngineProperties.class)
public class PgEngineTracingAutoConfiguration {
    /** Not for use: Spring creates it. */
    public PgEngineTracingAutoConfiguration() {}

    @Bean
    @ConditionalOnMissingBean
    PgEngineTracing pgEngineTracing(OpenTelemetry openTelemetry, PgEngineProperties properties) {
        return PgEngineTracing.builder(openTelemetry)
                .recordErrorMessages(properties.getTracing().isRecordErrorMessages())
                .build();
    }
}
