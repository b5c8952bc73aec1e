package io.github.pgengine;

import org.jspecify.annotations.Nullable;

/**
 * The transaction's connection was lost before COMMIT was sent: nothing of it was committed (the server rolls back
 * a transaction whose session ends), so running the whole transaction again is safe. The cause is the connection
 * error. When the connection is lost after COMMIT was sent and before its answer, the engine cannot know whether the
 * transaction committed and fails with {@link AmbiguousCommitException} instead.
 *
 * <p>With a retry policy of more than one attempt (CockroachDB's default) the engine runs the transaction again on
 * another connection, possibly another host, before reporting this.
 */
public class TransactionNotCommittedException extends ConnectionException {
    private static final long serialVersionUID = 1L;

    /**
     * An error raised by the engine itself.
     *
     * @param message what went wrong
     * @param cause the connection error, can be {@code null}
     */
    public TransactionNotCommittedException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

    /**
     * An error reported by the server.
     *
     * @param message the full message
     * @param details what the server said, field by field
     * @param cause the underlying error, can be {@code null}
     */
    public TransactionNotCommittedException(String message, ServerDetails details, @Nullable Throwable cause) {
        super(message, details, cause);
    }
}
