/**
 * A real PostgreSQL for tests, from the artifact {@code io.github.pgengine:pgengine-testing}: {@link
 * io.github.pgengine.testing.TestPostgres} (one throwaway server per JVM: embedded binaries from Maven, Testcontainers
 * when Docker runs, or a server of your own), {@link io.github.pgengine.testing.PostgresExtension} (JUnit 5), {@link
 * io.github.pgengine.testing.ReplicatedPostgres} (a primary and a hot standby), {@link
 * io.github.pgengine.testing.Await} (waiting with deadlines) and {@link io.github.pgengine.testing.DocSamples}
 * (documentation samples checked word for word against compiled regions). The project's own tests add their helpers
 * (log capture, fault proxies) to the same package.
 */
@NullMarked
package io.github.pgengine.testing;

import org.jspecify.annotations.NullMarked;
