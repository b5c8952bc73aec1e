package io.github.pgengine;

import org.jspecify.annotations.Nullable;

/**
 * Sees what an engine does, for metrics and tracing: the statements callers run, transactions and their retries,
 * borrowing connections, opening and closing them, rows streamed from cursors. Attach one with
 * {@link PostgresEngine#addObserver(EngineObserver)}; pgengine's own {@code PgEngineMetrics} (Micrometer) and
 * {@code PgEngineTracing} (OpenTelemetry) are observers.
 *
 * <p>Every method has a default that does nothing. Methods are called on the engine's threads, its timer included (except
 * {@link #capture()}, which runs on the caller's thread): they must be quick and must not block or throw. An
 * exception thrown by an observer is logged once per observer at WARN on {@code io.github.pgengine.observer}
 * and otherwise ignored; the caller's work is never affected.
 *
 * <p>Statements are the caller's: the engine's own BEGIN, COMMIT, SAVEPOINT and cursor FETCH statements are part
 * of the transaction or cursor they serve and are not reported one by one.
 */
public interface EngineObserver {

    /**
     * Runs on the caller's thread when a call starts (a statement, a batch, a transaction, a cursor); what it returns
     * is handed back with the call's events. OpenTelemetry captures its current {@code Context} here.
     *
     * @return anything, or {@code null}
     */
    default @Nullable Object capture() {
        return null;
    }

    /**
     * Wraps work the engine runs for the caller later, on another thread: the completion of the caller's future and
     * the transaction callback. OpenTelemetry makes the captured context current around it.
     *
     * @param captured what {@link #capture()} returned for the call
     * @param task the work
     * @return the work to run in its place
     */
    default Runnable wrap(@Nullable Object captured, Runnable task) {
        return task;
    }

    /**
     * A caller's statement is about to be sent on a connection.
     *
     * @param statement what runs
     * @param captured what {@link #capture()} returned for the call
     * @param transaction the transaction it runs in, as this observer's {@link #transactionStarted} returned it, or
     *     {@code null} outside a transaction
     * @return what to tell when it ends
     */
    default StatementObservation statementStarted(
            StatementInfo statement, @Nullable Object captured, @Nullable TransactionObservation transaction) {
        return StatementObservation.NONE;
    }

    /**
     * A transaction has its connection and is about to BEGIN.
     *
     * @param engine the engine
     * @param captured what {@link #capture()} returned for the call
     * @return what to tell of its retries and its end
     */
    default TransactionObservation transactionStarted(EngineInfo engine, @Nullable Object captured) {
        return TransactionObservation.NONE;
    }

    /**
     * A caller borrowed a connection from the pool, or gave up waiting.
     *
     * @param nanos how long it waited
     * @param error why no connection came ({@link PoolTimeoutException}, a {@link java.util.concurrent
     *     .CancellationException}, ...), or {@code null}
     */
    default void connectionAcquired(long nanos, @Nullable Throwable error) {}

    /** A connection was opened (for the pool, or for one call when no pool runs). */
    default void connectionOpened() {}

    /** A connection was closed. */
    default void connectionClosed() {}

    /**
     * Opening a connection failed.
     *
     * @param error why
     */
    default void connectionFailed(Throwable error) {}

    /**
     * A cursor ({@code batch}, {@code stream}, Kotlin {@code queryFlow}) fetched rows.
     *
     * @param rows how many
     */
    default void cursorRows(int rows) {}

    /**
     * The engine an event comes from.
     *
     * @param name the engine's name ({@link PostgresEngine#name()})
     * @param system {@code postgresql} or {@code cockroachdb} (OpenTelemetry's {@code db.system.name})
     * @param host the server's host
     * @param port the server's port
     * @param database the database
     */
    record EngineInfo(String name, String system, String host, int port, String database) {}

    /**
     * A statement a caller runs.
     *
     * @param engine the engine
     * @param text the SQL with every literal (string, number) replaced by {@code ?}; parameters stay {@code $n}
     * @param operation the statement's first keyword in upper case ({@code SELECT}, {@code INSERT}, {@code WITH},
     *     ...), or empty
     * @param batchSize the number of rows of an {@code executeBatch}, 0 for a single statement
     */
    record StatementInfo(EngineInfo engine, String text, String operation, int batchSize) {}

    /** What an observer is told when a statement ends. */
    @FunctionalInterface
    interface StatementObservation {
        /** Does nothing. */
        StatementObservation NONE = (rows, error) -> {};

        /**
         * The statement ended.
         *
         * @param rows rows returned, or the count of rows written when it returned none
         * @param error the error as the caller sees it (an {@link EngineException}, a
         *     {@link java.util.concurrent.CancellationException} when the caller cancelled), or {@code null}
         */
        void ended(long rows, @Nullable Throwable error);
    }

    /** What an observer is told of a transaction after it started. */
    interface TransactionObservation {
        /** Does nothing. */
        TransactionObservation NONE = new TransactionObservation() {
            @Override
            public void ended(@Nullable Throwable error) {}
        };

        /**
         * An attempt failed with a retryable error and the transaction is about to run again.
         *
         * @param attempt the number of the attempt that starts (2 for the first retry)
         * @param cause why the previous attempt failed
         */
        default void retrying(int attempt, EngineException cause) {}

        /**
         * Wraps the transaction callback of each attempt. OpenTelemetry makes the transaction's span current.
         *
         * @param task runs the callback
         * @return the work to run in its place
         */
        default Runnable wrap(Runnable task) {
            return task;
        }

        /**
         * The transaction ended: committed, or rolled back and failed.
         *
         * @param error the caller's error, or {@code null} after COMMIT
         */
        void ended(@Nullable Throwable error);
    }

    /** How a call ended, as metrics tag it. */
    enum Outcome {
        /** it succeeded */
        SUCCESS,
        /** the server or the connection failed it */
        ERROR,
        /** a timeout stopped it: {@code query_timeout}, {@code statement_timeout} (57014), the pool's acquire timeout */
        TIMEOUT,
        /** the caller cancelled it */
        CANCELLED;

        /**
         * Classifies an error as the caller sees it.
         *
         * @param error the error, or {@code null} for success
         * @return the outcome
         */
        public static Outcome of(@Nullable Throwable error) {
            if (error == null) {
                return SUCCESS;
            }
            if (error instanceof java.util.concurrent.CancellationException) {
                return CANCELLED;
            }
            if (error instanceof QueryTimeoutException || error instanceof PoolTimeoutException) {
                return TIMEOUT;
            }
            return ERROR;
        }

        /** Returns the name in lower case, as a tag value. */
        public String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * Returns the SQLSTATE of an error the server sent.
     *
     * @param error an error as the caller sees it, or {@code null}
     * @return its SQLSTATE, or {@code null} when it has none (a lost connection, a timeout of the engine's own)
     */
    static @Nullable String sqlState(@Nullable Throwable error) {
        return error instanceof EngineException e ? e.sqlState() : null;
    }

    /** Detaches an observer. */
    interface Registration extends AutoCloseable {
        /** Detaches the observer; calls that already started still report to it. */
        @Override
        void close();
    }
}
