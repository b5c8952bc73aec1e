/**
 * The driver seam: the only package that talks to jasync and Netty. jasync opens the socket, negotiates TLS and
 * authenticates; from the first ReadyForQuery on, pgengine speaks the statement protocol itself
 * ({@link io.github.pgengine.internal.driver.ProtocolHandler}), so every answer is paired with its request by
 * ReadyForQuery and nothing of jasync's statement handling is used.
 */
@NullMarked
package io.github.pgengine.internal.driver;

import org.jspecify.annotations.NullMarked;
