/**
 * Micrometer metrics for pgengine: {@link io.github.pgengine.micrometer.PgEngineMetrics}, a {@code MeterBinder}.
 * Needs {@code io.micrometer:micrometer-core} on the class path (an optional dependency of pgengine). See
 * docs/metrics.md.
 */
@NullMarked
package io.github.pgengine.micrometer;

import org.jspecify.annotations.NullMarked;
