/**
 * Running one statement or batch on a lent connection: the executor that checks it and chooses where its connection
 * comes from, the runner that sends it, cancels it on the server, sends again what provably never ran, logs and
 * observes it, and the completion of callers' futures. Transactions (internal.tx) and the engine's core build on it.
 */
@NullMarked
package io.github.pgengine.internal.exec;

import org.jspecify.annotations.NullMarked;
