package io.github.pgengine.internal.wire;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An exchange that runs statements and keeps the last one's rows and command tag (a caller's statement, one of the
 * engine's own, a Describe, the standby check alone).
 */
final class StatementExchange extends Exchange {
    private String @Nullable [] names;
    private int @Nullable [] types;
    private @Nullable List<RowData> rows;
    private @Nullable Result last;
    private int @Nullable [] parameterTypes;
    private boolean parseCompleted;

    /**
     * Makes an exchange for a request without statements sent ahead, in the simple protocol or a Describe.
     *
     * @param request the messages
     */
    StatementExchange(ByteBuf request) {
        super(request, false, null);
    }

    /**
     * @param request the messages
     * @param extendedProtocol whether the request begins with Parse or Bind rather than a simple Query
     * @param ahead the statements sent ahead of the request's own, or null
     */
    StatementExchange(ByteBuf request, boolean extendedProtocol, @Nullable SentAhead ahead) {
        super(request, extendedProtocol, ahead);
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

    /** Returns true when the server acknowledged this exchange's Parse (the statement now exists). */
    boolean parseCompleted() {
        return parseCompleted;
    }

    @Override
    void parsed() {
        parseCompleted = true;
    }

    @Override
    void describe(ByteBuf body) {
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

    @Override
    void row(ByteBuf body) {
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

    @Override
    void parameterDescription(ByteBuf body) {
        int n = body.readUnsignedShort();
        int[] oids = new int[n];
        for (int i = 0; i < n; i++) {
            oids[i] = body.readInt();
        }
        parameterTypes = oids;
    }

    @Override
    void completed(String tag, int index) {
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

    @Override
    void completedEmpty() {
        last = Result.empty("");
    }

    @Override
    Result result(int completedStatements) {
        Result r = last;
        return (r != null ? r : Result.empty("")).withExchange(completedStatements, parameterTypes);
    }
}
