package io.github.pgengine.spring.boot;

import io.github.pgengine.PostgresEngine;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The health indicator {@code pgengine} (bean {@code pgengineHealthIndicator}): the engine's {@code ping()}, bounded by
 * {@code pgengine.health.timeout}, with the server version, the round trip and the pool's counters as details. The
 * indicator's interface moved in Spring Boot 4 (from spring-boot-actuator's
 * {@code org.springframework.boot.actuate.health} to spring-boot-health's
 * {@code org.springframework.boot.health.contributor}), so one nested configuration serves each line, each guarded by
 * its own classes. {@code management.health.pgengine.enabled=false} turns it off.
 */
@AutoConfiguration(after = PgEngineAutoConfiguration.class)
@ConditionalOnSingleCandidate(PostgresEngine.class)
@EnableConfigurationProperties(PgEngineProperties.class)
public class PgEngineHealthAutoConfiguration {
    /** Not for use: Spring creates it. */
    public PgEngineHealthAutoConfiguration() {}

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(
            name = {
                "org.springframework.boot.actuate.health.HealthIndicator",
                "org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator"
            })
    @org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator("pgengine")
    static class Boot3 {
        @Bean
        @ConditionalOnMissingBean(name = "pgengineHealthIndicator")
        org.springframework.boot.actuate.health.HealthIndicator pgengineHealthIndicator(
                PostgresEngine engine, PgEngineProperties properties) {
            return new Boot3HealthIndicator(
                    new PingCheck(engine, properties.getHealth().getTimeout()));
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(
            name = {
                "org.springframework.boot.health.contributor.HealthIndicator",
                "org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator"
            })
    @org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator("pgengine")
    static class Boot4 {
        @Bean
        @ConditionalOnMissingBean(name = "pgengineHealthIndicator")
        org.springframework.boot.health.contributor.HealthIndicator pgengineHealthIndicator(
                PostgresEngine engine, PgEngineProperties properties) {
            return new Boot4HealthIndicator(
                    new PingCheck(engine, properties.getHealth().getTimeout()));
        }
    }
}
