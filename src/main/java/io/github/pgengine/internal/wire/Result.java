package io.github.pgengine.internal.wire;

import java.util.AbstractList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The answer to one statement: its columns, its decoded rows and its command tag.
 */
public final class Result {
    /** A batch row's count when the row ran in a multi-row statement whose rows did not all count 1 (JDBC's value). */
    public static final long SUCCESS_NO_INFO = -2;

    /** A batch row's count when the row failed in a batch whose rows commit one by one (JDBC's value). */
    public static final long EXECUTE_FAILED = -3;

    private static final String[] NO_NAMES = new String[0];
    private static final int[] NO_TYPES = new int[0];

    private final String[] columnNames;
    private final int[] columnTypes;
    private final List<RowData> rows;
    private final String tag;
    private final int statements;
    private final int @Nullable [] parameterTypes;
    private final long @Nullable [] counts;
    private final SortedMap<Integer, ServerErrorException> rowErrors;

    Result(String[] columnNames, int[] columnTypes, List<RowData> rows, String tag) {
        this(columnNames, columnTypes, rows, tag, 1, null, null, Collections.emptySortedMap());
    }

    private Result(
            String[] columnNames,
            int[] columnTypes,
            List<RowData> rows,
            String tag,
            int statements,
            int @Nullable [] parameterTypes,
            long @Nullable [] counts,
            SortedMap<Integer, ServerErrorException> rowErrors) {
        this.columnNames = columnNames;
        this.columnTypes = columnTypes;
        this.rows = rows;
        this.tag = tag;
        this.statements = statements;
        this.parameterTypes = parameterTypes;
        this.counts = counts;
        this.rowErrors = rowErrors;
    }

    /**
     * Returns the result of a batch: the row count of each statement.
     *
     * @param counts each statement's row count
     * @return the result
     */
    public static Result countsOf(long[] counts) {
        return new Result(
                NO_NAMES, NO_TYPES, List.of(), "BATCH", counts.length, null, counts, Collections.emptySortedMap());
    }

    /**
     * Returns the result of a batch whose rows commit one by one: each row's count ({@link #EXECUTE_FAILED} for a
     * row that failed) and the error of each row that failed.
     *
     * @param counts each row's count
     * @param rowErrors the error of each failed row, by its index in the batch (from 0)
     * @return the result
     */
    public static Result countsOf(long[] counts, SortedMap<Integer, ServerErrorException> rowErrors) {
        return new Result(
                NO_NAMES,
                NO_TYPES,
                List.of(),
                "BATCH",
                counts.length,
                null,
                counts,
                Collections.unmodifiableSortedMap(new TreeMap<>(rowErrors)));
    }

    /** Returns the error of each failed row of a batch whose rows commit one by one, by row index; else empty. */
    public SortedMap<Integer, ServerErrorException> rowErrors() {
        return rowErrors;
    }

    /** Returns the row count of each statement of a batch ({@link DbConnection#executeBatch}); empty otherwise. */
    public long[] counts() {
        return counts == null ? new long[0] : counts.clone();
    }

    /** Returns a copy that says how many statements the exchange completed and which parameters the server saw. */
    Result withExchange(int completedStatements, int @Nullable [] parameters) {
        return new Result(columnNames, columnTypes, rows, tag, completedStatements, parameters, counts, rowErrors);
    }

    /** Returns how many statements the server completed in this exchange (CommandComplete or EmptyQueryResponse). */
    public int statements() {
        return statements;
    }

    /** Returns the parameter types the server inferred (only for {@link DbConnection#describe}), or null. */
    public int @Nullable [] parameterTypes() {
        return parameterTypes;
    }

    /**
     * Returns a result with no rows.
     *
     * @param tag its command tag
     * @return the result
     */
    public static Result empty(String tag) {
        return new Result(NO_NAMES, NO_TYPES, List.of(), tag);
    }

    /** Returns the column names in order (shared; do not modify). */
    public String[] columnNames() {
        return columnNames;
    }

    /** Returns true when the server described rows for this result (RowDescription), even with no columns. */
    boolean hasRowDescription() {
        return columnNames != NO_NAMES;
    }

    /** Returns the columns' type OIDs in order (shared; do not modify). */
    public int[] columnTypes() {
        return columnTypes;
    }

    /**
     * Returns the rows, each decoded in full as it is read: each array holds one value per column (do not modify).
     * For the engine's own statements and for logs: a value that cannot be decoded is a stand-in that says so (see
     * {@link RowData#shown}). {@link #rowData()} decodes only the columns that are read, and a value that cannot be
     * decoded fails its read.
     */
    public List<@Nullable Object[]> rows() {
        return new AbstractList<>() {
            @Override
            public @Nullable Object[] get(int index) {
                return rows.get(index).toShownArray();
            }

            @Override
            public int size() {
                return rows.size();
            }
        };
    }

    /** Returns the rows as the server sent them, each column decoded on first access (shared). */
    public List<RowData> rowData() {
        return rows;
    }

    /** Returns the command tag, e.g. {@code INSERT 0 3}, {@code SELECT 2}, {@code COMMIT}, {@code ROLLBACK}. */
    public String tag() {
        return tag;
    }

    /** Returns the row count the tag reports (0 for commands that report none). */
    public long rowsAffected() {
        return rowsAffected(tag);
    }

    /**
     * Reads the row count from a command tag.
     *
     * @param tag a command tag
     * @return the row count at its end, or 0
     */
    static long rowsAffected(String tag) {
        int space = tag.lastIndexOf(' ');
        if (space < 0 || space == tag.length() - 1) {
            return 0;
        }
        long n = 0;
        for (int i = space + 1; i < tag.length(); i++) {
            char c = tag.charAt(i);
            if (c < '0' || c > '9' || n > (Long.MAX_VALUE - 9) / 10) {
                return 0;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    @Override
    public String toString() {
        return "Result{" + tag + ", " + rows.size() + " rows}";
    }
}
