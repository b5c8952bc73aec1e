package io.github.pgengine.internal.sql;

/**
 * One SQL text as the scanner understood it: how many parameters it takes and its form for the server.
 */
public final class ParsedSql {
    private final String sql;
    private final String serverSql;
    private final int parameterCount;
    private final int statementCount;

    ParsedSql(String sql, String serverSql, int parameterCount, int statementCount) {
        this.sql = sql;
        this.serverSql = serverSql;
        this.parameterCount = parameterCount;
        this.statementCount = statementCount;
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

    /** Returns how many statements the text holds (0 when it is only white space and comments). */
    public int statementCount() {
        return statementCount;
    }

    @Override
    public String toString() {
        return "ParsedSql{" + parameterCount + " parameters, " + statementCount + " statements: " + sql + "}";
    }
}
