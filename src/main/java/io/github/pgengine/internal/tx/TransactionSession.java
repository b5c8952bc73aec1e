package io.github.pgengine.internal.tx;

import io.github.pgengine.TransactionException;
import io.github.pgengine.TransactionRolledBackException;
import io.github.pgengine.internal.ErrorMapper;
import io.github.pgengine.internal.QueryRunner;
import io.github.pgengine.internal.driver.DbConnection;
import io.github.pgengine.internal.driver.Result;
import io.github.pgengine.internal.pool.Lease;
import io.github.pgengine.internal.sql.Statement;
import io.github.pgengine.internal.sql.StatementCache;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One transaction's hold on a connection, across all its attempts (CockroachDB retries).
 *
 * <p>Everything sent on the connection goes through one queue of steps that run strictly one after another in
 * the order they were queued, so statements a caller fires without waiting all run, in call order, before the
 * COMMIT that follows them. Each attempt ({@link Attempt}) keeps, in queue order, which statements failed and which
 * savepoints exist: a failure counts until a rollback to a savepoint made before it undoes it, and COMMIT is sent
 * only when no failure counts (otherwise ROLLBACK, and the commit fails with
 * {@link TransactionRolledBackException}). The connection is given back exactly once, by the last step.
 */
public final class TransactionSession {
    /** CockroachDB's client-side retry savepoint. */
    public static final String RESTART_SAVEPOINT = "cockroach_restart";

    /** Where an attempt stands. */
    public enum State {
        /** statements may be queued */
        ACTIVE,
        /** a commit or rollback is queued; nothing new may be queued */
        ENDING,
        /** committed or rolled back */
        ENDED
    }

    private final Lease lease;
    private final DbConnection connection;
    private final QueryRunner runner;
    private final StatementCache statements;
    private final boolean allowNested;
    private final boolean restartSavepoint;
    private final Object lock = new Object();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private CompletableFuture<?> tail = CompletableFuture.completedFuture(null);
    private volatile boolean abandoned;
    private boolean closing;
    private @Nullable Attempt current;

    /**
     * @param lease the borrowed connection, released by {@link #close()}
     * @param runner sends statements with logging
     * @param statements the engine's parse cache
     * @param allowNested whether sub-transactions may open
     * @param restartSavepoint whether the transaction uses CockroachDB's {@code cockroach_restart} savepoint
     */
    public TransactionSession(Lease lease, QueryRunner runner, StatementCache statements, boolean allowNested,
            boolean restartSavepoint) {
        this.lease = lease;
        this.connection = lease.connection();
        this.runner = runner;
        this.statements = statements;
        this.allowNested = allowNested;
        this.restartSavepoint = restartSavepoint;
    }

    /** @return the pinned connection */
    public DbConnection connection() {
        return connection;
    }

    /** @return the runner, for completing callers' futures */
    public QueryRunner runner() {
        return runner;
    }

    /** @return true once the caller cancelled (or the engine gave up on) the transaction */
    public boolean isAbandoned() {
        return abandoned;
    }

    /**
     * Starts an attempt; the previous one, if any, is over.
     *
     * @return the attempt
     */
    public Attempt begin() {
        synchronized (lock) {
            Attempt previous = current;
            if (previous != null) {
                previous.state = State.ENDED;
            }
            Attempt a = new Attempt();
            current = a;
            return a;
        }
    }

    /**
     * The caller has gone: statements not yet sent fail with {@link CancellationException}, the one running is
     * cancelled on the server, and ROLLBACK follows (unless the server says no transaction is open any more).
     * Then the connection goes back. Does nothing once the connection is being given back.
     *
     * @return completes when the connection is back
     */
    public CompletableFuture<Void> abandon() {
        synchronized (lock) {
            if (abandoned || closing) {
                return closed.copy();
            }
            abandoned = true;
        }
        runner.canceller().cancel(connection).whenComplete((v, e) -> {
            finalStep(() -> connection.transactionStatus() == 'I' ? CompletableFuture.completedFuture(null)
                    : runner.control(connection, "ROLLBACK"));
            close();
        });
        return closed.copy();
    }

