package io.github.pgengine;

/**
 * How {@link PostgresEngine#executeBatch(String, java.util.List, BatchOptions) executeBatch} applies its rows.
 *
 * <ul>
 *   <li>{@link #atomic()}, the default: all rows in one implicit transaction (or as one step of the caller's
 *       transaction), all or nothing; plain inserts may become multi-row inserts.
 *   <li>{@link #independent()}: every row is one statement that commits on its own, as JDBC's batches do with
 *       autocommit on; every row runs, a failing row undoes and stops no other, and the call fails with
 *       {@link BatchPartiallyFailedException} (carrying every row's count and each failed row's error) when some
 *       row failed. Never rewritten into multi-row inserts, so each row's fate is its own. Not inside a
 *       transaction.
 * </ul>
 *
 * <p>Immutable; the two values are constants.
 */
public final class BatchOptions {
    private static final BatchOptions ATOMIC = new BatchOptions(false);
    private static final BatchOptions INDEPENDENT = new BatchOptions(true);

    private final boolean independent;

    private BatchOptions(boolean independent) {
        this.independent = independent;
    }

    /**
     * All rows or none (the default of {@link PostgresEngine#executeBatch(String, java.util.List)}).
     *
     * @return the options
     */
    public static BatchOptions atomic() {
        return ATOMIC;
    }

    /**
     * Each row commits on its own, and a failing row does not undo or stop the others.
     *
     * @return the options
     */
    public static BatchOptions independent() {
        return INDEPENDENT;
    }

    /** Returns true when each row commits on its own ({@link #independent()}). */
    public boolean isIndependent() {
        return independent;
    }

    @Override
    public String toString() {
        return independent ? "BatchOptions.independent()" : "BatchOptions.atomic()";
    }
}
