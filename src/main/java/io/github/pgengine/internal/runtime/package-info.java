/**
 * The engine's runtime, below every other internal package: the shared timer and callback executors, and the rule for
 * reacting to a completion ({@link io.github.pgengine.internal.runtime.Completions#whenDone}). It imports nothing of
 * the engine.
 */
@NullMarked
package io.github.pgengine.internal.runtime;

import org.jspecify.annotations.NullMarked;
