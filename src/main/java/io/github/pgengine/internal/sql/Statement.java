package io.github.pgengine.internal.sql;

import io.github.pgengine.internal.codec.ParameterEncoder;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A caller's statement checked and ready to send: parsed once (cached), its values counted against the
 * placeholders and encoded, so every error in it is found before a connection is borrowed or anything is sent.
 *
 * @param sql the parsed SQL
 * @param values the caller's values, in placeholder order (for the DEBUG parameter log)
 * @param encoded the values as the protocol carries them
 */
public record Statement(ParsedSql sql, List<@Nullable Object> values, ParameterEncoder.Encoded encoded) {

    /**
     * Checks and encodes a caller's statement.
     *
     * @param cache the engine's parse cache
     * @param sql one statement
     * @param params its values; {@code null} means one NULL value (a Java varargs call with a lone null)
     * @return the statement
     * @throws NullPointerException when {@code sql} is null
     * @throws IllegalArgumentException for SQL or values that cannot be sent, naming the problem
     */
    public static Statement of(StatementCache cache, String sql, @Nullable Object @Nullable [] params) {
        Objects.requireNonNull(sql, "sql must not be null");
        ParsedSql parsed = cache.statement(sql);
        @Nullable Object[] given = params == null ? new Object[] {null} : params;
        if (given.length != parsed.parameterCount()) {
            throw parsed.countMismatch("the SQL expects " + parsed.parameterCount() + " parameter"
                    + (parsed.parameterCount() == 1 ? "" : "s") + " but " + given.length
                    + (given.length == 1 ? " was" : " were") + " given");
        }
        List<@Nullable Object> values = Arrays.asList(given.clone());
        return new Statement(parsed, values, ParameterEncoder.encode(values));
    }
}
