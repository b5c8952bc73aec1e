package io.github.pgengine.internal.wire;

import io.netty.buffer.ByteBuf;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request and everything the server answers to it, up to and including its ReadyForQuery. The answer is
 * assembled on the connection's event loop; the exchange completes only at ReadyForQuery, so an error the server
 * reports after CommandComplete (a deferred constraint checked at commit) belongs to this request and to no other.
 * Its {@link Completion} is told once, directly: no future stands between the event loop and the connection's own
 * bookkeeping (one future, one completion node and one lambda fewer per statement).
 */
final class Exchange {
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
    private String @Nullable [] names;
    private int @Nullable [] types;
    private @Nullable List<RowData> rows;
    private @Nullable Result last;
    private int completions;
    private @Nullable ServerError error;
    private @Nullable RuntimeException refusal;
    private boolean parseCompleted;
    private boolean copyOut;
    private char statusAfter = 'I';
    private int @Nullable [] parameterTypes;
    /** For a batch: the count of each of the caller's rows, in order; rows returned are skipped. */
    private final long @Nullable [] counts;
    /** For a batch: how many of the caller's rows each statement carries. */
    private final int @Nullable [] rowsPerStatement;
    /** For a batch: the caller's row the next statement to complete starts with. */
    private int nextRow;

    /** For a part of a batch: the batch's row this exchange's first row is (0 for a whole batch). */
    private final int firstRow;
    /** For a batch or a part of one: the rows of the whole batch. */
    private final int batchRows;
    /** For a part of a batch: true (an error after its statement completed came at the step's own commit). */
    private final boolean step;

    private int errorAt = -1;

    /** Statements sent ahead of the request's own (a transaction's BEGIN) whose completions are not yet in. */
    private int prefixLeft;
    /** ParseCompletes of those statements not yet in (0 when the prefix went in a simple Query). */
    private int prefixParsesLeft;
    /** The prefix's text, for an error it causes; null without one. */
    private @Nullable String prefixSql;

    private boolean prefixFailed;
    /** Whether the request's first message is Parse or Bind (extended protocol), whose answer comes before any run. */
    private boolean extendedProtocol;
    /** Whether any answer to this request (other than an error) has arrived. */
    private boolean heard;
    /** Whether the {@link StandbyCheck} is the last of the statements sent ahead. */
    private boolean standbyChecked;

    private boolean standbyCheckFailed;

    Exchange(ByteBuf request) {
        this.request = request;
        this.counts = null;
        this.rowsPerStatement = null;
        this.firstRow = 0;
        this.batchRows = 0;
        this.step = false;
    }

    private Exchange(@Nullable ByteBuf request, int[] rowsPerStatement, int firstRow, int batchRows) {
        this.request = request;
        this.rowsPerStatement = rowsPerStatement;
        this.counts = new long[Arrays.stream(rowsPerStatement).sum()];
        this.firstRow = firstRow;
        this.batchRows = batchRows < 0 ? counts.length : batchRows;
        this.step = batchRows >= 0;
    }

    /**
     * Makes an exchange that runs statements for a batch of rows and keeps only a count per row. A statement that
     * carries one row gives that row its count; one that carries several gives each of them 1 when its count equals
     * its rows, else {@link Result#SUCCESS_NO_INFO} (some rows did nothing, and which is not known).
     *
     * @param request the messages
     * @param rowsPerStatement how many rows each Execute of the request carries
     * @return the exchange
     */
    static Exchange counting(ByteBuf request, int[] rowsPerStatement) {
        return new Exchange(request, rowsPerStatement.clone(), 0, -1);
    }

    /**
     * Makes an exchange for one step of a batch whose steps each end with their own Sync (and so each end at their
     * own ReadyForQuery): it counts like {@link #counting} and names the failing rows by their place in the batch.
     *
     * @param request the messages, or null when an earlier exchange's buffer carries them (then the exchanges must be
     *     queued together, see {@link ProtocolHandler#submitAll})
     * @param rows how many of the caller's rows the step carries
     * @param firstRow the batch's row the step starts with (from 0)
     * @param batchRows the rows of the whole batch
     * @return the exchange
     */
    static Exchange countingStep(@Nullable ByteBuf request, int rows, int firstRow, int batchRows) {
        return new Exchange(request, new int[] {rows}, firstRow, batchRows);
    }

