package io.github.pgengine.internal;

import com.github.jasync.sql.db.QueryResult;
import com.github.jasync.sql.db.postgresql.PostgreSQLConnection;
import com.github.jasync.sql.db.postgresql.messages.backend.ProcessData;
import io.github.pgengine.ConnectionException;
import io.netty.channel.Channel;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * One open server session over a jasync connection, with the guard rails jasync lacks: synchronous throws
 * become failed futures, a closed socket fails the statement in flight at once, and the connection knows
 * whether it may be reused (an ordinary SQL error keeps it; anything else retires it).
 */
public final class DbConnection {
    /** Distinct prepared statements one connection may cache before it is retired (jasync never evicts). */
    static final int MAX_PREPARED_STATEMENTS = 1_000;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private static final AtomicLong IDS = new AtomicLong();

    private final long id = IDS.incrementAndGet();
    private final PostgreSQLConnection driver;
    private final String where;
    private final long createdAtNanos = System.nanoTime();
    private final Set<String> prepared = new HashSet<>();
    private final int backendPid;
    private final @Nullable ProcessData backendKey;
    private final long timeoutNanos;
    private final java.util.concurrent.atomic.AtomicBoolean watchdogArmed = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile long deadlineNanos;
    private volatile boolean broken;
    private volatile @Nullable CompletableFuture<QueryResult> inFlight;
    private long lastUsedNanos = createdAtNanos;
    private long expiresAtNanos = Long.MAX_VALUE;
    private @Nullable Throwable borrowedAt;

    DbConnection(PostgreSQLConnection driver, String where, int backendPid, Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
        this.driver = driver;
        this.where = where;
        this.backendPid = backendPid;
        this.backendKey = DriverInternals.backendKey(driver);
        Channel channel = DriverInternals.channel(driver);
        if (channel != null) {
            channel.closeFuture().addListener(f -> onSocketClosed());
            DriverInternals.logNotices(driver, channel, where);
        }
    }

    /** @return a number naming this connection in logs */
    public long id() {
        return id;
    }

    /** @return the server process id serving this session */
    public int backendPid() {
        return backendPid;
    }

    /** @return the key a CancelRequest needs, or {@code null} when the driver hides it */
    @Nullable ProcessData backendKey() {
        return backendKey;
    }

    /** @return the server's ParameterStatus values (server_version, crdb_version, ...) */
    public Map<String, String> parameterStatuses() {
        return driver.parameterStatuses();
    }

    /**
     * Sends one statement. Parameterless statements use the simple protocol, the rest a cached prepared
     * statement.
     *
     * @param sql the parsed statement
     * @param values the normalised values, one per driver placeholder
     * @return the driver's result; fails with the driver's error (map it with {@link ErrorMapper})
     */
    public CompletableFuture<QueryResult> send(ParsedSql sql, List<@Nullable Object> values) {
        CompletableFuture<QueryResult> out = new CompletableFuture<>();
        if (broken || !driver.isConnected()) {
            broken = true;
            out.completeExceptionally(new ConnectionException("connection to " + where + " is closed", null));
            return out;
        }
        CompletableFuture<QueryResult> sent;
        deadlineNanos = System.nanoTime() + timeoutNanos;
        inFlight = out;
        armWatchdog();
        try {
            if (values.isEmpty() && sql.parameterCount() == 0) {
                sent = driver.sendQuery(sql.simpleSql());
            } else {
                if (prepared.add(sql.driverSql()) && prepared.size() > MAX_PREPARED_STATEMENTS) {
                    retire();
                }
                sent = driver.sendPreparedStatement(sql.driverSql(), values, false);
            }
        } catch (RuntimeException e) {
            broken = true;
            inFlight = null;
            out.completeExceptionally(e);
            return out;
        }
        sent.whenComplete((result, error) -> {
            if (inFlight != out) {
                return;
            }
            inFlight = null;
            lastUsedNanos = System.nanoTime();
            if (error != null) {
                if (!ErrorMapper.leavesConnectionUsable(error)) {
                    broken = true;
                }
                out.completeExceptionally(error);
            } else {
                out.complete(result);
            }
        });
        return out;
    }

    /**
     * The client-side backstop for a server that stops answering: one timer per busy connection, re-armed to the
     * running statement's deadline, instead of jasync's timer per statement on another event loop (two thread hops
     * per statement). A statement past its deadline fails and the connection is closed.
     */
    private void armWatchdog() {
        if (watchdogArmed.compareAndSet(false, true)) {
            long delay = Math.max(0, deadlineNanos - System.nanoTime());
            EngineTimer.get().schedule(this::watch, delay, TimeUnit.NANOSECONDS);
        }
    }

    private void watch() {
        CompletableFuture<QueryResult> running = inFlight;
        long remaining = deadlineNanos - System.nanoTime();
        if (running == null || broken) {
            watchdogArmed.set(false);
            if (inFlight != null && !broken) {
                armWatchdog();
            }
            return;
        }
        if (remaining > 0) {
            EngineTimer.get().schedule(this::watch, remaining, TimeUnit.NANOSECONDS);
            return;
        }
        broken = true;
        watchdogArmed.set(false);
        running.completeExceptionally(new java.util.concurrent.TimeoutException("no answer within "
                + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms"));
        Channel channel = DriverInternals.channel(driver);
        if (channel != null) {
            channel.close();
        } else {
            driver.disconnect();
        }
    }

    /** Marks the connection as not to be reused; it is closed when released. */
    public void retire() {
        broken = true;
    }

    /** @return true when the connection can serve another statement */
    public boolean isUsable() {
        return !broken && inFlight == null && driver.isConnected();
    }

    /** @return true while a statement is running */
    public boolean isBusy() {
        return inFlight != null;
    }

    long createdAtNanos() {
        return createdAtNanos;
    }

    long lastUsedNanos() {
        return lastUsedNanos;
    }

    void lastUsedNanos(long nanos) {
        lastUsedNanos = nanos;
    }

    long expiresAtNanos() {
        return expiresAtNanos;
    }

    void expiresAtNanos(long nanos) {
        expiresAtNanos = nanos;
    }

    @Nullable Throwable borrowedAt() {
        return borrowedAt;
    }

    void borrowedAt(@Nullable Throwable stack) {
        borrowedAt = stack;
    }

    /**
     * Closes the session: sends Terminate when the socket is open and never waits longer than a few seconds
     * (jasync's disconnect never completes on a dead socket).
     *
     * @return completes when the socket is closed or the wait is over; never fails
     */
    public CompletableFuture<Void> close() {
        broken = true;
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            if (!driver.isConnected()) {
                done.complete(null);
                return done;
            }
            driver.disconnect().whenComplete((c, e) -> done.complete(null));
        } catch (RuntimeException e) {
            done.complete(null);
        }
        if (!done.isDone()) {
            java.util.concurrent.ScheduledFuture<?> giveUp = EngineTimer.get().schedule(() -> {
                if (!done.isDone()) {
                    Channel channel = DriverInternals.channel(driver);
                    if (channel != null) {
                        channel.close();
                    }
                    done.complete(null);
                }
            }, CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            done.whenComplete((v, e) -> giveUp.cancel(false));
        }
        return done;
    }

    private void onSocketClosed() {
        broken = true;
        CompletableFuture<QueryResult> running = inFlight;
        if (running != null) {
            running.completeExceptionally(new ConnectionException("connection to " + where
                    + " was closed by the server or the network while a statement was running; it may or may not "
                    + "have taken effect", null));
        }
    }

    @Override
    public String toString() {
        return "connection #" + id + " (backend pid " + backendPid + ") to " + where;
    }
}
