/** The connection pool and the lease: how a connection is borrowed and given back exactly once. */
@NullMarked
package io.github.pgengine.internal.pool;

import org.jspecify.annotations.NullMarked;
