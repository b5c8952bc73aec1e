/**
 * A CockroachDB emulation for tests: a PostgreSQL wire-protocol proxy that passes everything through to a real
 * PostgreSQL except what CockroachDB answers differently (see shared/reference/cockroachdb-behaviour.md).
 */
@NullMarked
package io.github.pgengine.testing.crdb;

import org.jspecify.annotations.NullMarked;
