package io.github.pgengine.internal.sql;

import io.github.pgengine.internal.codec.ParameterEncoder;
import io.github.pgengine.internal.wire.BatchStep;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A caller's statement to run once per row, checked and encoded before a connection is borrowed: every row's
 * values are counted against the placeholders and encoded, and an error names the row.
 *
 * @param sql the parsed SQL
 * @param encoded each row's values as the protocol carries them
 */
public record BatchStatement(ParsedSql sql, List<ParameterEncoder.Encoded> encoded) {

    /**
     * Checks and encodes a batch.
     *
     * @param cache the engine's parse cache
     * @param sql one statement
     * @param rows the values of each run, in placeholder order
     * @return the batch
     * @throws NullPointerException when {@code sql}, {@code rows} or a row is null
     * @throws IllegalArgumentException for SQL or values that cannot be sent, naming the row
     */
    public static BatchStatement of(
            StatementCache cache, String sql, List<? extends List<? extends @Nullable Object>> rows) {
        Objects.requireNonNull(sql, "sql must not be null");
        Objects.requireNonNull(rows, "rows must not be null");
        ParsedSql parsed = cache.statement(sql);
        List<ParameterEncoder.Encoded> encoded = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            List<? extends @Nullable Object> row = rows.get(i);
            if (row == null) {
                throw new NullPointerException(
                        "row " + (i + 1) + " of the batch is null (a row of NULLs is a list of nulls)");
            }
            if (row.size() != parsed.parameterCount()) {
                throw parsed.countMismatch("row " + (i + 1) + " of the batch has " + row.size() + " value"
                        + (row.size() == 1 ? "" : "s") + " but the SQL expects " + parsed.parameterCount());
            }
            try {
                encoded.add(ParameterEncoder.encode(Arrays.asList(row.toArray())));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("row " + (i + 1) + " of the batch: " + e.getMessage(), e);
            }
        }
        return new BatchStatement(parsed, List.copyOf(encoded));
    }

    /**
     * Lays the rows out as Executes. With {@code rewriteInserts} and a plain single-row insert
     * ({@link ParsedSql#multiRowInsert()}), rows go in multi-row inserts of {@link MultiRowInsert#maxRows()} rows,
     * the rest in smaller powers of two (so at most a handful of distinct statements), each statement's parameter
     * types being its rows' types one after the other; otherwise one Execute per row.
     *
     * @param rewriteInserts whether plain inserts may become multi-row inserts
     * @return the steps, in row order
     */
    public List<BatchStep> steps(boolean rewriteInserts) {
        MultiRowInsert insert = rewriteInserts ? sql.multiRowInsert() : null;
        int total = encoded.size();
        if (insert == null || insert.maxRows() == 1 || total == 1) {
            List<BatchStep> steps = new ArrayList<>(total);
            for (ParameterEncoder.Encoded row : encoded) {
                steps.add(new BatchStep(sql.serverSql(), row, 1));
            }
            return steps;
        }
        int width = insert.parameterCount();
        List<BatchStep> steps = new ArrayList<>(total / insert.maxRows() + 8);
        int row = 0;
        while (row < total) {
            int rows = Math.min(insert.maxRows(), Integer.highestOneBit(total - row));
            int[] types = new int[rows * width];
            @Nullable Object[] values = new Object[rows * width];
            for (int r = 0; r < rows; r++) {
                ParameterEncoder.Encoded e = encoded.get(row + r);
                System.arraycopy(e.types(), 0, types, r * width, width);
                System.arraycopy(e.values(), 0, values, r * width, width);
            }
            steps.add(new BatchStep(insert.text(rows), new ParameterEncoder.Encoded(types, values), rows));
            row += rows;
        }
        return steps;
    }

    /**
     * Describes the batch for the query log: the caller's SQL, the row count and how the rows were sent.
     *
     * @param steps the steps from {@link #steps(boolean)}
     * @return the text
     */
    public String describe(List<BatchStep> steps) {
        return describe(steps, false);
    }

    /**
     * Describes the batch for the query log: the caller's SQL, the row count, the mode and how the rows were sent.
     *
     * @param steps the steps from {@link #steps(boolean)}
     * @param independent whether each row commits on its own
     * @return the text
     */
    public String describe(List<BatchStep> steps, boolean independent) {
        if (independent) {
            return sql.sql() + " [batch of " + encoded.size() + " row" + (encoded.size() != 1 ? "s" : "")
                    + ", independent: one statement per row, each committing on its own]";
        }
        StringBuilder sb = new StringBuilder(sql.sql())
                .append(" [batch of ")
                .append(encoded.size())
                .append(" row");
        if (encoded.size() != 1) {
            sb.append('s');
        }
        if (steps.size() == encoded.size()) {
            return sb.append(", one statement per row]").toString();
        }
        sb.append(" sent as ").append(steps.size()).append(" multi-row INSERT");
        if (steps.size() != 1) {
            sb.append('s');
        }
        sb.append(':');
        Map<Integer, Integer> sizes = new TreeMap<>(Comparator.reverseOrder());
        for (BatchStep step : steps) {
            sizes.merge(step.rows(), 1, Integer::sum);
        }
        String separator = " ";
        for (Map.Entry<Integer, Integer> e : sizes.entrySet()) {
            sb.append(separator).append(e.getValue()).append(" of ").append(e.getKey());
            separator = ", ";
        }
        return sb.append(" rows]").toString();
    }
}
