/**
 * Asynchronous database engines for PostgreSQL and CockroachDB: {@link io.github.pgengine.PostgresEngine},
 * {@link io.github.pgengine.CockroachEngine} and the types they hand out.
 */
@NullMarked
package io.github.pgengine;

import org.jspecify.annotations.NullMarked;
