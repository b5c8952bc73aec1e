/** Test support: a real PostgreSQL for every test run, log capture, and waiting with deadlines. */
@NullMarked
package io.github.pgengine.testing;

import org.jspecify.annotations.NullMarked;