    /**
     * Gives the connection back once every queued step has run; later calls do nothing.
     *
     * @return completes when the connection is back
     */
    public CompletableFuture<Void> close() {
        CompletableFuture<?> previous;
        synchronized (lock) {
            if (closing) {
                return closed.copy();
            }
            closing = true;
            previous = tail;
            tail = closed;
        }
        previous.whenComplete((r, e) -> {
            if (connection.isBusy() || connection.transactionStatus() != 'I') {
                connection.retire();
            }
            lease.release();
            closed.complete(null);
        });
        return closed.copy();
    }

    /** Queues an engine step that runs even when the transaction was abandoned. */
    private CompletableFuture<@Nullable Result> finalStep(Supplier<CompletableFuture<@Nullable Result>> action) {
        CompletableFuture<@Nullable Result> done = new CompletableFuture<>();
        CompletableFuture<?> previous;
        synchronized (lock) {
            if (closing) {
                done.completeExceptionally(new IllegalStateException("the transaction's connection was given back"));
                return done;
            }
            previous = tail;
            tail = done;
        }
        previous.whenComplete((r, e) -> {
            CompletableFuture<@Nullable Result> f;
            try {
                f = action.get();
            } catch (RuntimeException ex) {
                f = CompletableFuture.failedFuture(ex);
            }
            f.whenComplete((rr, ee) -> {
                if (ee != null) {
                    connection.retire();
                    done.completeExceptionally(ee);
                } else {
                    done.complete(rr);
                }
            });
        });
        return done;
    }

    /** A failed statement, by its place in the queue. */
    private record Failure(long seq, Throwable error) {}

    /** A savepoint, by its place in the queue. */
    private record Mark(String name, long seq) {}

    /**
     * One attempt of the transaction: what the caller's {@code Transaction} works on. Its bookkeeping (failures,
     * savepoints) is touched only by its steps, which run one at a time.
     */
    public final class Attempt {
        private final AtomicInteger savepointNumbers = new AtomicInteger();
        private final List<Failure> failures = new ArrayList<>();
        private final List<Mark> marks = new ArrayList<>();
        private long executed;
        private State state = State.ACTIVE;
        private @Nullable Throwable endError;
        private boolean endedByCaller;
        private String outcome = "ended";

        private Attempt() {}

        /** @return the session this attempt belongs to */
        public TransactionSession session() {
            return TransactionSession.this;
        }

        /** @return the state now */
        public State state() {
            synchronized (lock) {
                return state;
            }
        }

        /** @return true while statements may be queued */
        public boolean isActive() {
            synchronized (lock) {
                return state == State.ACTIVE && !abandoned && current == this;
            }
        }

        /** @return true when sub-transactions may open */
        public boolean allowNested() {
            return allowNested;
        }

        /** @return the next generated savepoint name: savepoint_1, savepoint_2, ... */
        public String nextSavepointName() {
            return "savepoint_" + savepointNumbers.incrementAndGet();
        }

        /** @return true when the caller ended this attempt with {@code commit()} or {@code rollback()} */
        public boolean endedByCaller() {
            synchronized (lock) {
                return endedByCaller;
            }
        }

        /**
         * Queues a caller's statement. A statement that cannot be sent (bad SQL text or values) fails at once and
         * also counts as a failure of the transaction.
         *
         * @param sql one statement
         * @param params its values
         * @return the result; fails with the statement's error (unmapped), {@link TransactionException} when the
         *     transaction has ended, {@link CancellationException} when it was cancelled
         */
        public CompletableFuture<Result> statement(@Nullable String sql, @Nullable Object @Nullable [] params) {
            Statement st;
            try {
                st = Statement.of(statements, java.util.Objects.requireNonNull(sql, "sql must not be null"), params);
            } catch (RuntimeException e) {
                synchronized (lock) {
                    if (state == State.ACTIVE && current == this && !abandoned) {
                        step(true, true, () -> CompletableFuture.failedFuture(e), null);
                    }
                }
                return CompletableFuture.failedFuture(e);
            }
            return statement(st);
        }