    /**
     * Marks the request as carrying statements ahead of its own (a transaction's BEGIN): their answers are skipped,
     * and an error among them fails the exchange naming them.
     *
     * @param prefix the statements, in order
     * @param parsed whether the request uses the extended protocol (each statement, the prefix's too, sent with Parse
     *     or Bind) rather than a simple Query
     * @return this exchange
     */
    Exchange withPrefix(List<String> prefix, boolean parsed) {
        extendedProtocol = parsed;
        if (!prefix.isEmpty()) {
            prefixLeft = prefix.size();
            prefixParsesLeft = parsed ? prefix.size() : 0;
            prefixSql = String.join("; ", prefix);
        }
        return this;
    }

    /**
     * Marks the request as carrying the {@link StandbyCheck} after its prefix (call after {@link #withPrefix}): its
     * answer is skipped like the prefix's, and an error in it is told apart ({@link #standbyCheckFailed()}).
     *
     * @param parsed whether it was sent with Parse
     * @return this exchange
     */
    Exchange withStandbyCheck(boolean parsed) {
        standbyChecked = true;
        prefixLeft++;
        if (parsed) {
            prefixParsesLeft++;
        }
        return this;
    }

    /** Returns true when the exchange failed because its {@link StandbyCheck} did: nothing after it ran. */
    boolean standbyCheckFailed() {
        return standbyCheckFailed;
    }

    /** Returns true when every statement sent ahead with Parse was parsed (so a prepared standby check exists). */
    boolean sentAheadParsed() {
        return prefixParsesLeft == 0;
    }

    /** Returns the request bytes, once; the caller writes them and so releases them. */
    @Nullable
    ByteBuf takeRequest() {
        ByteBuf r = request;
        request = null;
        return r;
    }

    void parseComplete() {
        if (prefixParsesLeft > 0) {
            prefixParsesLeft--;
        } else {
            parseCompleted = true;
        }
    }

    /** Returns true when the server acknowledged this exchange's Parse (the statement now exists). */
    boolean parseCompleted() {
        return parseCompleted;
    }

    /** Returns the transaction status the server reported at this exchange's ReadyForQuery. */
    char statusAfter() {
        return statusAfter;
    }

    /**
     * Gives the rows' description the server will not send (no Describe was sent: the statement's description is
     * known from an earlier execution).
     *
     * @param columnNames the column names
     * @param columnTypes their type OIDs
     */
    void describedAs(String[] columnNames, int[] columnTypes) {
        names = columnNames;
        types = columnTypes;
        rows = new ArrayList<>();
    }

    void rowDescription(ByteBuf body) {
        if (prefixLeft > 0) {
            return; // a statement sent ahead (the standby check in a simple Query): its rows are not the caller's
        }
        int n = body.readUnsignedShort();
        String[] columnNames = new String[n];
        int[] columnTypes = new int[n];
        for (int i = 0; i < n; i++) {
            columnNames[i] = cstring(body);
            body.skipBytes(6); // table oid, column number
            columnTypes[i] = body.readInt();
            body.skipBytes(8); // type size, type modifier, format
        }
        names = columnNames;
        types = columnTypes;
        rows = new ArrayList<>();
    }

    void dataRow(ByteBuf body) {
        if (counts != null || prefixLeft > 0) {
            return;
        }
        String[] columnNames = names;
        int[] columnTypes = types;
        List<RowData> out = rows;
        if (columnNames == null || columnTypes == null || out == null) {
            throw new ProtocolException("DataRow before RowDescription");
        }
        int n = body.readUnsignedShort();
        if (n != columnTypes.length) {
            throw new ProtocolException("DataRow with " + n + " values for " + columnTypes.length + " columns");
        }
        byte[] copy = new byte[body.readableBytes()];
        body.readBytes(copy);
        out.add(RowData.parse(columnNames, columnTypes, copy));
    }

    void parameterDescription(ByteBuf body) {
        int n = body.readUnsignedShort();
        int[] oids = new int[n];
        for (int i = 0; i < n; i++) {
            oids[i] = body.readInt();
        }
        parameterTypes = oids;
    }

