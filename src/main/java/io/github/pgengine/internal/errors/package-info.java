/**
 * From the driver's failures to the public exceptions (SQLSTATE, message, detail): the one mapping every package
 * uses. Below the pool, the listeners and the statement path; it imports only the driver.
 */
@NullMarked
package io.github.pgengine.internal.errors;

import org.jspecify.annotations.NullMarked;
