package io.github.pgengine;

/** Transaction isolation levels, as PostgreSQL names them. */
public enum IsolationLevel {
    /** Each statement sees data committed before it began (PostgreSQL's default). */
    READ_COMMITTED("READ COMMITTED"),
    /** Every statement sees the snapshot taken at the transaction's first statement. */
    REPEATABLE_READ("REPEATABLE READ"),
    /** As if transactions ran one at a time; conflicts fail with SQLSTATE 40001 (CockroachDB's default). */
    SERIALIZABLE("SERIALIZABLE");

    private final String sql;

    IsolationLevel(String sql) {
        this.sql = sql;
    }

    /** Returns the SQL spelling, e.g. {@code REPEATABLE READ}. */
    public String sql() {
        return sql;
    }
}
