package io.github.pgengine.spring.boot;

import io.github.pgengine.CockroachEngine;
import io.github.pgengine.EngineObserver;
import io.github.pgengine.PostgresEngine;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The engine bean, {@code pgEngine}: a {@link PostgresEngine}, or a {@link CockroachEngine} with
 * {@code pgengine.type=cockroach}, built from the {@code pgengine.*} properties and every
 * {@link PgEngineBuilderCustomizer}, with every {@link EngineObserver} bean attached (pgengine's tracing is one). It is
 * started when it is created (the pool's first connections and one statement: an application whose database cannot be
 * reached fails to start) and closed gracefully when the context stops. An engine bean of the application's own
 * replaces it, and then the application starts and closes its engine itself.
 */
@AutoConfiguration
@EnableConfigurationProperties(PgEngineProperties.class)
public class PgEngineAutoConfiguration {
    /**
     * The phase of the engine's lifecycle: below the web server's graceful shutdown and stop (Spring Boot's
     * {@code SmartLifecycle.DEFAULT_PHASE - 1024} and {@code - 2048}), so the engine closes after requests have
     * drained. A lifecycle bean that needs the engine while it stops should have a higher phase.
     */
    public static final int LIFECYCLE_PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    /** Not for use: Spring creates it. */
    public PgEngineAutoConfiguration() {}

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean(PostgresEngine.class)
    @ConditionalOnProperty(prefix = "pgengine", name = "type", havingValue = "postgres", matchIfMissing = true)
    static class Postgres {
        @Bean(destroyMethod = "close")
        PostgresEngine pgEngine(
                PgEngineProperties properties,
                ObjectProvider<PgEngineBuilderCustomizer> customizers,
                ObjectProvider<EngineObserver> observers) {
            return create(properties, customizers, observers);
        }

        @Bean
        EngineLifecycle pgEngineLifecycle(PostgresEngine pgEngine, PgEngineProperties properties) {
            return new EngineLifecycle(pgEngine, properties.getShutdownTimeout());
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean(PostgresEngine.class)
    @ConditionalOnProperty(prefix = "pgengine", name = "type", havingValue = "cockroach")
    static class Cockroach {
        @Bean(destroyMethod = "close")
        CockroachEngine pgEngine(
                PgEngineProperties properties,
                ObjectProvider<PgEngineBuilderCustomizer> customizers,
                ObjectProvider<EngineObserver> observers) {
            return (CockroachEngine) create(properties, customizers, observers);
        }

        @Bean
        EngineLifecycle pgEngineLifecycle(PostgresEngine pgEngine, PgEngineProperties properties) {
            return new EngineLifecycle(pgEngine, properties.getShutdownTimeout());
        }
    }

    /**
     * Builds and starts the engine. Its bean's destroy method is {@code close()} too: the lifecycle has closed it
     * already on an orderly shutdown (then it does nothing), and it closes it when the context fails to start after
     * the engine was created.
     */
    static PostgresEngine create(
            PgEngineProperties properties,
            ObjectProvider<PgEngineBuilderCustomizer> customizers,
            ObjectProvider<EngineObserver> observers) {
        EngineSettings settings = new EngineSettings(properties);
        PostgresEngine.Builder builder = settings.builder();
        if (!properties.getPool().isEnabled()) {
            builder.warnWithoutPool(false); // pgengine.pool.enabled=false says it is meant
        }
        customizers.orderedStream().forEach(c -> c.customize(builder));
        PostgresEngine engine = builder.build();
        observers.orderedStream().forEach(o -> {
            engine.addObserver(o);
            engine.extraNodes().values().forEach(node -> node.addObserver(o));
        });
        EngineStartup.start(
                engine,
                properties.isPrepareDatabase(),
                properties.getPool().isEnabled() ? settings.poolOptions() : null,
                properties.getStartupTimeout());
        return engine;
    }
}