        /**
         * Queues a caller's statement that was already checked.
         *
         * @param st the statement
         * @return the result
         */
        public CompletableFuture<Result> statement(Statement st) {
            synchronized (lock) {
                RuntimeException refused = refusal("run a statement");
                if (refused != null) {
                    return CompletableFuture.failedFuture(refused);
                }
                return step(true, true, () -> runner.send(connection, st.sql(), st), null);
            }
        }

        /**
         * Queues one of the engine's own statements that is part of the attempt (BEGIN, SET LOCAL, SAVEPOINT
         * cockroach_restart, ROLLBACK TO SAVEPOINT cockroach_restart); it runs whatever the attempt's state, but not
         * after the transaction was abandoned.
         *
         * @param sql the statement
         * @return the result
         */
        public CompletableFuture<Result> control(String sql) {
            synchronized (lock) {
                return step(false, false, () -> runner.control(connection, sql), null);
            }
        }

        /**
         * Queues {@code SAVEPOINT name}.
         *
         * @param quoted the savepoint's name, quoted
         * @param name the name as given
         * @return completes when the savepoint exists
         */
        public CompletableFuture<Result> savepoint(String quoted, String name) {
            synchronized (lock) {
                RuntimeException refused = refusal("create a savepoint");
                if (refused != null) {
                    return CompletableFuture.failedFuture(refused);
                }
                return step(true, true, () -> runner.control(connection, "SAVEPOINT " + quoted),
                        seq -> marks.add(new Mark(name, seq)));
            }
        }

        /**
         * Queues {@code ROLLBACK TO SAVEPOINT name}: failures after the savepoint no longer count.
         *
         * @param quoted the savepoint's name, quoted
         * @param name the name as given
         * @return completes when rolled back
         */
        public CompletableFuture<Result> rollbackTo(String quoted, String name) {
            synchronized (lock) {
                RuntimeException refused = refusal("roll back to a savepoint");
                if (refused != null) {
                    return CompletableFuture.failedFuture(refused);
                }
                return step(true, true, () -> runner.control(connection, "ROLLBACK TO SAVEPOINT " + quoted),
                        seq -> undoTo(name));
            }
        }

        /**
         * Queues {@code RELEASE SAVEPOINT name}.
         *
         * @param quoted the savepoint's name, quoted
         * @param name the name as given
         * @return completes when released
         */
        public CompletableFuture<Result> release(String quoted, String name) {
            synchronized (lock) {
                RuntimeException refused = refusal("release a savepoint");
                if (refused != null) {
                    return CompletableFuture.failedFuture(refused);
                }
                return step(true, true, () -> runner.control(connection, "RELEASE SAVEPOINT " + quoted),
                        seq -> dropFrom(name));
            }
        }

        /**
         * Queues the end of a sub-transaction on savepoint {@code name}: when {@code commit} and nothing failed since
         * the savepoint, RELEASE; otherwise ROLLBACK TO and RELEASE, and with {@code commit} the future fails with
         * {@link TransactionRolledBackException} naming the failure.
         *
         * @param quoted the savepoint's name, quoted
         * @param name the name as given
         * @param commit true to keep the sub-transaction's work
         * @return completes when the savepoint is gone
         */
        public CompletableFuture<Result> endSavepoint(String quoted, String name, boolean commit) {
            synchronized (lock) {
                RuntimeException refused = refusal(commit ? "commit a nested transaction" : "roll back a nested transaction");
                if (refused != null) {
                    return CompletableFuture.failedFuture(refused);
                }
                return step(true, false, () -> {
                    long seq = executed;
                    Failure since = firstFailureSince(name);
                    boolean keep = commit && since == null;
                    CompletableFuture<Result> server = keep
                            ? runner.control(connection, "RELEASE SAVEPOINT " + quoted)
                            : runner.control(connection, "ROLLBACK TO SAVEPOINT " + quoted).thenCompose(r -> {
                                undoTo(name);
                                return runner.control(connection, "RELEASE SAVEPOINT " + quoted);
                            });
                    return server.handle((r, e) -> {
                        if (e != null) {
                            Throwable error = ErrorMapper.map(e, connection.toString());
                            failures.add(new Failure(seq, error));
                            throw new java.util.concurrent.CompletionException(error);
                        }
                        dropFrom(name);
                        if (commit && since != null) {
                            throw rolledBack("the nested transaction was rolled back because a statement in it failed: ",
                                    since.error());
                        }
                        return r;
                    });
                }, null);
            }
        }

