package io.github.pgengine.internal.tx;

import io.github.pgengine.TransactionRolledBackException;
import io.github.pgengine.internal.errors.ErrorMapper;
import io.github.pgengine.internal.exec.QueryRunner;
import io.github.pgengine.internal.wire.DbConnection;
import io.github.pgengine.internal.wire.Result;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/**
 * The savepoints of one {@link Attempt}: SAVEPOINT, ROLLBACK TO and RELEASE queued as the attempt's steps, and the end
 * of a sub-transaction. Each keeps the attempt's {@link FailureLedger} in step, so a rollback to a savepoint undoes the
 * failures after it. Guarded by the attempt's lock ({@code queue.lock()}), as the attempt is.
 */
public final class AttemptSavepoints {
    private final Attempt attempt;
    private final StepQueue queue;
    private final FailureLedger ledger;
    private final QueryRunner runner;
    private final DbConnection connection;
    private final AtomicInteger savepointNumbers = new AtomicInteger();

    AttemptSavepoints(
            Attempt attempt, StepQueue queue, FailureLedger ledger, QueryRunner runner, DbConnection connection) {
        this.attempt = attempt;
        this.queue = queue;
        this.ledger = ledger;
        this.runner = runner;
        this.connection = connection;
    }

    /** Returns the next generated savepoint name: savepoint_1, savepoint_2, ... */
    public String nextName() {
        return "savepoint_" + savepointNumbers.incrementAndGet();
    }

    /**
     * Queues {@code SAVEPOINT name}.
     *
     * @param quoted the savepoint's name, quoted
     * @param name the name as given
     * @return completes when the savepoint exists
     */
    public CompletableFuture<Result> create(String quoted, String name) {
        return savepointStep("create a savepoint", "SAVEPOINT " + quoted, seq -> ledger.saved(name, seq));
    }

    /**
     * Queues {@code ROLLBACK TO SAVEPOINT name}: failures after the savepoint no longer count.
     *
     * @param quoted the savepoint's name, quoted
     * @param name the name as given
     * @return completes when rolled back
     */
    public CompletableFuture<Result> rollbackTo(String quoted, String name) {
        return savepointStep("roll back to a savepoint", "ROLLBACK TO SAVEPOINT " + quoted, seq -> ledger.undoTo(name));
    }

    /**
     * Queues {@code RELEASE SAVEPOINT name}.
     *
     * @param quoted the savepoint's name, quoted
     * @param name the name as given
     * @return completes when released
     */
    public CompletableFuture<Result> release(String quoted, String name) {
        return savepointStep("release a savepoint", "RELEASE SAVEPOINT " + quoted, seq -> ledger.released(name));
    }

    private CompletableFuture<Result> savepointStep(String what, String sql, LongConsumer onSuccess) {
        synchronized (queue.lock()) {
            RuntimeException refused = attempt.refusal(what);
            if (refused != null) {
                return CompletableFuture.failedFuture(refused);
            }
            return attempt.step(true, true, begin -> runner.control(connection, begin, sql), onSuccess);
        }
    }

    /**
     * Queues the end of a sub-transaction on savepoint {@code name}: when {@code commit} and nothing failed since the
     * savepoint, RELEASE; otherwise ROLLBACK TO and RELEASE, and with {@code commit} the future fails with
     * {@link TransactionRolledBackException} naming the failure.
     *
     * @param quoted the savepoint's name, quoted
     * @param name the name as given
     * @param commit true to keep the sub-transaction's work
     * @return completes when the savepoint is gone
     */
    public CompletableFuture<Result> end(String quoted, String name, boolean commit) {
        synchronized (queue.lock()) {
            RuntimeException refused =
                    attempt.refusal(commit ? "commit a nested transaction" : "roll back a nested transaction");
            if (refused != null) {
                return CompletableFuture.failedFuture(refused);
            }
            return queue.step(true, seq -> {
                FailureLedger.Failure since = ledger.firstSince(name);
                boolean keep = commit && since == null;
                CompletableFuture<Result> server = keep
                        ? attempt.withBegin(
                                true, begin -> runner.control(connection, begin, "RELEASE SAVEPOINT " + quoted))
                        : attempt.withBegin(
                                        true,
                                        begin -> runner.control(connection, begin, "ROLLBACK TO SAVEPOINT " + quoted))
                                .thenCompose(r -> {
                                    ledger.undoTo(name);
                                    return runner.control(connection, "RELEASE SAVEPOINT " + quoted);
                                });
                return server.handle((r, e) -> {
                    if (e != null) {
                        Throwable error = ErrorMapper.map(e, connection.toString());
                        ledger.failed(seq, error);
                        throw new CompletionException(error);
                    }
                    ledger.released(name);
                    if (commit && since != null) {
                        throw AttemptEnding.rolledBack(
                                "the nested transaction was rolled back because a statement in it failed: ",
                                since.error());
                    }
                    return r;
                });
            });
        }
    }
}
