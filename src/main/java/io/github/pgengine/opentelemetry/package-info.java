/**
 * OpenTelemetry tracing for pgengine: {@link io.github.pgengine.opentelemetry.PgEngineTracing}. Needs
 * {@code io.opentelemetry:opentelemetry-api} on the class path (an optional dependency of pgengine). See
 * docs/tracing.md.
 */
@NullMarked
package io.github.pgengine.opentelemetry;

import org.jspecify.annotations.NullMarked;
