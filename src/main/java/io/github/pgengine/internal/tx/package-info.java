/** Transactions and cursors: the transaction runner, the serial step queue of a transaction and its attempts, server-side cursors and their publisher. */
@NullMarked
package io.github.pgengine.internal.tx;

import org.jspecify.annotations.NullMarked;
