package io.github.pgengine.internal.sql;

import io.github.pgengine.internal.driver.ParameterEncoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
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
                        "row " + (i + 1) + " of the batch is null (a row of NULLs is a list " + "of nulls)");
            }
            if (row.size() != parsed.parameterCount()) {
                throw new IllegalArgumentException("row " + (i + 1) + " of the batch has " + row.size() + " value"
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
}
