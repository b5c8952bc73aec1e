package io.github.pgengine.internal;

import io.github.pgengine.AmbiguousCommitException;
import io.github.pgengine.EngineException;
import io.github.pgengine.RetryPolicy;
import io.github.pgengine.SerializationFailureException;
import io.github.pgengine.TransientEngineException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a transaction callback: BEGIN, the work, COMMIT when its stage succeeds and ROLLBACK when it fails or
 * throws, retries of serialization failures with scheduled backoff, and always gives the connection back
 * (closing it when its state is unknown).
 *
 * <p>A rollback error never replaces the work's error: it is added as suppressed. Cancelling the caller's
 * future abandons the transaction: no statement of the work runs any more, ROLLBACK is sent once the statement
 * in flight has finished, and the connection goes back.
 */
public final class TransactionRunner {
    private static final Logger LOG = LoggerFactory.getLogger("io.github.pgengine.transaction");
    /** CockroachDB's client-side retry savepoint. */
    public static final String RESTART_SAVEPOINT = "cockroach_restart";

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
    private final StatementCache statements;

    /**
     * @param runner the engine's statement runner
     * @param statements the engine's parse cache
     */
    public TransactionRunner(QueryRunner runner, StatementCache statements) {
        this.runner = runner;
        this.statements = statements;
    }

    /**
     * Runs the work in a transaction.
     *
     * @param acquire borrows a connection
     * @param release gives it back
     * @param spec how to run
     * @param facade makes the caller's view of the transaction
     * @param work the caller's callback
     * @param <X> the caller's transaction type
     * @param <T> the result type
     * @return the work's result after COMMIT; fails with the work's error after ROLLBACK
     */
    public <X, T> CompletableFuture<T> run(
            Supplier<CompletableFuture<DbConnection>> acquire,
            Consumer<DbConnection> release,
            Spec spec,
            Function<TransactionSession, X> facade,
            Function<? super X, ? extends CompletionStage<T>> work) {
        return new Run<>(acquire, release, spec, facade, work).start();
    }

    private final class Run<X, T> {
        private final Supplier<CompletableFuture<DbConnection>> acquire;
        private final Consumer<DbConnection> release;
        private final Spec spec;
        private final Function<TransactionSession, X> facade;
        private final Function<? super X, ? extends CompletionStage<T>> work;
        private final CompletableFuture<T> result = new CompletableFuture<>();
        private final AtomicReference<@Nullable TransactionSession> current = new AtomicReference<>();

        Run(Supplier<CompletableFuture<DbConnection>> acquire, Consumer<DbConnection> release, Spec spec,
                Function<TransactionSession, X> facade, Function<? super X, ? extends CompletionStage<T>> work) {
            this.acquire = acquire;
            this.release = release;
            this.spec = spec;
            this.facade = facade;
            this.work = work;
        }

        CompletableFuture<T> start() {
            CompletableFuture<DbConnection> lease;
            try {
                lease = acquire.get();
            } catch (RuntimeException e) {
                runner.fail(result, e);
                return result;
            }
            result.whenComplete((r, e) -> {
                if (result.isCancelled()) {
                    lease.cancel(false);
                    abandon();
                }
            });
            lease.whenComplete((connection, error) -> {
                if (error != null) {
                    runner.fail(result, error);
                } else if (result.isDone()) {
                    release.accept(connection);
                } else {
                    attempt(connection, 1, true);
                }
            });
            return result;
        }

        /** Starts attempt {@code n}: BEGIN (or, when retrying on CockroachDB, back to the restart savepoint). */
        private void attempt(DbConnection connection, int n, boolean begin) {
            TransactionSession session = new TransactionSession(connection, runner, statements, spec.allowNested(),
                    spec.restartSavepoint());
            current.set(session);
            if (result.isDone()) {
                abandon();
                return;
            }
            CompletableFuture<?> ready;
            if (begin) {
                ready = session.control(spec.beginSql(), false);
                if (spec.restartSavepoint()) {
                    ready = ready.thenCompose(r -> session.control("SAVEPOINT " + RESTART_SAVEPOINT, false));
                }
            } else {
                ready = CompletableFuture.completedFuture(null);
            }
            if (spec.autocommitBeforeDdl() != null) {
                String value = spec.autocommitBeforeDdl() ? "on" : "off";
                ready = ready.thenCompose(r -> session.control("SET LOCAL autocommit_before_ddl = " + value, false));
            }
            ready.whenComplete((r, error) -> {
                if (error != null) {
                    finishFailed(session, ErrorMapper.map(error, connection.toString()), n);
                    return;
                }
                CompletionStage<T> stage;
                try {
                    stage = work.apply(facade.apply(session));
                    if (stage == null) {
                        throw new NullPointerException("the transaction callback returned null instead of a CompletionStage");
                    }
                } catch (Throwable t) {
                    stage = CompletableFuture.failedFuture(t);
                }
                stage.whenComplete((value, workError) -> {
                    if (workError == null) {
                        commit(session, value, n);
                    } else {
                        finishFailed(session, ErrorMapper.unwrap(workError), n);
                    }
                });
            });
        }

