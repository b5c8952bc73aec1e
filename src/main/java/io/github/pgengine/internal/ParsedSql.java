package io.github.pgengine.internal;

/**
 * One SQL text as the scanner understood it: how many parameters it takes, and its forms for the driver.
 */
public final class ParsedSql {
    private final String sql;
    private final String driverSql;
    private final String simpleSql;
    private final int parameterCount;
    private final int[] valueOrder;
    private final int statementCount;

    ParsedSql(String sql, String driverSql, String simpleSql, int parameterCount, int[] valueOrder, int statementCount) {
        this.sql = sql;
        this.driverSql = driverSql;
        this.simpleSql = simpleSql;
        this.parameterCount = parameterCount;
        this.valueOrder = valueOrder;
        this.statementCount = statementCount;
    }

    /** @return the caller's text */
    public String sql() {
        return sql;
    }

    /**
     * @return the text for jasync's prepared statements: one {@code ?} per parameter occurrence, every literal
     *     question mark doubled (jasync rewrites every {@code ?} without understanding SQL)
     */
    public String driverSql() {
        return driverSql;
    }

    /** @return the text for the simple protocol when there are no parameters */
    public String simpleSql() {
        return simpleSql;
    }

    /** @return how many values the caller must pass */
    public int parameterCount() {
        return parameterCount;
    }

    /** @return for each {@code ?} of {@link #driverSql()}, the index of the caller's value it takes */
    public int[] valueOrder() {
        return valueOrder.clone();
    }

    int valueIndex(int occurrence) {
        return valueOrder[occurrence];
    }

    int occurrences() {
        return valueOrder.length;
    }

    /** @return how many statements the text holds (0 when it is only white space and comments) */
    public int statementCount() {
        return statementCount;
    }

    /** @return true when the text holds no statement */
    public boolean isEmpty() {
        return statementCount == 0;
    }

    @Override
    public String toString() {
        return "ParsedSql{" + parameterCount + " parameters, " + statementCount + " statements: " + sql + "}";
    }
}
