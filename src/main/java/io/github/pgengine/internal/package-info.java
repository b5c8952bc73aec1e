/** Implementation of pgengine; nothing here is public API and it may change at any time. */
@NullMarked
package io.github.pgengine.internal;

import org.jspecify.annotations.NullMarked;