        private void commit(TransactionSession session, @Nullable T value, int n) {
            switch (session.state()) {
                case COMMITTED, ROLLED_BACK -> {
                    // ended by the callback itself (manual commit or rollback): wait for its SQL, then give back
                    session.idle().whenComplete((v, e) -> done(session, value, null));
                    return;
                }
                case ABANDONED -> {
                    return;
                }
                case ACTIVE -> { }
            }
            session.commit().whenComplete((r, error) -> {
                if (error == null) {
                    done(session, value, null);
                    return;
                }
                Throwable e = ErrorMapper.unwrap(error);
                EngineException mapped = ErrorMapper.map(e, session.connection().toString()) instanceof EngineException ee ? ee : null;
                if (mapped != null && retryable(mapped, n)) {
                    retry(session, mapped, n);
                    return;
                }
                // a failed COMMIT ends the transaction on the server; ROLLBACK makes sure, and is harmless
                session.control("ROLLBACK", true).whenComplete((rr, re) -> {
                    if (re != null) {
                        session.connection().retire();
                    }
                    done(session, null, mapped != null ? withAttempts(mapped, n) : e);
                });
            });
        }

        private void finishFailed(TransactionSession session, Throwable error, int n) {
            switch (session.state()) {
                case COMMITTED, ROLLED_BACK -> {
                    session.idle().whenComplete((v, e) -> done(session, null, error));
                    return;
                }
                case ABANDONED -> {
                    return;
                }
                case ACTIVE -> { }
            }
            if (error instanceof EngineException ee && retryable(ee, n)) {
                session.end(TransactionSession.State.ROLLED_BACK);
                retry(session, ee, n);
                return;
            }
            session.end(TransactionSession.State.ROLLED_BACK);
            session.control("ROLLBACK", true).whenComplete((r, rollbackError) -> {
                if (rollbackError != null) {
                    session.connection().retire();
                    error.addSuppressed(ErrorMapper.map(rollbackError, session.connection().toString()));
                }
                done(session, null, error instanceof EngineException ee ? withAttempts(ee, n) : error);
            });
        }

        private boolean retryable(EngineException e, int n) {
            if (n >= spec.retry().maxAttempts() || result.isDone()) {
                return false;
            }
            if (e instanceof AmbiguousCommitException) {
                return spec.idempotent();
            }
            return e instanceof TransientEngineException
                    && ("40001".equals(e.sqlState()) || "40P01".equals(e.sqlState()));
        }

        /** Rolls back (to the restart savepoint on CockroachDB) and schedules the next attempt. */
        private void retry(TransactionSession session, EngineException error, int n) {
            boolean savepoint = spec.restartSavepoint() && !(error instanceof AmbiguousCommitException);
            String undo = savepoint ? "ROLLBACK TO SAVEPOINT " + RESTART_SAVEPOINT : "ROLLBACK";
            session.end(TransactionSession.State.ROLLED_BACK);
            session.control(undo, true).whenComplete((r, undoError) -> {
                if (undoError != null) {
                    session.connection().retire();
                    error.addSuppressed(ErrorMapper.map(undoError, session.connection().toString()));
                    done(session, null, withAttempts(error, n));
                    return;
                }
                Duration delay = spec.retry().backoff(n);
                LOG.debug("transaction attempt {} of {} failed with SQLSTATE {}; retrying in {} ms: {}", n,
                        spec.retry().maxAttempts(), error.sqlState(), delay.toMillis(), error.serverMessage());
                EngineTimer.get().schedule(() -> {
                    if (result.isDone()) {
                        if (savepoint) {
                            session.control("ROLLBACK", true).whenComplete((x, y) -> release.accept(session.connection()));
                        } else {
                            release.accept(session.connection());
                        }
                        return;
                    }
                    attempt(session.connection(), n + 1, !savepoint);
                }, delay.toNanos(), TimeUnit.NANOSECONDS);
            });
        }

        private void done(TransactionSession session, @Nullable T value, @Nullable Throwable error) {
            if (session.connection().isBusy()) {
                session.connection().retire();
            }
            release.accept(session.connection());
            if (error != null) {
                runner.failUnmapped(result, error);
            } else {
                runner.succeed(result, value);
            }
        }

        /** The caller cancelled: stop the work's statements, roll back after the one in flight, give back. */
        private void abandon() {
            TransactionSession session = current.get();
            if (session == null || !session.end(TransactionSession.State.ABANDONED)) {
                return;
            }
            runner.canceller().cancel(session.connection())
                    .thenCompose(v -> session.control("ROLLBACK", true))
                    .whenComplete((r, e) -> {
                        if (e != null) {
                            session.connection().retire();
                        }
                        release.accept(session.connection());
                    });
        }

        private EngineException withAttempts(EngineException e, int n) {
            if (n <= 1 || !(e instanceof SerializationFailureException s)) {
                return e;
            }
            SerializationFailureException out = new SerializationFailureException(
                    "gave up after " + n + " attempts: " + s.getMessage(), s.sqlState(), s.serverMessage(),
                    s.detail(), s.hint(), n, s.getCause());
            for (Throwable suppressed : s.getSuppressed()) {
                out.addSuppressed(suppressed);
            }
            return out;
        }
    }
}
