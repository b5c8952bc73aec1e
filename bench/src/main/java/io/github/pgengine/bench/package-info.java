/** Benchmark programs: pgengine's pool against jasync's, and pgengine against its peers (docs/performance.md). */
@NullMarked
package io.github.pgengine.bench;

import org.jspecify.annotations.NullMarked;
