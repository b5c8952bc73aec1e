/**
 * The wire: pgengine's own side of the PostgreSQL statement protocol. From the first ReadyForQuery on, a
 * {@link io.github.pgengine.internal.wire.DbConnection} sends frontend messages and its
 * {@link io.github.pgengine.internal.wire.ProtocolHandler} reads the answers, pairing each request ({@code Exchange})
 * with its ReadyForQuery; nothing of jasync's statement handling is used. Cancelling (CancelRequest, or
 * {@code pg_cancel_backend} beside a pipeline) lives here too. Values are encoded and decoded by
 * {@code internal.codec}; connections are opened by {@code internal.connect}.
 */
@NullMarked
package io.github.pgengine.internal.wire;

import org.jspecify.annotations.NullMarked;
