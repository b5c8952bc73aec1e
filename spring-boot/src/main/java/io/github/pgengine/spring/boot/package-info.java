/**
 * Spring Boot auto-configuration for pgengine: the engine bean from {@code pgengine.*} properties, started with the
 * application context and closed with it gracefully, plus health, Micrometer metrics and OpenTelemetry tracing when
 * the application has them (docs/spring-boot.md). The public API is {@link PgEngineProperties},
 * {@link PgEngineBuilderCustomizer} and the auto-configuration classes (to exclude one); the rest is package-private.
 */
@NullMarked
package io.github.pgengine.spring.boot;

import org.jspecify.annotations.NullMarked;
