package io.github.pgengine;

import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Some rows of a batch run with {@link BatchOptions#independent()} failed; the others ran and committed. Carries the
 * count of every row, in order ({@link PostgresEngine#EXECUTE_FAILED} for a failed row), and the error of each
 * failed row, mapped as any statement's error is (its SQLSTATE, the server's message, the row it happened at). The
 * exception's own {@link #details()} are those of the first failed row's error, which is also its cause.
 */
public final class BatchPartiallyFailedException extends EngineException {
    private static final long serialVersionUID = 1L;

    private final long[] counts;
    private final TreeMap<Integer, EngineException> errors;

    /**
     * @param counts every row's count, {@link PostgresEngine#EXECUTE_FAILED} for a failed row
     * @param errors the error of each failed row by its index in the batch (from 0); not empty
     */
    public BatchPartiallyFailedException(long[] counts, Map<Integer, ? extends EngineException> errors) {
        this(counts, new TreeMap<>(errors));
    }

    private BatchPartiallyFailedException(long[] counts, NavigableMap<Integer, EngineException> errors) {
        super(
                message(counts.length, errors),
                first(errors).getValue().details(),
                first(errors).getValue());
        this.counts = counts.clone();
        this.errors = new TreeMap<>(errors);
    }

    private static Map.Entry<Integer, EngineException> first(NavigableMap<Integer, EngineException> errors) {
        Map.Entry<Integer, EngineException> first = errors.firstEntry();
        if (first == null) {
            throw new IllegalArgumentException("a partially failed batch needs at least one failed row");
        }
        return first;
    }

    private static String message(int rows, NavigableMap<Integer, EngineException> errors) {
        int failed = errors.size();
        Map.Entry<Integer, EngineException> first = first(errors);
        return failed + " of " + rows + " row" + (rows == 1 ? "" : "s") + " of the batch failed (the others "
                + "committed); the first, row " + (first.getKey() + 1) + ": "
                + first.getValue().getMessage();
    }

    /** Returns every row's count, in order; {@link PostgresEngine#EXECUTE_FAILED} (-3) for the rows that failed. */
    public long[] counts() {
        return counts.clone();
    }

    /** Returns the error of each failed row, by the row's index in the batch (from 0), in row order. */
    public SortedMap<Integer, EngineException> errors() {
        return Collections.unmodifiableSortedMap(errors);
    }

    /** Returns how many rows failed. */
    public int failedRows() {
        return errors.size();
    }
}
