package io.github.pgengine.internal.wire;

import io.netty.buffer.ByteBuf;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request and everything the server answers to it, up to and including its ReadyForQuery. The answer is
 * assembled on the connection's event loop; the exchange completes only at ReadyForQuery, so an error the server
 * reports after CommandComplete (a deferred constraint checked at commit) belongs to this request and to no other.
 * Its {@link Completion} is told once, directly: no future stands between the event loop and the connection's own
 * bookkeeping (one future, one completion node and one lambda fewer per statement).
 *
 * <p>This class pairs the answers with the request and ends it; what a request keeps of them depends on its kind: a
 * {@link StatementExchange} keeps its last statement's rows, a {@link BatchExchange} a count per row of a batch, a
 * {@link BatchStepExchange} the counts of one step of a batch whose steps commit one by one. Statements the request
 * carries ahead of its own ({@link SentAhead}) take the leading answers before the kind sees any.
 */
abstract sealed class Exchange permits StatementExchange, BatchExchange {
    private static final Logger LOG = LoggerFactory.getLogger(Exchange.class);
    private static final VarHandle DONE;

    static {
        try {
            DONE = MethodHandles.lookup().findVarHandle(Exchange.class, "done", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Told of an exchange's outcome, once. */
    @FunctionalInterface
    interface Completion {
        /**
         * The exchange ended.
         *
         * @param result its result, null when it failed
         * @param error why it failed, null when it succeeded
         */
        void completed(@Nullable Result result, @Nullable Throwable error);
    }

    private @Nullable Completion completion;
    /** 1 once the exchange has ended (set by compare-and-set: the first ending wins, as a future's would). */
    @SuppressWarnings("UnusedVariable") // read and written through DONE
    private volatile int done;

    private @Nullable ByteBuf request;
    /** The statements sent ahead of the request's own, or null without any. */
    private final @Nullable SentAhead ahead;
    /** Whether the request's first message is Parse or Bind (extended protocol), whose answer comes before any run. */
    private final boolean extendedProtocol;

    private int completions;
    private @Nullable ServerError error;
    private int errorAt = -1;
    private @Nullable RuntimeException refusal;
    private boolean copyOut;
    private char statusAfter = 'I';
    /** Whether any answer to this request (other than an error) has arrived. */
    private boolean heard;

    /**
     * @param request the messages, or null when an earlier exchange's buffer carries them (then the exchanges must be
     *     queued together, see {@link ProtocolHandler#submitAll})
     * @param extendedProtocol whether the request begins with Parse or Bind rather than a simple Query
     * @param ahead the statements sent ahead of the request's own, or null
     */
    Exchange(@Nullable ByteBuf request, boolean extendedProtocol, @Nullable SentAhead ahead) {
        this.request = request;
        this.extendedProtocol = extendedProtocol;
        this.ahead = ahead;
    }

    /** Returns true when the exchange failed because its {@link StandbyCheck} did: nothing after it ran. */
    final boolean standbyCheckFailed() {
        return ahead != null && ahead.standbyCheckFailed();
    }

    /** Returns true when every statement sent ahead with Parse was parsed (so a prepared standby check exists). */
    final boolean sentAheadParsed() {
        return ahead == null || ahead.allParsed();
    }

    /** Returns the request bytes, once; the caller writes them and so releases them. */
    @Nullable
    final ByteBuf takeRequest() {
        ByteBuf r = request;
        request = null;
        return r;
    }

    /** Returns the transaction status the server reported at this exchange's ReadyForQuery. */
    final char statusAfter() {
        return statusAfter;
    }

    final void parseComplete() {
        if (ahead == null || !ahead.parsed()) {
            parsed();
        }
    }

    final void rowDescription(ByteBuf body) {
        // rows of a statement sent ahead (the standby check in a simple Query) are not the caller's
        if (ahead == null || !ahead.running()) {
            describe(body);
        }
    }

    final void dataRow(ByteBuf body) {
        if (ahead == null || !ahead.running()) {
            row(body);
        }
    }

    final void commandComplete(ByteBuf body) {
        if (ahead != null && ahead.completed()) {
            return;
        }
        completed(cstring(body), completions++);
    }

    final void emptyQuery() {
        completions++;
        completedEmpty();
    }

    /** The server acknowledged the request's own Parse. */
    void parsed() {}

    /** A RowDescription of the request's own statements. */
    void describe(ByteBuf body) {}

    /** A DataRow of the request's own statements. */
    void row(ByteBuf body) {}

    /** A ParameterDescription (the answer to a Describe of a statement). */
    void parameterDescription(ByteBuf body) {}

    /**
     * One of the request's own statements completed.
     *
     * @param tag its command tag
     * @param index how many of them completed before it
     */
    abstract void completed(String tag, int index);

    /** One of the request's own statements was empty (EmptyQueryResponse). */
    void completedEmpty() {}

    /** Returns the result at a ReadyForQuery without error; may throw {@link ProtocolException}. */
    abstract Result result(int completedStatements);

    /**
     * Returns where in the request the error happened, for its message, or null.
     *
     * @param statementsBefore how many of the request's own statements had completed when it came
     */
    @Nullable
    String errorContext(int statementsBefore) {
        return null;
    }

    /** Notes that an answer to this request (other than an error) arrived. */
    final void heard() {
        heard = true;
    }

    /** Records an ErrorResponse; the first one is the exchange's error, later ones are logged. */
    final void error(ServerError e) {
        if (error == null) {
            error = e;
            errorAt = completions;
            if (ahead != null) {
                ahead.errorArrived();
            }
        } else {
            LOG.debug("a further error in the same exchange: {}", e);
        }
    }

    /** Fails the exchange with a client-side refusal (COPY); the server's own answer is drained first. */
    final void refuse(RuntimeException reason) {
        if (refusal == null) {
            refusal = reason;
        }
    }

    final void copyOut(boolean on) {
        copyOut = on;
    }

    final boolean inCopyOut() {
        return copyOut;
    }

    /** Completes the exchange at its ReadyForQuery. */
    final void finish(char status) {
        statusAfter = status;
        ServerError e = error;
        if (refusal != null) {
            fail(refusal);
        } else if (e != null) {
            ServerErrorException ofAhead = ahead != null ? ahead.failure(e) : null;
            fail(ofAhead != null ? ofAhead : new ServerErrorException(e, errorContext(errorAt), false, notRun(e)));
        } else {
            end(result(completions), null);
        }
    }

    /**
     * Sets who is told of the outcome; call before the exchange is submitted.
     *
     * @param completion told once, on the thread that ends the exchange (the event loop, or a submitter whose
     *     request could not be sent)
     * @return this exchange
     */
    final Exchange onCompletion(Completion completion) {
        this.completion = completion;
        return this;
    }

    /**
     * Fails the exchange, unless it has already ended.
     *
     * @param e why
     */
    final void fail(Throwable e) {
        end(null, e);
    }

    /** Returns whether the exchange has ended. */
    final boolean isDone() {
        return done != 0;
    }

    private void end(@Nullable Result result, @Nullable Throwable e) {
        if (!DONE.compareAndSet(this, 0, 1)) {
            return;
        }
        Completion c = completion;
        if (c == null) {
            return;
        }
        try {
            c.completed(result, e);
        } catch (RuntimeException thrown) {
            LOG.error("an exchange's completion failed; its caller may not hear of the outcome", thrown);
        }
    }

    /**
     * Whether the server provably did not run the request: it ended the session (FATAL) before answering any of its
     * messages, and the request began with Parse or Bind, whose answer the server sends before running anything
     * (a terminated idle session, {@code idle_session_timeout}: the request reached a backend that was already going).
     */
    private boolean notRun(ServerError e) {
        return extendedProtocol && !heard && !e.isSessionError();
    }

    static String cstring(ByteBuf body) {
        int length = body.bytesBefore((byte) 0);
        if (length < 0) {
            throw new ProtocolException("unterminated string in a message");
        }
        String s = body.toString(body.readerIndex(), length, StandardCharsets.UTF_8);
        body.skipBytes(length + 1);
        return s;
    }

    /** The server sent something the protocol does not allow here: the connection cannot be trusted any more. */
    static final class ProtocolException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ProtocolException(String message) {
            super(message);
        }
    }
}
