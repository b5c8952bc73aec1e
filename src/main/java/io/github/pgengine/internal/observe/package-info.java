/**
 * What the engine tells about its work: the observers of the public API (metrics, tracing) and the query and response
 * log.
 */
@NullMarked
package io.github.pgengine.internal.observe;

import org.jspecify.annotations.NullMarked;
