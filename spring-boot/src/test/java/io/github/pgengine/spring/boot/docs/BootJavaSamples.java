package io.github.pgengine.spring.boot.docs;

import io.github.pgengine.PostgresEngine;
import io.github.pgengine.spring.boot.PgEngineBuilderCustomizer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.stereotype.Service;

/**
 * The Java samples of docs/spring-boot.md, each between {@code // region name} and {@code // endregion};
 * {@code BootDocsSamplesTest} checks the Markdown against them word for word and runs them.
 */
public final class BootJavaSamples {
    private BootJavaSamples() {}

    // region java-service
    @Service
    public static class BandService {
        private final PostgresEngine engine;

        public BandService(PostgresEngine engine) {   // the auto-configured engine, started
            this.engine = engine;
        }

        public CompletableFuture<List<String>> popular(int min) {
            return engine.query("SELECT name FROM band WHERE popularity > $1 ORDER BY name", min)
                    .thenApply(rows -> rows.stream().map(r -> r.getString("name")).toList());
        }

        public CompletableFuture<Long> vote(String name) {
            return engine.transaction(tx -> tx.execute(
                    "UPDATE band SET popularity = popularity + 1 WHERE name = $1", name));
        }
    }
    // endregion

    @Configuration(proxyBeanMethods = false)
    public static class Customized {
        // region customizer
        @Bean
        PgEngineBuilderCustomizer callbacksOnTheApplicationsExecutor(Executor applicationTaskExecutor) {
            return builder -> builder.callbackExecutor(applicationTaskExecutor);
        }
        // endregion
    }
}