        /**
         * Queues the commit after everything queued so far: COMMIT (on CockroachDB RELEASE SAVEPOINT
         * cockroach_restart first) when no failure counts, otherwise ROLLBACK.
         *
         * @param byCaller true when the caller's callback asked for it ({@code tx.commit()})
         * @return completes when committed; fails with {@link TransactionRolledBackException} when the
         *     transaction was rolled back instead, or the server's error
         */
        public CompletableFuture<Result> commit(boolean byCaller) {
            synchronized (lock) {
                RuntimeException refused = refusal("commit");
                if (refused != null) {
                    return CompletableFuture.failedFuture(refused);
                }
                state = State.ENDING;
                endedByCaller = byCaller;
                CompletableFuture<Result> done = step(false, false, this::commitNow, null);
                done.whenComplete((r, e) -> ended(e, e == null ? "committed" : "rolled back"));
                return done;
            }
        }

        private CompletableFuture<Result> commitNow() {
            if (!failures.isEmpty()) {
                Failure first = failures.get(0);
                return runner.control(connection, "ROLLBACK").handle((r, e) -> {
                    if (e != null) {
                        connection.retire();
                    }
                    throw rolledBack("the transaction was rolled back because a statement in it failed: ", first.error());
                });
            }
            CompletableFuture<Result> released = restartSavepoint
                    ? runner.control(connection, "RELEASE SAVEPOINT " + RESTART_SAVEPOINT)
                    : CompletableFuture.completedFuture(null);
            return released.thenCompose(r -> runner.control(connection, "COMMIT")).thenApply(r -> {
                if (r.tag().equals("ROLLBACK")) {
                    throw new TransactionRolledBackException("the server answered COMMIT with ROLLBACK: the "
                            + "transaction had been aborted by an earlier error, and none of its changes were kept", null);
                }
                return r;
            });
        }

        /**
         * Queues ROLLBACK after everything queued so far.
         *
         * @param byCaller true when the caller's callback asked for it ({@code tx.rollback()})
         * @return completes when rolled back
         */
        public CompletableFuture<Result> rollback(boolean byCaller) {
            synchronized (lock) {
                RuntimeException refused = refusal("roll back");
                if (refused != null) {
                    return CompletableFuture.failedFuture(refused);
                }
                state = State.ENDING;
                endedByCaller = byCaller;
                CompletableFuture<Result> done = step(false, false, () -> runner.control(connection, "ROLLBACK"), null);
                done.whenComplete((r, e) -> {
                    if (e != null) {
                        connection.retire();
                    }
                    ended(null, "rolled back");
                });
                return done;
            }
        }

        /**
         * Ends the attempt in the engine's books without SQL (a retry follows, or the runner rolls back itself).
         */
        public void end() {
            synchronized (lock) {
                state = State.ENDED;
            }
        }

        /**
         * @return completes when every step queued so far has run; with the outcome of a commit the caller asked for
         *     (so a manual commit that was rolled back is not reported as success)
         */
        public CompletableFuture<Void> idle() {
            CompletableFuture<?> previous;
            synchronized (lock) {
                previous = tail;
            }
            return previous.handle((r, e) -> null).thenApply(v -> {
                Throwable error;
                synchronized (lock) {
                    error = endError;
                }
                if (error != null) {
                    throw new java.util.concurrent.CompletionException(error);
                }
                return null;
            });
        }

        private void ended(@Nullable Throwable error, String how) {
            synchronized (lock) {
                state = State.ENDED;
                outcome = how;
                if (endedByCaller && error != null) {
                    endError = ErrorMapper.unwrap(error);
                }
            }
        }

