package io.github.pgengine.internal.wire;

import io.github.pgengine.internal.codec.ParameterEncoder;
import java.util.Objects;

/**
 * One Execute of a batch: a statement, its values and how many of the caller's rows it carries (1 for a statement
 * run once per row, more for a multi-row insert).
 *
 * @param sql the statement with {@code $n} placeholders
 * @param params its encoded values
 * @param rows how many of the caller's rows it carries, at least 1
 */
public record BatchStep(String sql, ParameterEncoder.Encoded params, int rows) {
    /** Checks the fields. */
    public BatchStep {
        Objects.requireNonNull(sql, "sql");
        Objects.requireNonNull(params, "params");
        if (rows < 1) {
            throw new IllegalArgumentException("rows must be at least 1 (was " + rows + ")");
        }
    }
}
