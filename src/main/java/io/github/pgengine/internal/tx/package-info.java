/**
 * Transactions and cursors: the transaction runner (the top-level template with CockroachDB retries), savepoint
 * scopes (the sub-transaction template), the serial step queue of a transaction and its attempts, server-side
 * cursors and their publisher. Both templates call the caller's work through one helper.
 */
@NullMarked
package io.github.pgengine.internal.tx;

import org.jspecify.annotations.NullMarked;
