package io.github.pgengine.internal.tx;

import static io.github.pgengine.internal.runtime.Completions.whenDone;

import io.github.pgengine.TransactionRolledBackException;
import io.github.pgengine.internal.exec.QueryRunner;
import io.github.pgengine.internal.wire.DbConnection;
import io.github.pgengine.internal.wire.Result;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * How one {@link Attempt} ends on the server: COMMIT, or ROLLBACK when a failure in the attempt's
 * {@link FailureLedger} counts or the caller asks for it, queued after everything queued so far. The attempt's state
 * moves through {@link Attempt#ending} and {@link Attempt#ended}, under the attempt's lock ({@code queue.lock()}).
 */
final class AttemptEnding {
    private final Attempt attempt;
    private final TransactionSession session;
    private final StepQueue queue;
    private final FailureLedger ledger;
    private final QueryRunner runner;
    private final DbConnection connection;

    AttemptEnding(
            Attempt attempt,
            TransactionSession session,
            StepQueue queue,
            FailureLedger ledger,
            QueryRunner runner,
            DbConnection connection) {
        this.attempt = attempt;
        this.session = session;
        this.queue = queue;
        this.ledger = ledger;
        this.runner = runner;
        this.connection = connection;
    }

    /**
     * Queues the commit after everything queued so far: COMMIT (on CockroachDB RELEASE SAVEPOINT cockroach_restart
     * first) when no failure counts, otherwise ROLLBACK. A caller may give the commit up: given up before its turn,
     * the transaction rolls back instead (and the commit fails with {@link TransactionRolledBackException}); once
     * COMMIT is sent, it cannot be given up.
     *
     * @param byCaller true when the caller's callback asked for it ({@code tx.commit()})
     * @param caller the caller's future of the commit, or null
     * @return completes when committed; fails with {@link TransactionRolledBackException} when the transaction was
     *     rolled back instead, or the server's error
     */
    CompletableFuture<Result> commit(boolean byCaller, @Nullable StepFuture<?> caller) {
        synchronized (queue.lock()) {
            CompletableFuture<Result> done = attempt.ending("commit", byCaller, begin -> {
                if (caller != null && !caller.send()) {
                    return rollBackNow(
                            begin,
                            new TransactionRolledBackException(
                                    "the caller cancelled the commit before COMMIT was sent; the transaction "
                                            + "was rolled back",
                                    null));
                }
                CompletableFuture<Result> committing = commitNow(begin);
                if (caller != null) {
                    caller.sent(() -> CompletableFuture.completedFuture(null));
                }
                return committing;
            });
            whenDone(done, (r, e) -> {
                if (caller != null) {
                    caller.settle(e == null);
                }
                attempt.ended(e, e == null ? "committed" : "rolled back");
            });
            return done;
        }
    }

    /** Commits, or rolls back when a failure counts; sends nothing when the transaction never began on the server. */
    private CompletableFuture<Result> commitNow(List<String> unsentBegin) {
        FailureLedger.Failure first = ledger.first();
        if (first != null) {
            return rollBackNow(
                    unsentBegin,
                    rolledBack("the transaction was rolled back because a statement in it failed: ", first.error()));
        }
        if (!unsentBegin.isEmpty()) {
            return CompletableFuture.completedFuture(Result.empty("COMMIT"));
        }
        CompletableFuture<Result> committed = session.restartSavepoint()
                ? runner.control(connection, "RELEASE SAVEPOINT " + TransactionSession.RESTART_SAVEPOINT)
                        .thenCompose(r -> runner.control(connection, "COMMIT"))
                : runner.control(connection, "COMMIT");
        return committed.thenApply(r -> {
            if (r.tag().equals("ROLLBACK")) {
                throw new TransactionRolledBackException(
                        "the server answered COMMIT with ROLLBACK: the transaction "
                                + "had been aborted by an earlier error, and none of its changes were kept",
                        null);
            }
            return r;
        });
    }

    /**
     * Rolls back instead of committing (nothing to send when the transaction never began on the server or is already
     * over there), then fails with {@code why}.
     */
    private CompletableFuture<Result> rollBackNow(List<String> unsentBegin, TransactionRolledBackException why) {
        if (!unsentBegin.isEmpty()) {
            return CompletableFuture.failedFuture(why);
        }
        CompletableFuture<Result> undone = connection.transactionStatus() == 'I'
                ? CompletableFuture.completedFuture(Result.empty("ROLLBACK"))
                : runner.control(connection, "ROLLBACK");
        return undone.handle((r, e) -> {
            if (e != null) {
                connection.retire();
            }
            throw why;
        });
    }

    /**
     * Queues ROLLBACK after everything queued so far.
     *
     * @param byCaller true when the caller's callback asked for it ({@code tx.rollback()})
     * @return completes when rolled back
     */
    CompletableFuture<Result> rollback(boolean byCaller) {
        synchronized (queue.lock()) {
            CompletableFuture<Result> done = attempt.ending(
                    "roll back",
                    byCaller,
                    begin -> begin.isEmpty() && connection.transactionStatus() != 'I'
                            ? runner.control(connection, "ROLLBACK")
                            : CompletableFuture.completedFuture(Result.empty("ROLLBACK")));
            whenDone(done, (r, e) -> {
                if (e != null) {
                    connection.retire();
                }
                attempt.ended(null, "rolled back");
            });
            return done;
        }
    }

    /** The error of a transaction (or sub-transaction) rolled back because {@code cause} counts against it. */
    static TransactionRolledBackException rolledBack(String message, Throwable cause) {
        return new TransactionRolledBackException(message + cause.getMessage(), cause);
    }
}
