package io.github.pgengine.internal.wire;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The prepared statements one connection keeps: one per distinct SQL text and parameter types, named {@code pge_n},
 * the least recently used closed on the server (with the connection's next statement) beyond {@link #SIZE}. Once an
 * execution described a statement, the rows it returns are kept too: later executions send no Describe. A change of
 * the statement's result type fails on the server with 0A000 "cached plan must not change result type", which makes
 * the connection forget it, so a kept description never outlives its plan. Thread-safe.
 */
final class PreparedStatements {
    /** Prepared statements one connection keeps; the least recently used is closed beyond this. */
    static final int SIZE = 256;

    private static final String INVALID_STATEMENT_NAME = "26000"; // invalid_sql_statement_name
    private static final String FEATURE_NOT_SUPPORTED = "0A000"; // feature_not_supported (cached plan changed)

    private final LinkedHashMap<Key, Prepared> statements = new LinkedHashMap<>(16, 0.75f, true);
    private final List<String> toClose = new ArrayList<>();
    private int statementNumber;

    /** A prepared statement and, once described, the rows it returns. */
    private static final class Prepared {
        final String name;
        boolean described;
        String @Nullable [] columnNames;
        int @Nullable [] columnTypes;

        Prepared(String name) {
            this.name = name;
        }
    }

    /** A cached statement is one SQL text prepared for one set of parameter types. */
    @SuppressWarnings("ArrayRecordComponent") // equals and hashCode below compare the array's contents
    record Key(String sql, int[] types) {
        @Override
        public boolean equals(@Nullable Object o) {
            return o instanceof Key k && sql.equals(k.sql) && Arrays.equals(types, k.types);
        }

        @Override
        public int hashCode() {
            return sql.hashCode() * 31 + Arrays.hashCode(types);
        }

        @Override
        public String toString() {
            return sql;
        }
    }

    /**
     * How to send one execution: under which name, whether to Parse and Describe, the rows already known, and the
     * statements to close on the server first.
     *
     * @param key the statement's key
     * @param name the prepared statement's name; empty for the unnamed statement
     * @param parse whether the request must Parse the statement
     * @param describe whether it must Describe it
     * @param columnNames the kept description's column names, or null
     * @param columnTypes the kept description's column types, or null
     * @param closing prepared statements to close before it
     */
    @SuppressWarnings("ArrayRecordComponent") // the kept description, handed over as is: nobody changes it
    record Use(
            Key key,
            String name,
            boolean parse,
            boolean describe,
            String @Nullable [] columnNames,
            int @Nullable [] columnTypes,
            List<String> closing) {
        /** Returns true for the unnamed statement (no parameters: parsed each time, never kept). */
        boolean unnamed() {
            return name.isEmpty();
        }
    }

    /**
     * Looks a statement up for one execution, preparing a new name when it is not kept yet (and closing the least
     * recently used beyond {@link #SIZE}). A statement without parameters is the unnamed statement, never kept.
     *
     * @param sql the SQL text
     * @param types the parameter types
     * @return how to send it
     */
    Use use(String sql, int[] types) {
        Key key = new Key(sql, types);
        boolean unnamed = types.length == 0;
        synchronized (statements) {
            Prepared cached = unnamed ? null : statements.get(key);
            String name;
            if (unnamed) {
                name = "";
            } else if (cached == null) {
                statementNumber++;
                name = "pge_" + statementNumber;
                statements.put(key, new Prepared(name));
                if (statements.size() > SIZE) {
                    Iterator<Map.Entry<Key, Prepared>> eldest =
                            statements.entrySet().iterator();
                    toClose.add(eldest.next().getValue().name);
                    eldest.remove();
                }
            } else {
                name = cached.name;
            }
            List<String> closing = toClose.isEmpty() ? List.of() : new ArrayList<>(toClose);
            toClose.clear();
            return new Use(
                    key,
                    name,
                    cached == null,
                    cached == null || !cached.described,
                    cached == null ? null : cached.columnNames,
                    cached == null ? null : cached.columnTypes,
                    closing);
        }
    }

    /** Keeps what an execution that sent Describe learnt of the rows its statement returns. */
    void remember(Key key, String name, Result result) {
        synchronized (statements) {
            Prepared p = statements.get(key);
            if (p != null && p.name.equals(name)) {
                if (result.hasRowDescription()) {
                    p.columnNames = result.columnNames();
                    p.columnTypes = result.columnTypes();
                }
                p.described = true;
            }
        }
    }

    /** Forgets a statement (its Parse failed, or it went or went stale on the server), closing it there if asked. */
    void forget(Key key, String name, boolean closeOnServer) {
        synchronized (statements) {
            Prepared p = statements.get(key);
            if (p != null && p.name.equals(name)) {
                statements.remove(key);
            }
            if (closeOnServer) {
                toClose.add(name);
            }
        }
    }

    /**
     * Updates the cache after an execution failed.
     *
     * @param parse whether the execution sent Parse
     * @param parsed whether the server acknowledged that Parse
     * @param statusAfter the transaction status at the execution's ReadyForQuery
     * @return true when the statement may simply run again: its prepared statement had gone (DISCARD ALL,
     *     DEALLOCATE) or its cached plan no longer fits the schema, and no transaction was open
     */
    boolean afterFailure(Key key, String name, boolean parse, boolean parsed, char statusAfter, Throwable error) {
        if (parse && !parsed) {
            forget(key, name, false);
            return false;
        }
        if (error instanceof ServerErrorException s) {
            String state = s.error().sqlState();
            boolean gone =
                    INVALID_STATEMENT_NAME.equals(state) && s.error().message().contains(name);
            boolean stale = FEATURE_NOT_SUPPORTED.equals(state)
                    && s.error().message().contains("cached plan must not change result type");
            if (gone || stale) {
                forget(key, name, stale);
                return !parse && statusAfter == 'I';
            }
        }
        return false;
    }

    /** Forgets every statement: the session deallocated them all (DISCARD ALL, DEALLOCATE ALL). */
    void clear() {
        synchronized (statements) {
            statements.clear();
        }
    }
}
