package io.github.pgengine.internal.exec;

import static io.github.pgengine.internal.runtime.Completions.whenDone;

import io.github.pgengine.ConnectionException;
import io.github.pgengine.EngineException;
import io.github.pgengine.Health;
import io.github.pgengine.QueryTimeoutException;
import io.github.pgengine.internal.errors.ErrorMapper;
import io.github.pgengine.internal.pool.EnginePool;
import io.github.pgengine.internal.runtime.EngineThreads;
import io.github.pgengine.internal.runtime.EngineTimer;
import io.github.pgengine.internal.wire.Result;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * What an engine asks its server about itself: its version, whether it answers (ping), its WAL position and the
 * waiting for one (read-your-writes on a replica), and the set-up statements it runs for the engine.
 */
public final class ServerFacts {
    private static final String INSUFFICIENT_PRIVILEGE = "42501"; // insufficient_privilege
    private static final String LSN_SQL =
            "SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END::text";
    private static final String REACHED_SQL = "SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() "
            + "ELSE pg_current_wal_lsn() END::text AS at, CASE WHEN pg_is_in_recovery() "
            + "THEN pg_last_wal_replay_lsn() >= $1::pg_lsn ELSE pg_current_wal_lsn() >= $1::pg_lsn END AS reached";
    private static final long LSN_POLL_MILLIS = 5;

    private final String name;
    private final StatementExecutor executor;
    private final EnginePool pools;

    /**
     * @param name the engine's name in messages
     * @param executor runs the statements
     * @param pools the engine's pool, whose counters a ping reports
     */
    public ServerFacts(String name, StatementExecutor executor, EnginePool pools) {
        this.name = name;
        this.executor = executor;
        this.pools = pools;
    }

    /**
     * Runs a one-value query and parses the version from it.
     *
     * @param sql the query; its first column holds the version text
     * @param parser reads major.minor from that text
     * @return the version; fails like any statement (a {@link ConnectionException} when the server is down)
     */
    public CompletableFuture<Double> readVersion(String sql, Function<String, Double> parser) {
        return executor.runOwn(sql, r -> parser.apply(firstText(r, "version")));
    }

    /**
     * Asks the server for its version, timing the round trip.
     *
     * @param sql the version query
     * @param parser reads major.minor from its text
     * @return what was found; fails like any statement
     */
    public CompletableFuture<Health> ping(String sql, Function<String, Double> parser) {
        AtomicLong sentAt = new AtomicLong();
        record Answer(String text, Duration roundTrip) {}
        CompletableFuture<Answer> answer = executor.runOwnTimed(
                sql,
                sentAt,
                r -> new Answer(firstText(r, "version"), Duration.ofNanos(System.nanoTime() - sentAt.get())));
        // the pool's state once the ping's own connection is back
        CompletableFuture<Health> health =
                answer.thenApply(a -> new Health(name, a.text(), parser.apply(a.text()), a.roundTrip(), pools.stats()));
        whenDone(health, (h, e) -> {
            if (health.isCancelled()) {
                answer.cancel(false);
            }
        });
        return health;
    }

    /**
     * Returns the server's current WAL position, to wait for on a replica after a write.
     *
     * @return the LSN as text ({@code 0/3000148})
     */
    public CompletableFuture<String> currentLsn() {
        return executor.run(LSN_SQL, new Object[0], r -> firstText(r, "WAL position"));
    }

    /**
     * Completes once the server has replayed (a standby) or written (a primary) the WAL up to a position.
     *
     * @param lsn the position, as {@link #currentLsn()} gives it
     * @param timeout how long to wait at most
     * @return completes when it has; fails with {@link QueryTimeoutException} after the timeout, naming both positions
     */
    public CompletableFuture<@Nullable Void> waitForLsn(String lsn, Duration timeout) {
        try {
            Objects.requireNonNull(lsn, "lsn");
            Objects.requireNonNull(timeout, "timeout");
            if (!lsn.matches("[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}")) {
                throw new IllegalArgumentException(
                        "lsn must look like 0/3000148 (two hexadecimal numbers), was '" + lsn + "'");
            }
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive (was " + timeout + ")");
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<@Nullable Void> out = new CompletableFuture<>();
        pollLsn(lsn, System.nanoTime() + timeout.toNanos(), timeout, out);
        return out;
    }

    private void pollLsn(String lsn, long deadline, Duration timeout, CompletableFuture<@Nullable Void> out) {
        if (out.isDone()) {
            return;
        }
        CompletableFuture<@Nullable Object[]> check =
                executor.run(REACHED_SQL, new Object[] {lsn}, r -> r.rows().get(0));
        whenDone(check, (row, error) -> {
            if (error != null) {
                out.completeExceptionally(ErrorMapper.unwrap(error));
            } else if (Boolean.TRUE.equals(row[1])) {
                out.complete(null);
            } else if (System.nanoTime() - deadline >= 0) {
                out.completeExceptionally(new QueryTimeoutException(
                        name + " has not reached WAL position " + lsn + " within " + timeout.toMillis()
                                + " ms (it is at " + row[0] + ")",
                        null));
            } else {
                EngineTimer.later(
                        () -> EngineThreads.offEngineThreads(() -> pollLsn(lsn, deadline, timeout, out)),
                        LSN_POLL_MILLIS,
                        TimeUnit.MILLISECONDS);
            }
        });
    }

    /**
     * Runs one set-up statement of its own; a missing privilege (SQLSTATE 42501) is handed to {@code warn} and the
     * future completes normally, any other error fails it.
     *
     * @param sql the statement
     * @param warn logs the warning for a missing privilege
     * @return completes when done
     */
    public CompletableFuture<@Nullable Void> runSetUp(String sql, Consumer<EngineException> warn) {
        return executor.runOwn(sql, r -> r).handle((result, error) -> {
            if (error == null) {
                return null;
            }
            Throwable e = ErrorMapper.unwrap(error);
            if (e instanceof EngineException ee && INSUFFICIENT_PRIVILEGE.equals(ee.sqlState())) {
                warn.accept(ee);
                return null;
            }
            throw e instanceof RuntimeException re ? re : new EngineException(e.toString(), e);
        });
    }

    /** The first column of the first row as text; the server must have given one. */
    private static String firstText(Result r, String what) {
        if (r.rows().isEmpty() || r.rows().get(0).length == 0 || r.rows().get(0)[0] == null) {
            throw new EngineException("the server gave no " + what, null);
        }
        return String.valueOf(r.rows().get(0)[0]);
    }
}
