package io.github.pgengine;

import org.jspecify.annotations.Nullable;

/**
 * The transaction did not commit: it was rolled back instead. Either a statement in it failed and was not undone
 * by rolling back to a savepoint made before it (the cause is that statement's error, even if the callback caught
 * it), or the server answered {@code COMMIT} with {@code ROLLBACK} because the transaction had been aborted. None of
 * its changes were kept. SQLSTATE 25P02 (in_failed_sql_transaction), as pgjdbc reports it.
 */
public class TransactionRolledBackException extends TransactionException {
    private static final long serialVersionUID = 1L;
    /** in_failed_sql_transaction */
    static final String SQLSTATE = "25P02";

    /**
     * @param message what happened
     * @param cause the failure that caused the rollback, can be {@code null}
     */
    public TransactionRolledBackException(String message, @Nullable Throwable cause) {
        super(message, ServerDetails.ofSqlState(SQLSTATE), cause);
    }
}
