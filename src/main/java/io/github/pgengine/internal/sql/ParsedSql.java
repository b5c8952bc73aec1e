package io.github.pgengine.internal.sql;

import org.jspecify.annotations.Nullable;

/**
 * One SQL text as the scanner understood it: how many parameters it takes and its form for the server.
 */
public final class ParsedSql {
    private final String sql;
    private final String serverSql;
    private final int parameterCount;
    private final int statementCount;
    private final @Nullable String copyWithClient;
    private final String operation;
    private final int[] literals;
    private final int bareQuestionMarks;
    private volatile @Nullable String queryText;
    private volatile boolean insertChecked;
    private volatile @Nullable MultiRowInsert multiRowInsert;

    ParsedSql(
            String sql,
            String serverSql,
            int parameterCount,
            int statementCount,
            @Nullable String copyWithClient,
            String operation,
            int[] literals,
            int bareQuestionMarks) {
        this.sql = sql;
        this.serverSql = serverSql;
        this.parameterCount = parameterCount;
        this.statementCount = statementCount;
        this.copyWithClient = copyWithClient;
        this.operation = operation;
        this.literals = literals;
        this.bareQuestionMarks = bareQuestionMarks;
    }

    /** Returns the first keyword in upper case ({@code SELECT}, {@code INSERT}, {@code WITH}, ...), or empty. */
    public String operation() {
        return operation;
    }

    /**
     * Returns the same statement reported to observers as another operation: a cursor's {@code DECLARE} as the
     * operation of its query, the caller's statement.
     *
     * @param reported the operation observers see
     * @return the statement with that operation
     */
    public ParsedSql reportedAs(String reported) {
        return new ParsedSql(
                sql, serverSql, parameterCount, statementCount, copyWithClient, reported, literals, bareQuestionMarks);
    }

    /**
     * Returns the server's text with each literal (string, number, dollar-quoted string) replaced by {@code ?}: what
     * tracing may show without showing values.
     */
    public String queryText() {
        String text = queryText;
        if (text == null) {
            StringBuilder sb = new StringBuilder(serverSql.length());
            int from = 0;
            for (int i = 0; i < literals.length; i += 2) {
                sb.append(serverSql, from, literals[i]).append('?');
                from = literals[i + 1];
            }
            text = sb.append(serverSql, from, serverSql.length()).toString();
            queryText = text;
        }
        return text;
    }

    /** Returns {@code stdin} or {@code stdout} for a COPY that moves its data through the client, else null. */
    public @Nullable String copyWithClient() {
        return copyWithClient;
    }

    /**
     * Returns the statement's multi-row form when it is a plain single-row {@code INSERT ... VALUES (...)} that a
     * batch may run many rows at a time (found on first use, then remembered), else null.
     */
    public @Nullable MultiRowInsert multiRowInsert() {
        if (!insertChecked) {
            multiRowInsert = MultiRowInsert.of(this);
            insertChecked = true;
        }
        return multiRowInsert;
    }

    /** Returns the caller's text. */
    public String sql() {
        return sql;
    }

    /** Returns the text for the server: {@code ?} placeholders rewritten to {@code $1, $2, ...}, {@code ??} to {@code ?}. */
    public String serverSql() {
        return serverSql;
    }

    /** Returns how many values the caller must pass. */
    public int parameterCount() {
        return parameterCount;
    }

    /**
     * Returns the error for values that do not fit the placeholders. When the text has {@code $n} placeholders and
     * also bare {@code ?} (sent as they are: the jsonb operator), the caller most likely mixed the two placeholder
     * styles, and the message says so first.
     *
     * @param mismatch what does not fit, e.g. {@code the SQL expects 1 parameter but 2 were given}
     * @return the exception to throw
     */
    public IllegalArgumentException countMismatch(String mismatch) {
        if (bareQuestionMarks == 0) {
            return new IllegalArgumentException(mismatch);
        }
        return new IllegalArgumentException("the SQL mixes placeholder styles: $1"
                + (parameterCount > 1 ? " to $" + parameterCount : "") + " and ? (with $n placeholders a bare ? is "
                + "sent as it is, as the jsonb operator); use one style, $1, $2, ... or ?, ?, ... (" + mismatch + ")");
    }

    /** Returns how many statements the text holds (0 when it is only white space and comments). */
    public int statementCount() {
        return statementCount;
    }

    @Override
    public String toString() {
        return "ParsedSql{" + parameterCount + " parameters, " + statementCount + " statements: " + sql + "}";
    }
}