        /** @return why nothing more may be queued, or null when it may (call holding the lock) */
        private @Nullable RuntimeException refusal(String what) {
            if (abandoned) {
                return new CancellationException("cannot " + what + ": the transaction was cancelled or its "
                        + "connection failed");
            }
            if (current != this) {
                return new TransactionException("cannot " + what + ": this attempt of the transaction is over (it is "
                        + "being retried)");
            }
            return switch (state) {
                case ACTIVE -> null;
                case ENDING -> new TransactionException("cannot " + what + ": the transaction is already committing or "
                        + "rolling back");
                case ENDED -> new TransactionException("cannot " + what + ": the transaction was already " + outcome);
            };
        }

        /**
         * Queues a step (call holding the lock).
         *
         * @param callers true for the caller's statements: skipped once the transaction is abandoned, and a result
         *     arriving after that completes as cancelled
         * @param record true to count the step's failure against the transaction
         */
        private CompletableFuture<Result> step(boolean callers, boolean record, Supplier<CompletableFuture<Result>> action,
                java.util.function.@Nullable LongConsumer onSuccess) {
            CompletableFuture<Result> done = new CompletableFuture<>();
            if (closing) {
                done.completeExceptionally(new TransactionException("the transaction's connection was given back"));
                return done;
            }
            CompletableFuture<?> previous = tail;
            tail = done;
            previous.whenComplete((r, e) -> {
                if (abandoned) {
                    done.completeExceptionally(new CancellationException("the transaction was cancelled before this "
                            + "statement ran"));
                    return;
                }
                long seq = ++executed;
                CompletableFuture<Result> f;
                try {
                    f = action.get();
                } catch (RuntimeException ex) {
                    f = CompletableFuture.failedFuture(ex);
                }
                f.whenComplete((result, error) -> {
                    if (error != null) {
                        if (record) {
                            failures.add(new Failure(seq, ErrorMapper.map(error, connection.toString())));
                        }
                    } else if (onSuccess != null) {
                        onSuccess.accept(seq);
                    }
                    if (callers && abandoned) {
                        CancellationException c = new CancellationException("the transaction was cancelled");
                        if (error != null) {
                            c.initCause(ErrorMapper.unwrap(error));
                        }
                        done.completeExceptionally(c);
                    } else if (error != null) {
                        done.completeExceptionally(ErrorMapper.unwrap(error));
                    } else {
                        done.complete(result);
                    }
                });
            });
            return done.copy();
        }

        private @Nullable Failure firstFailureSince(String name) {
            long from = markSeq(name);
            for (Failure f : failures) {
                if (f.seq() > from) {
                    return f;
                }
            }
            return null;
        }

        private long markSeq(String name) {
            for (int i = marks.size() - 1; i >= 0; i--) {
                if (marks.get(i).name().equals(name)) {
                    return marks.get(i).seq();
                }
            }
            return Long.MAX_VALUE;
        }

        /** After ROLLBACK TO SAVEPOINT name: failures after it are undone; later savepoints are gone. */
        private void undoTo(String name) {
            for (int i = marks.size() - 1; i >= 0; i--) {
                if (marks.get(i).name().equals(name)) {
                    long seq = marks.get(i).seq();
                    failures.removeIf(f -> f.seq() > seq);
                    marks.subList(i + 1, marks.size()).clear();
                    return;
                }
            }
        }

        /** After RELEASE SAVEPOINT name: it and later savepoints are gone (their failures stay). */
        private void dropFrom(String name) {
            for (int i = marks.size() - 1; i >= 0; i--) {
                if (marks.get(i).name().equals(name)) {
                    marks.subList(i, marks.size()).clear();
                    return;
                }
            }
        }

        @Override
        public String toString() {
            return "Transaction{" + state() + ", on " + connection + "}";
        }
    }

    private static TransactionRolledBackException rolledBack(String message, Throwable cause) {
        return new TransactionRolledBackException(message + cause.getMessage(), cause);
    }
}
