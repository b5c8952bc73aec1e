package io.github.pgengine.spring.boot;

import io.github.pgengine.PostgresEngine;

/**
 * Changes the builder of the auto-configured engine after the {@code pgengine.*} properties are applied and before
 * the engine is built: for what properties cannot say, such as a callback executor or extra nodes. Every bean of this
 * type is called, in {@code @Order}. For {@code pgengine.type=cockroach} the builder is a
 * {@code CockroachEngine.Builder}.
 *
 * <pre>{@code
 * @Bean
 * PgEngineBuilderCustomizer callbacksOnMyExecutor(Executor appExecutor) {
 *     return builder -> builder.callbackExecutor(appExecutor);
 * }
 * }</pre>
 */
@FunctionalInterface
public interface PgEngineBuilderCustomizer {
    /**
     * Changes the builder.
     *
     * @param builder the engine's builder, properties applied
     */
    void customize(PostgresEngine.Builder builder);
}
