package io.github.pgengine.internal.sql;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers how recent SQL texts were parsed, so the scanner runs once per distinct statement; bounded.
 */
public final class StatementCache {
    private static final int MAX_ENTRIES = 2_000;
    private static final int MAX_SQL_LENGTH = 8_192;

    private final ConcurrentHashMap<String, ParsedSql> parsed = new ConcurrentHashMap<>();

    /**
     * Parses one statement for execution.
     *
     * @param sql the caller's SQL
     * @return the parsed form
     * @throws IllegalArgumentException when the SQL is empty, holds several statements or a NUL character
     */
    public ParsedSql statement(String sql) {
        ParsedSql p = parsed.get(sql);
        if (p != null) {
            return p;
        }
        p = SqlScanner.parse(sql);
        if (p.statementCount() == 0) {
            throw new IllegalArgumentException("SQL text is empty (nothing but white space, comments or semicolons)");
        }
        if (p.statementCount() > 1) {
            throw new IllegalArgumentException("SQL text holds " + p.statementCount() + " statements; send one "
                    + "statement per call (use a transaction or atomic() to run several together)");
        }
        if ("stdin".equals(p.copyWithClient())) {
            throw new IllegalArgumentException("COPY ... FROM STDIN is not supported by pgengine (the driver cannot "
                    + "stream COPY data); insert many rows with executeBatch(sql, rows), or INSERT ... SELECT FROM "
                    + "unnest($1::int[], $2::text[]) with arrays as parameters");
        }
        if ("stdout".equals(p.copyWithClient())) {
            throw new IllegalArgumentException("COPY ... TO STDOUT is not supported by pgengine (the driver cannot "
                    + "stream COPY data); read the rows with stream() or batch() instead");
        }
        if (sql.length() <= MAX_SQL_LENGTH) {
            if (parsed.size() >= MAX_ENTRIES) {
                parsed.clear();
            }
            parsed.put(sql, p);
        }
        return p;
    }
}
