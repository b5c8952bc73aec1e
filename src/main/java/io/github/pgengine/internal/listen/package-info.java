/** LISTEN/NOTIFY subscriptions: a dedicated connection per subscriber, its buffer and its reconnects. */
@NullMarked
package io.github.pgengine.internal.listen;

import org.jspecify.annotations.NullMarked;
