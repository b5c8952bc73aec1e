package io.github.pgengine.internal.tx;

import static io.github.pgengine.internal.runtime.Completions.whenDone;

import io.github.pgengine.AmbiguousCommitException;
import io.github.pgengine.ConnectionException;
import io.github.pgengine.EngineException;
import io.github.pgengine.RetryPolicy;
import io.github.pgengine.SerializationFailureException;
import io.github.pgengine.TransactionNotCommittedException;
import io.github.pgengine.TransactionRolledBackException;
import io.github.pgengine.internal.errors.ErrorMapper;
import io.github.pgengine.internal.exec.CallerFutures;
import io.github.pgengine.internal.exec.QueryRunner;
import io.github.pgengine.internal.exec.StatementExecutor;
import io.github.pgengine.internal.observe.Observers;
import io.github.pgengine.internal.pool.Lease;
import io.github.pgengine.internal.pool.Lender;
import io.github.pgengine.internal.runtime.EngineThreads;
import io.github.pgengine.internal.runtime.EngineTimer;
import io.github.pgengine.internal.sql.StatementCache;
import io.github.pgengine.internal.wire.DbConnection;
import io.github.pgengine.internal.wire.NotSentException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a transaction callback: BEGIN, the work, then COMMIT when its stage succeeds and ROLLBACK when it fails
 * or throws; and always gives the connection back exactly once (closing it when its state is unknown).
 *
 * <p>It is the one owner of the retry policy's budget: {@code maxAttempts} counts every run of the callback,
 * whatever made the last one fail. A serialization failure (40001) runs the callback again on the same connection
 * (from CockroachDB's restart savepoint, or after ROLLBACK); a connection lost before COMMIT
 * ({@link TransactionNotCommittedException}, or an ambiguous commit of an idempotent transaction) runs it again on
 * a newly borrowed connection, possibly another host. Both wait the policy's backoff, scheduled, never slept.
 *
 * <p>A rollback error never replaces the work's error: it is added as suppressed. Cancelling the caller's
 * future abandons the transaction (see {@link TransactionSession#abandon()}). A retried attempt runs on the
 * connection's I/O thread (or the callback executor), never on the engine's timer thread.
 */
public final class TransactionRunner {
    private static final Logger LOG = LoggerFactory.getLogger("io.github.pgengine.transaction");

    /**
     * How one transaction runs.
     *
     * @param beginSql the BEGIN statement with its options
     * @param allowNested whether sub-transactions may open
     * @param retry the retry policy ({@link RetryPolicy#none()} for none)
     * @param restartSavepoint use CockroachDB's {@code SAVEPOINT cockroach_restart} protocol
     * @param autocommitBeforeDdl CockroachDB's {@code SET LOCAL autocommit_before_ddl} value, or null
     * @param idempotent ambiguous commits (40003) may be retried
     */
    public record Spec(
            String beginSql,
            boolean allowNested,
            RetryPolicy retry,
            boolean restartSavepoint,
            @Nullable Boolean autocommitBeforeDdl,
            boolean idempotent) {}

    private final QueryRunner runner;
    private final CallerFutures callers;
    private final StatementExecutor lending;
    private final StatementCache statements;
    private final Observers observers;

    /**
     * @param runner the engine's statement runner
     * @param lending where each attempt borrows its connection (asked again when a lost connection is replaced)
     * @param statements the engine's parse cache
     * @param observers the engine's observers, captured for each transaction when it is called
     */
    public TransactionRunner(
            QueryRunner runner, StatementExecutor lending, StatementCache statements, Observers observers) {
        this.runner = runner;
        this.callers = runner.callers();
        this.lending = lending;
        this.statements = statements;
        this.observers = observers;
    }

    /**
     * Runs the work in a transaction.
     *
     * @param spec how to run
     * @param facade makes the caller's view of an attempt
     * @param work the caller's callback
     * @param <X> the caller's transaction type
     * @param <T> the result type
     * @return the work's result after COMMIT; fails with the work's error after ROLLBACK
     */
    public <X, T> CompletableFuture<T> run(
            Spec spec, Function<Attempt, X> facade, Function<? super X, ? extends CompletionStage<T>> work) {
        Run<X, T> run = new Run<>(observers.capture(), spec, facade, work);
        run.connect(1, null);
        return run.result;
    }

    private final class Run<X, T> {
        private final Observers.Call call;
        private volatile Observers.Tx observed = Observers.Tx.NONE;
        private final Spec spec;
        private final Function<Attempt, X> facade;
        private final Function<? super X, ? extends CompletionStage<T>> work;
        private final CompletableFuture<T> result = new CompletableFuture<>();
        /** The connection's session of the attempt running now; null before the first connection arrives. */
        private volatile @Nullable TransactionSession session;

        Run(
                Observers.Call call,
                Spec spec,
                Function<Attempt, X> facade,
                Function<? super X, ? extends CompletionStage<T>> work) {
            this.call = call;
            this.spec = spec;
            this.facade = facade;
            this.work = work;
            whenDone(result, (r, e) -> {
                TransactionSession s = session;
                if (result.isCancelled() && s != null) {
                    observed.ended(new CancellationException("cancelled by the caller"));
                    s.abandon();
                }
            });
        }

        /**
         * Borrows a connection for attempt {@code n} and starts it there.
         *
         * @param lost why the last attempt's connection was lost (the caller's error if no connection comes), or null
         */
        void connect(int n, @Nullable Throwable lost) {
            Lender lender;
            try {
                lender = lending.transactionLender();
            } catch (RuntimeException e) {
                giveUp(lost, e);
                return;
            }
            Lease.borrow(lender.acquire(), lender.release(), result, error -> giveUp(lost, error), lease -> {
                if (n == 1) {
                    observed = call.transaction();
                }
                TransactionSession s = new TransactionSession(
                        lease, runner, statements, spec.allowNested(), spec.restartSavepoint(), observed);
                session = s;
                if (result.isCancelled()) {
                    s.abandon();
                    return;
                }
                attempt(s, n, true);
            });
        }

        /** No connection for an attempt: the caller gets why the last one was lost, or else why none came. */
        private void giveUp(@Nullable Throwable lost, Throwable error) {
            if (lost == null) {
                callers.fail(call, result, error);
                return;
            }
            lost.addSuppressed(callers.mapped(error));
            observed.ended(lost);
            callers.failUnmapped(call, result, lost);
        }

        /**
         * Starts attempt {@code n}: BEGIN (or, when retrying on CockroachDB, from the restart savepoint). On
         * PostgreSQL BEGIN travels with the work's first statement; CockroachDB's restart protocol sends it, and
         * the restart savepoint, ahead of the work.
         */
        private void attempt(TransactionSession s, int n, boolean begin) {
            Attempt a = s.begin();
            if (s.isAbandoned()) {
                return;
            }
            CompletableFuture<?> ready = CompletableFuture.completedFuture(null);
            if (begin && !spec.restartSavepoint() && spec.autocommitBeforeDdl() == null) {
                a.beginWith(List.of(spec.beginSql()));
            } else if (begin) {
                ready = a.control(spec.beginSql());
                if (spec.restartSavepoint()) {
                    ready = ready.thenCompose(r -> a.control("SAVEPOINT " + TransactionSession.RESTART_SAVEPOINT));
                }
            }
            if (spec.autocommitBeforeDdl() != null) {
                String set = "SET LOCAL autocommit_before_ddl = " + (spec.autocommitBeforeDdl() ? "on" : "off");
                ready = ready.thenCompose(r -> a.control(set));
            }
            whenDone(ready, (r, error) -> {
                if (error != null) {
                    failed(s, a, ErrorMapper.map(error, s.connection().toString()), n);
                    return;
                }
                callback(a).whenComplete((value, workError) -> {
                    if (workError == null) {
                        commit(s, a, value, n);
                    } else {
                        failed(s, a, ErrorMapper.unwrap(workError), n);
                    }
                });
            });
        }

        /**
         * Calls the work for an attempt, wrapped by the observers (OpenTelemetry makes the transaction's span
         * current); a wrapper that does not run it at once cannot make it run twice or hang.
         */
        private CompletionStage<T> callback(Attempt a) {
            AtomicReference<@Nullable CompletionStage<T>> stage = new AtomicReference<>();
            Runnable call = () -> {
                synchronized (stage) {
                    if (stage.get() == null) {
                        stage.set(Work.call(work, facade.apply(a)));
                    }
                }
            };
            observed.wrap(call).run();
            call.run();
            return Objects.requireNonNull(stage.get());
        }

        private void commit(TransactionSession s, Attempt a, @Nullable T value, int n) {
            CompletableFuture<?> outcome = a.state() == Attempt.State.ACTIVE ? a.commit(false) : a.idle();
            whenDone(outcome, (r, error) -> {
                if (error == null) {
                    done(s, value, null, n);
                    return;
                }
                Throwable e = lostCommit(
                        s, error, ErrorMapper.map(error, s.connection().toString()));
                if (retryable(s, e, n)) {
                    retry(s, a, (EngineException) retryCause(e), n);
                } else {
                    done(s, null, withAttempts(e, n), n);
                }
            });
        }

        private void failed(TransactionSession s, Attempt a, Throwable workError, int n) {
            Throwable error = lostBeforeCommit(s, workError);
            if (a.state() != Attempt.State.ACTIVE) {
                // ended by the callback itself (or being retried): wait for its SQL, then report the work's error
                whenDone(a.idle(), (v, e) -> done(s, null, error, n));
                return;
            }
            if (retryable(s, error, n)) {
                retry(s, a, (EngineException) retryCause(error), n);
                return;
            }
            whenDone(a.rollback(false), (r, rollbackError) -> {
                if (rollbackError != null && !(rollbackError instanceof CancellationException)) {
                    error.addSuppressed(
                            ErrorMapper.map(rollbackError, s.connection().toString()));
                }
                done(s, null, error instanceof EngineException ee ? withAttempts(ee, n) : error, n);
            });
        }

        /** On the same connection: a lost connection is retried by the engine on another one, if at all. */
        private boolean retryable(TransactionSession s, Throwable e, int n) {
            if (n >= spec.retry().maxAttempts()
                    || result.isDone()
                    || !s.connection().isAlive()) {
                return false;
            }
            Throwable cause = retryCause(e);
            if (cause instanceof AmbiguousCommitException) {
                return spec.idempotent();
            }
            return cause instanceof EngineException ee && ErrorMapper.isRetryable(ee);
        }

        /**
         * A COMMIT that failed because the connection was lost: ambiguous once it was sent, not committed when it never
         * left (the connection was already gone).
         */
        private Throwable lostCommit(TransactionSession s, Throwable raw, Throwable mapped) {
            if (!(mapped instanceof ConnectionException)
                    || mapped instanceof TransactionNotCommittedException
                    || s.connection().isAlive()) {
                return mapped;
            }
            if (ErrorMapper.unwrap(raw) instanceof NotSentException) {
                return lostBeforeCommit(s, mapped);
            }
            return new AmbiguousCommitException(
                    "the connection to " + s.connection() + " was lost after COMMIT was sent and before its answer: "
                            + "the transaction may or may not have committed; check before running it again ("
                            + mapped.getMessage() + ")",
                    mapped);
        }

        /** A connection error of a transaction whose connection is gone before COMMIT: nothing was committed. */
        private Throwable lostBeforeCommit(TransactionSession s, Throwable error) {
            if (error instanceof ConnectionException ce
                    && !(error instanceof TransactionNotCommittedException)
                    && !s.connection().isAlive()) {
                TransactionNotCommittedException e = new TransactionNotCommittedException(
                        "the connection was lost before COMMIT was sent; nothing was committed and the transaction "
                                + "is safe to run again: " + ce.getMessage(),
                        ce);
                for (Throwable suppressed : ce.getSuppressed()) {
                    e.addSuppressed(suppressed);
                }
                return e;
            }
            return error;
        }

        /** A commit rolled back because of a serialization failure is retried as that failure. */
        private Throwable retryCause(Throwable e) {
            if (e instanceof TransactionRolledBackException && e.getCause() instanceof EngineException cause) {
                return cause;
            }
            return e;
        }

        /** Rolls back (to the restart savepoint on CockroachDB) and schedules the next attempt. */
        private void retry(TransactionSession s, Attempt a, EngineException error, int n) {
            DbConnection connection = s.connection();
            boolean open = connection.transactionStatus() != 'I';
            boolean savepoint = spec.restartSavepoint() && open && !(error instanceof AmbiguousCommitException);
            a.end();
            CompletableFuture<?> undo;
            if (savepoint) {
                undo = a.control("ROLLBACK TO SAVEPOINT " + TransactionSession.RESTART_SAVEPOINT);
            } else if (open) {
                undo = a.control("ROLLBACK");
            } else {
                undo = CompletableFuture.completedFuture(null);
            }
            whenDone(undo, (r, undoError) -> {
                if (undoError != null) {
                    connection.retire();
                    if (!(undoError instanceof CancellationException)) {
                        error.addSuppressed(ErrorMapper.map(undoError, connection.toString()));
                    }
                    done(s, null, withAttempts(error, n), n);
                    return;
                }
                observed.retrying(n + 1, error);
                Duration delay = spec.retry().backoff(n);
                LOG.debug(
                        "transaction attempt {} of {} failed with SQLSTATE {}; retrying in {} ms: {}",
                        n,
                        spec.retry().maxAttempts(),
                        error.sqlState(),
                        delay.toMillis(),
                        error.serverMessage());
                EngineTimer.later(
                        () -> connection.executor().execute(() -> {
                            if (result.isDone()) {
                                s.abandon();
                                return;
                            }
                            attempt(s, n + 1, !savepoint);
                        }),
                        delay.toNanos(),
                        TimeUnit.NANOSECONDS);
            });
        }

        /**
         * Gives the connection back (once every queued step has run), then completes the caller's future; or, when the
         * connection was lost before COMMIT and the budget allows another attempt, runs the work again on a new one.
         */
        private void done(TransactionSession s, @Nullable T value, @Nullable Throwable error, int n) {
            if (s.isAbandoned()) {
                return;
            }
            if (error != null && reconnectable(error, n)) {
                reconnect(s, (EngineException) error, n);
                return;
            }
            observed.ended(error);
            whenDone(s.close(), (v, e) -> {
                if (error != null) {
                    callers.failUnmapped(call, result, error);
                } else {
                    callers.succeed(call, result, value);
                }
            });
        }

        /**
         * A connection lost before COMMIT (nothing committed), or lost after an idempotent transaction's COMMIT was
         * sent: worth another attempt on a new connection while the budget lasts.
         */
        private boolean reconnectable(Throwable error, int n) {
            boolean lost = error instanceof TransactionNotCommittedException
                    || (error instanceof AmbiguousCommitException && spec.idempotent() && error.getCause() != null);
            return lost && n < spec.retry().maxAttempts() && !result.isDone();
        }

        /** Gives the lost connection back and, after the policy's backoff, borrows another for attempt n + 1. */
        private void reconnect(TransactionSession s, EngineException lost, int n) {
            Duration delay = spec.retry().backoff(n);
            observed.retrying(n + 1, lost);
            LOG.debug(
                    "transaction attempt {} of {} lost its connection before COMMIT; running it again on another "
                            + "connection in {} ms: {}",
                    n,
                    spec.retry().maxAttempts(),
                    delay.toMillis(),
                    lost.getMessage());
            whenDone(
                    s.close(),
                    (v, e) -> EngineTimer.later(
                            () -> EngineThreads.offEngineThreads(() -> {
                                if (!result.isDone()) {
                                    connect(n + 1, lost);
                                }
                            }),
                            delay.toNanos(),
                            TimeUnit.NANOSECONDS));
        }

        private Throwable withAttempts(Throwable e, int n) {
            if (n <= 1 || !(e instanceof SerializationFailureException s)) {
                return e;
            }
            SerializationFailureException out = new SerializationFailureException(
                    "gave up after " + n + " attempts: " + s.getMessage(), s.details(), n, s.getCause());
            for (Throwable suppressed : s.getSuppressed()) {
                out.addSuppressed(suppressed);
            }
            return out;
        }
    }
}