    void commandComplete(ByteBuf body) {
        if (prefixLeft > 0) {
            prefixLeft--;
            body.skipBytes(body.readableBytes());
            return;
        }
        String tag = cstring(body);
        int[] perStatement = rowsPerStatement;
        if (counts != null && perStatement != null) {
            if (completions < perStatement.length) {
                long count = Result.rowsAffected(tag);
                int rows = perStatement[completions];
                if (rows == 1) {
                    counts[nextRow] = count;
                } else {
                    Arrays.fill(counts, nextRow, nextRow + rows, count == rows ? 1 : Result.SUCCESS_NO_INFO);
                }
                nextRow += rows;
            }
            completions++;
            return;
        }
        completions++;
        String[] columnNames = names;
        int[] columnTypes = types;
        List<RowData> out = rows;
        last = columnNames == null || columnTypes == null || out == null
                ? Result.empty(tag)
                : new Result(columnNames, columnTypes, out, tag);
        names = null;
        types = null;
        rows = null;
    }

    void emptyQuery() {
        completions++;
        last = Result.empty("");
    }

    /** Notes that an answer to this request (other than an error) arrived. */
    void heard() {
        heard = true;
    }

    /** Records an ErrorResponse; the first one is the exchange's error, later ones are logged. */
    void error(ServerError e) {
        if (error == null) {
            error = e;
            errorAt = completions;
            prefixFailed = prefixLeft > 0;
            standbyCheckFailed = standbyChecked && prefixLeft == 1;
        } else {
            LOG.debug("a further error in the same exchange: {}", e);
        }
    }

    /** Fails the exchange with a client-side refusal (COPY); the server's own answer is drained first. */
    void refuse(RuntimeException reason) {
        if (refusal == null) {
            refusal = reason;
        }
    }

    void copyOut(boolean on) {
        copyOut = on;
    }

    boolean inCopyOut() {
        return copyOut;
    }

    /** Returns how many statements completed (CommandComplete or EmptyQueryResponse). */
    int completions() {
        return completions;
    }

    /** Completes the exchange at its ReadyForQuery. */
    void finish(char status) {
        statusAfter = status;
        if (refusal != null) {
            fail(refusal);
        } else if (error != null) {
            fail(
                    standbyCheckFailed
                            ? new ServerErrorException(error, "the standby check, sent ahead of the statement", true)
                            : prefixFailed
                                    ? new ServerErrorException(error, prefixSql + ", sent ahead of the statement", true)
                                    : new ServerErrorException(error, batchContext(), false, notRun(error)));
        } else if (counts != null && rowsPerStatement != null) {
            if (completions != rowsPerStatement.length) {
                throw new ProtocolException(
                        "a batch of " + rowsPerStatement.length + " statements completed " + completions + " of them");
            }
            end(Result.countsOf(counts), null);
        } else {
            Result r = last;
            end((r != null ? r : Result.empty("")).withExchange(completions, parameterTypes), null);
        }
    }

    /**
     * Sets who is told of the outcome; call before the exchange is submitted.
     *
     * @param completion told once, on the thread that ends the exchange (the event loop, or a submitter whose
     *     request could not be sent)
     * @return this exchange
     */
    Exchange onCompletion(Completion completion) {
        this.completion = completion;
        return this;
    }

    /**
     * Fails the exchange, unless it has already ended.
     *
     * @param e why
     */
    void fail(Throwable e) {
        end(null, e);
    }

    /** Returns whether the exchange has ended. */
    boolean isDone() {
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

    /** Where in a batch the error happened: the row, or the rows of the multi-row statement; null outside batches. */
    private @Nullable String batchContext() {
        long[] all = counts;
        int[] perStatement = rowsPerStatement;
        if (all == null || perStatement == null) {
            return null;
        }
        boolean atCommit = errorAt >= perStatement.length;
        if (atCommit && !step) {
            return "the end of the batch of " + all.length + " rows";
        }
        int first = firstRow;
        int at = Math.min(errorAt, perStatement.length - 1);
        for (int i = 0; i < at; i++) {
            first += perStatement[i];
        }
        int rows = perStatement[at];
        return (rows == 1
                        ? "row " + (first + 1) + " of " + batchRows + " of the batch"
                        : "rows " + (first + 1) + " to " + (first + rows) + " of " + batchRows
                                + " of the batch, sent as one multi-row INSERT")
                + (atCommit ? ", at its commit" : "");
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
