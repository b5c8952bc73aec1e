/**
 * Asynchronous database engines for PostgreSQL and CockroachDB: {@link io.github.pgengine.PostgresEngine},
 * {@link io.github.pgengine.CockroachEngine} and the types they hand out.
 *
 * <p>Threads: every future completes on one of the driver's I/O threads, or on the callback executor set on the
 * builder; callbacks must not block. The engine's own timer thread runs timeouts and housekeeping and never user
 * code: a future completed by one of its events is completed on an I/O thread. A transaction callback (and a
 * retried CockroachDB attempt) runs on the I/O thread of the transaction's connection. See docs/threading.md.
 */
@NullMarked
package io.github.pgengine;

import org.jspecify.annotations.NullMarked;
