package io.github.pgengine.internal.driver;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request and everything the server answers to it, up to and including its ReadyForQuery. The answer is
 * assembled on the connection's event loop; the future completes only at ReadyForQuery, so an error the server
 * reports after CommandComplete (a deferred constraint checked at commit) belongs to this request and to no other.
 */
final class Exchange {
    private static final Logger LOG = LoggerFactory.getLogger(Exchange.class);

    final CompletableFuture<Result> future = new CompletableFuture<>();
    private @Nullable ByteBuf request;
    private String @Nullable [] names;
    private int @Nullable [] types;
    private @Nullable List<@Nullable Object[]> rows;
    private @Nullable Result last;
    private int completions;
    private @Nullable ServerError error;
    private @Nullable RuntimeException refusal;
    private boolean parseCompleted;
    private boolean copyOut;
    private char statusAfter = 'I';
    private int @Nullable [] parameterTypes;
    /** For a batch: the row count of each completed statement, in order; rows returned are skipped. */
    private final long @Nullable [] counts;

    private int errorAt = -1;

    Exchange(ByteBuf request) {
        this.request = request;
        this.counts = null;
    }

    private Exchange(ByteBuf request, int statements) {
        this.request = request;
        this.counts = new long[statements];
    }

    /**
     * Makes an exchange that runs one statement many times and keeps only their row counts.
     *
     * @param request the messages
     * @param statements how many Executes the request holds
     * @return the exchange
     */
    static Exchange counting(ByteBuf request, int statements) {
        return new Exchange(request, statements);
    }

    /** Returns the request bytes, once; the caller writes them and so releases them. */
    @Nullable
    ByteBuf takeRequest() {
        ByteBuf r = request;
        request = null;
        return r;
    }

    void parseComplete() {
        parseCompleted = true;
    }

    /** Returns true when the server acknowledged this exchange's Parse (the statement now exists). */
    boolean parseCompleted() {
        return parseCompleted;
    }

    /** Returns the transaction status the server reported at this exchange's ReadyForQuery. */
    char statusAfter() {
        return statusAfter;
    }

    void rowDescription(ByteBuf body) {
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
        if (counts != null) {
            return;
        }
        int[] columnTypes = types;
        List<@Nullable Object[]> out = rows;
        if (columnTypes == null || out == null) {
            throw new ProtocolException("DataRow before RowDescription");
        }
        int n = body.readUnsignedShort();
        if (n != columnTypes.length) {
            throw new ProtocolException("DataRow with " + n + " values for " + columnTypes.length + " columns");
        }
        Object[] row = new Object[n];
        for (int i = 0; i < n; i++) {
            int length = body.readInt();
            if (length >= 0) {
                int at = body.readerIndex();
                row[i] = decode(columnTypes[i], body, at, length);
                body.skipBytes(length);
            }
        }
        out.add(row);
    }

    private static Object decode(int type, ByteBuf body, int at, int length) {
        try {
            return TextDecoders.decode(type, body, at, length);
        } catch (RuntimeException e) {
            LOG.debug("cannot decode a value of type {}; returning its text: {}", type, e.toString());
            return body.toString(at, length, StandardCharsets.UTF_8);
        }
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
        String tag = cstring(body);
        if (counts != null) {
            if (completions < counts.length) {
                counts[completions] = Result.rowsAffected(tag);
            }
            completions++;
            return;
        }
        completions++;
        String[] columnNames = names;
        int[] columnTypes = types;
        List<@Nullable Object[]> out = rows;
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

    /** Records an ErrorResponse; the first one is the exchange's error, later ones are logged. */
    void error(ServerError e) {
        if (error == null) {
            error = e;
            errorAt = completions;
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
            future.completeExceptionally(refusal);
        } else if (error != null) {
            String context = counts == null ? null : "row " + (errorAt + 1) + " of " + counts.length + " of the batch";
            future.completeExceptionally(new ServerErrorException(error, context));
        } else if (counts != null) {
            if (completions != counts.length) {
                throw new ProtocolException(
                        "a batch of " + counts.length + " statements completed " + completions + " of them");
            }
            future.complete(Result.countsOf(counts));
        } else {
            Result r = last;
            future.complete((r != null ? r : Result.empty("")).withExchange(completions, parameterTypes));
        }
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
