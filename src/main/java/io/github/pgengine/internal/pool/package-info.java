/**
 * The connection pool and the lease: how a connection is borrowed and given back exactly once, and the engine's pool
 * over its life (started, closed, gracefully closed).
 */
@NullMarked
package io.github.pgengine.internal.pool;

import org.jspecify.annotations.NullMarked;
