package io.github.pgengine;

import java.io.Serializable;
import org.jspecify.annotations.Nullable;

/**
 * What the server said about an error, field by field as PostgreSQL's ErrorResponse carries them. Every field is
 * {@code null} when the server did not send it (and all of them for errors the engine raises itself).
 *
 * @param sqlState the five-character SQLSTATE ({@code C})
 * @param message the primary message ({@code M})
 * @param detail the detail ({@code D}); it may contain data values
 * @param hint the hint ({@code H})
 * @param position the 1-based character position of the error in the SQL text ({@code P})
 * @param schema the schema of the object concerned ({@code s})
 * @param table the table concerned ({@code t})
 * @param column the column concerned ({@code c})
 * @param constraint the violated constraint ({@code n})
 */
public record ServerDetails(
        @Nullable String sqlState,
        @Nullable String message,
        @Nullable String detail,
        @Nullable String hint,
        @Nullable Integer position,
        @Nullable String schema,
        @Nullable String table,
        @Nullable String column,
        @Nullable String constraint)
        implements Serializable {

    /** The details of an error the engine raised itself: none. */
    public static final ServerDetails NONE = new ServerDetails(null, null, null, null, null, null, null, null, null);

    /**
     * Details holding only a SQLSTATE.
     *
     * @param sqlState a SQLSTATE
     * @return details holding only that SQLSTATE (for errors the engine classifies itself, e.g. 25P02)
     */
    public static ServerDetails ofSqlState(String sqlState) {
        return new ServerDetails(sqlState, null, null, null, null, null, null, null, null);
    }
}
