/**
 * Running one statement or batch on a lent connection: sending it, cancelling it on the server, sending again what
 * provably never ran, logging and observing it. Transactions (internal.tx) and the engine's core build on it.
 */
@NullMarked
package io.github.pgengine.internal.exec;

import org.jspecify.annotations.NullMarked;
