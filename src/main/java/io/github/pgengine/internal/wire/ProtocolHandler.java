package io.github.pgengine.internal.wire;

import io.github.pgengine.ConnectionException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * pgengine's side of the statement protocol, in place of jasync's decoder once the session is authenticated.
 *
 * <p>Requests ({@link Exchange}s) are written in order and answered in order; each is complete only at its own
 * ReadyForQuery, and everything the server sends before it (rows, tags, errors, deferred-constraint errors after
 * CommandComplete) belongs to it. Notices, notifications and parameter changes may come at any time. Anything the
 * protocol does not allow (a message out of place, an unknown type, a decoding failure of the framing itself, a
 * message over the size limit) ends the connection: every pending request fails with a
 * {@link ConnectionException} and the socket is closed, so nothing can ever be paired with the wrong caller.
 * {@code COPY} is refused without losing the connection (CopyFail for COPY FROM STDIN; COPY TO STDOUT data is
 * drained).
 *
 * <p>Event-loop confined, except {@link #submit(Exchange)} and the volatile state getters.
 */
public final class ProtocolHandler extends ByteToMessageDecoder {
    private static final Logger LOG = LoggerFactory.getLogger("io.github.pgengine.connection");

    private final String where;
    private final int maxMessageSize;
    private final ArrayDeque<Exchange> pending = new ArrayDeque<>();
    private final AsyncMessages async;
    private final Map<String, String> parameters = new ConcurrentHashMap<>();
    private volatile char transactionStatus = 'I';
    private volatile @Nullable RuntimeException broken;
    private volatile @Nullable Consumer<RuntimeException> onEnd;
    private final AtomicBoolean endSignalled = new AtomicBoolean();
    private volatile boolean closing;
    private @Nullable ChannelHandlerContext context;
    /** Whether requests may be written with the void promise: no TLS (see {@link #write}); event-loop confined. */
    private boolean voidWrites;

    private final ChannelFutureListener writeFailed;

    /**
     * @param where the connection's description, for messages
     * @param maxMessageSize the largest message accepted from the server, in bytes
     * @param initialParameters the ParameterStatus values seen during start-up
     */
    public ProtocolHandler(String where, int maxMessageSize, Map<String, String> initialParameters) {
        this.where = where;
        this.maxMessageSize = maxMessageSize;
        this.async = new AsyncMessages(where);
        this.writeFailed = f -> {
            if (!f.isSuccess()) {
                fatal(new ConnectionException("cannot send to " + where + ": " + f.cause(), f.cause()));
            }
        };
        this.parameters.putAll(initialParameters);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.context = ctx;
        this.voidWrites = ctx.pipeline().get(SslHandler.class) == null;
    }

    /** Returns the server's ParameterStatus values, kept current. */
    Map<String, String> parameters() {
        return parameters;
    }

    /** Returns 'I' idle, 'T' in a transaction, 'E' in a failed transaction, as of the last ReadyForQuery. */
    char transactionStatus() {
        return transactionStatus;
    }

    /** Returns why the connection cannot be used any more, or {@code null} while it can. */
    @Nullable
    RuntimeException broken() {
        return broken;
    }

    /** The engine is closing the connection itself: its end is not news. */
    public void closing() {
        closing = true;
    }

    /**
     * The engine ends the session itself (its end is not news, nothing is logged): Terminate is written, requests
     * still pending fail with the reason, and the socket closes. On the event loop the connection counts as ended when
     * this returns.
     *
     * @param reason why, for requests still pending and whoever listens for the end
     */
    void terminate(RuntimeException reason) {
        ChannelHandlerContext ctx = context;
        if (ctx == null) {
            return;
        }
        EventLoop loop = ctx.channel().eventLoop();
        if (!loop.inEventLoop()) {
            loop.execute(() -> terminate(reason));
            return;
        }
        closing = true;
        if (broken == null && ctx.channel().isActive()) {
            ByteBuf terminate = ctx.alloc().buffer(5);
            terminate.writeByte('X');
            terminate.writeInt(4);
            write(ctx, terminate);
        }
        fatal(reason, null, false);
    }

    /** @param listener sees every NoticeResponse (besides the log), on the event loop */
    void onNotice(@Nullable Consumer<ServerError> listener) {
        async.onNotice(listener);
    }

    /** @param listener sees every NotificationResponse, on the event loop (must not throw); without one they are logged at DEBUG */
    void onNotification(@Nullable Consumer<ServerNotification> listener) {
        async.onNotification(listener);
    }

    /**
     * Sets who learns, once, that the connection has ended (closed by either side, or broken); called at once when it
     * already has.
     *
     * @param listener gets the reason, on the event loop (or here); must not throw
     */
    void onEnd(Consumer<RuntimeException> listener) {
        this.onEnd = listener;
        RuntimeException reason = broken;
        if (reason != null) {
            signalEnd(reason);
        }
    }

    private void signalEnd(RuntimeException reason) {
        Consumer<RuntimeException> listener = onEnd;
        if (listener != null && endSignalled.compareAndSet(false, true)) {
            listener.accept(reason);
        }
    }

    /**
     * Queues a request and writes it; callable from any thread. Requests leave in the order they are queued.
     *
     * @param exchange the request
     */
    void submit(Exchange exchange) {
        ChannelHandlerContext ctx = context;
        if (ctx == null) {
            fail(exchange, new NotSentException("connection to " + where + " is not ready", null));
            return;
        }
        EventLoop loop = ctx.channel().eventLoop();
        if (loop.inEventLoop()) {
            start(ctx, exchange);
        } else {
            try {
                loop.execute(() -> start(ctx, exchange));
            } catch (RuntimeException e) {
                fail(exchange, new NotSentException("connection to " + where + " is closed", e));
            }
        }
    }

    /**
     * Queues several requests at once, each ending with its own Sync (so each completes at its own ReadyForQuery),
     * and writes them in order. They are queued in one step on the event loop before any of their bytes leave, so
     * no answer can arrive while a later one is not yet waiting for its own; an exchange without bytes of its own is
     * answered by bytes an earlier one of the list carries.
     *
     * @param exchanges the requests, in the order their answers come
     */
    void submitAll(List<Exchange> exchanges) {
        ChannelHandlerContext ctx = context;
        if (ctx == null) {
            for (Exchange e : exchanges) {
                fail(e, new NotSentException("connection to " + where + " is not ready", null));
            }
            return;
        }
        EventLoop loop = ctx.channel().eventLoop();
        if (loop.inEventLoop()) {
            start(ctx, exchanges);
        } else {
            try {
                loop.execute(() -> start(ctx, exchanges));
            } catch (RuntimeException e) {
                for (Exchange x : exchanges) {
                    fail(x, new NotSentException("connection to " + where + " is closed", e));
                }
            }
        }
    }

    private void start(ChannelHandlerContext ctx, Exchange exchange) {
        RuntimeException reason = broken;
        if (reason != null || !ctx.channel().isActive()) {
            fail(exchange, closed(reason));
            return;
        }
        ByteBuf request = exchange.takeRequest();
        pending.add(exchange);
        if (request != null) {
            write(ctx, request);
        }
    }

    private void start(ChannelHandlerContext ctx, List<Exchange> exchanges) {
        RuntimeException reason = broken;
        if (reason != null || !ctx.channel().isActive()) {
            for (Exchange exchange : exchanges) {
                fail(exchange, closed(reason));
            }
            return;
        }
        List<ByteBuf> requests = new ArrayList<>(1);
        for (Exchange exchange : exchanges) {
            ByteBuf request = exchange.takeRequest();
            if (request != null) {
                requests.add(request);
            }
            pending.add(exchange);
        }
        for (ByteBuf request : requests) {
            write(ctx, request);
        }
    }

    private NotSentException closed(@Nullable RuntimeException reason) {
        return new NotSentException(
                "connection to " + where + " is closed" + (reason != null ? ": " + reason.getMessage() : ""), reason);
    }

    /**
     * Writes and flushes a request; a write that fails ends the connection and fails every pending request with a
     * {@link ConnectionException}. Without TLS the write has no promise of its own: the void promise fires a failure
     * into {@link #exceptionCaught}, and one because the socket is gone also closes the channel
     * ({@link #channelInactive}). With TLS it has one, and a shared listener: the {@link SslHandler} writes the
     * encrypted bytes with promises of its own and passes a failure on only to the promises it was given.
     */
    @SuppressWarnings("FutureReturnValueIgnored") // the void promise: a failure reaches exceptionCaught instead
    private void write(ChannelHandlerContext ctx, ByteBuf request) {
        if (voidWrites) {
            ctx.writeAndFlush(request, ctx.voidPromise());
        } else {
            ctx.writeAndFlush(request).addListener(writeFailed);
        }
    }

    private static void fail(Exchange exchange, RuntimeException e) {
        ByteBuf request = exchange.takeRequest();
        if (request != null) {
            request.release();
        }
        exchange.fail(e);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.readableBytes() >= 5) {
            if (broken != null) {
                in.skipBytes(in.readableBytes());
                return;
            }
            int start = in.readerIndex();
            byte type = in.getByte(start);
            int length = in.getInt(start + 1);
            if (length < 4) {
                fatal(new ConnectionException(
                        "protocol error on " + where + ": message '" + (char) type + "' with length " + length, null));
                continue;
            }
            if (length - 4 > maxMessageSize) {
                fatal(new ConnectionException(
                        "the server sent a message of " + (length - 4) + " bytes to " + where
                                + ", more than the limit of " + maxMessageSize
                                + " bytes (max_message_size); the connection "
                                + "was closed. Fetch large values in parts (substring, or a cursor) or raise max_message_size",
                        null));
                continue;
            }
            if (in.readableBytes() < length + 1) {
                if (in.capacity() < length + 1) {
                    in.ensureWritable(length + 1 - in.readableBytes());
                }
                return;
            }
            int end = start + 1 + length;
            int available = in.writerIndex();
            // the body is read in place: the buffer's readable bytes are narrowed to the message, so a read past
            // its end fails as it would on a slice of it, without a slice per message
            in.setIndex(start + 5, end);
            try {
                dispatch(ctx, (char) type, in);
            } catch (RuntimeException e) {
                fatal(new ConnectionException(
                        "protocol error on " + where + " (message '" + (char) type + "'): " + e, e));
            } finally {
                in.setIndex(end, available);
            }
        }
    }

    /**
     * Hands one message to whoever it concerns.
     *
     * @param body the message's body, from the reader index to the writer index; read during this call, never kept
     */
    private void dispatch(ChannelHandlerContext ctx, char type, ByteBuf body) {
        switch (type) {
            case 'Z' -> {
                char status = (char) body.readByte();
                transactionStatus = status;
                Exchange done = pending.poll();
                if (done == null) {
                    throw new Exchange.ProtocolException("ReadyForQuery with no request waiting");
                }
                done.finish(status);
            }
            case 'T' -> current().rowDescription(body);
            case 'D' -> current().dataRow(body);
            case 'C' -> current().commandComplete(body);
            case 'I' -> current().emptyQuery();
            case '1' -> current().parseComplete();
            case '2', '3', 'n' -> current();
            case 't' -> current().parameterDescription(body);
            case 'E' -> error(AsyncMessages.fields(body));
            case 'N' -> async.notice(body);
            case 'S' -> parameterStatus(Exchange.cstring(body), Exchange.cstring(body));
            case 'A' -> async.notification(body);
            case 'G' -> {
                Exchange e = current();
                e.refuse(new IllegalArgumentException("COPY ... FROM STDIN is not supported by pgengine (the driver "
                        + "cannot stream COPY data); insert many rows with executeBatch, or INSERT ... SELECT FROM "
                        + "unnest($1::int[], $2::text[])"));
                write(ctx, FrontendMessages.copyFail(ctx.alloc(), "pgengine does not support COPY FROM STDIN"));
            }
            case 'H' -> {
                Exchange e = current();
                e.copyOut(true);
                e.refuse(new IllegalArgumentException("COPY ... TO STDOUT is not supported by pgengine (the driver "
                        + "cannot stream COPY data); read the rows with stream() or batch() instead"));
            }
            case 'd', 'c' -> {
                if (!current().inCopyOut()) {
                    throw new Exchange.ProtocolException("COPY data outside COPY");
                }
            }
            case 'W' -> throw new Exchange.ProtocolException("CopyBothResponse: replication is not supported");
            default -> throw new Exchange.ProtocolException("unexpected message type '" + type + "'");
        }
    }

    /** Returns the request an answer belongs to, noting that it was answered. */
    private Exchange current() {
        Exchange e = pending.peek();
        if (e == null) {
            throw new Exchange.ProtocolException("a response with no request waiting");
        }
        e.heard();
        return e;
    }

    private void error(ServerError e) {
        Exchange exchange = pending.peek();
        if (exchange != null) {
            exchange.error(e);
        }
        if (!e.isSessionError()) {
            // FATAL or PANIC: the server ends the session
            if (exchange == null) {
                LOG.warn("{}: the server ended the session: {}", where, e);
            }
            fatal(new ConnectionException("the server ended the session on " + where + ": " + e, null), e);
        } else if (exchange == null) {
            LOG.warn("{}: an error with no request waiting: {}", where, e);
        }
    }

    private void parameterStatus(String name, String value) {
        parameters.put(name, value);
        String problem = null;
        if (name.equals("client_encoding") && !value.equalsIgnoreCase("UTF8")) {
            problem = "client_encoding was changed to " + value + "; pgengine needs UTF8";
        } else if (name.equals("DateStyle") && !value.startsWith("ISO")) {
            problem = "DateStyle was changed to " + value + "; pgengine needs it to begin with ISO";
        }
        if (problem != null) {
            Exchange e = pending.peek();
            if (e != null) {
                e.refuse(new ConnectionException(problem + " (the connection was closed)", null));
            }
            fatal(new ConnectionException(problem, null));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fatal(new ConnectionException("connection to " + where + " failed: " + cause, cause));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ConnectionException reason =
                new ConnectionException("connection to " + where + " was closed by the server or the network", null);
        if (closing || broken != null) {
            fatal(reason, null, false);
        } else {
            LOG.warn("{}{}", reason.getMessage(), pending.isEmpty() ? " while idle" : " while a statement was running");
            fatal(reason, null, false);
        }
    }

    private void fatal(RuntimeException reason) {
        fatal(reason, null, true);
    }

    private void fatal(RuntimeException reason, @Nullable ServerError serverError) {
        fatal(reason, serverError, false);
    }

    /**
     * Ends the connection: every pending request fails (with the server's FATAL error when there is one, so the
     * caller sees its SQLSTATE), and the socket closes.
     */
    private void fatal(RuntimeException reason, @Nullable ServerError serverError, boolean log) {
        boolean first = broken == null;
        if (first) {
            broken = reason;
            if (log && !closing) {
                LOG.warn("{}", reason.getMessage());
            }
        }
        Exchange e;
        while ((e = pending.poll()) != null) {
            if (serverError != null) {
                e.error(serverError);
                e.finish('I');
            } else {
                e.fail(reason);
            }
        }
        ChannelHandlerContext ctx = context;
        if (first && ctx != null) {
            Sockets.close(ctx.channel());
        }
        if (first) {
            signalEnd(reason);
        }
    }
}
