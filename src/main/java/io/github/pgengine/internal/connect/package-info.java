/**
 * Connecting: the libpq configuration (one parameter table, the keyword/URL parser, the service file, .pgpass),
 * the resolved {@code ConnectionSettings}, host lists and target session attributes, and the
 * {@code ConnectionFactory} that opens a session. This is the jasync seam: jasync opens the socket, negotiates TLS
 * and authenticates ({@code DriverInternals}, {@code StartupDelegate}); then the connection is handed to
 * {@code internal.wire}.
 */
@NullMarked
package io.github.pgengine.internal.connect;

import org.jspecify.annotations.NullMarked;
