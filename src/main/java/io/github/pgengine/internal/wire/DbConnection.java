package io.github.pgengine.internal.wire;

import com.github.jasync.sql.db.postgresql.PostgreSQLConnection;
import com.google.errorprone.annotations.CanIgnoreReturnValue;
import io.github.pgengine.ConnectionException;
import io.github.pgengine.internal.codec.ParameterEncoder;
import io.github.pgengine.internal.runtime.Completions;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One open server session. jasync opened and authenticated it; statements go through pgengine's
 * {@link ProtocolHandler}. One statement runs at a time: the engine sends the next only when the previous one's
 * future has completed, and that happens at its ReadyForQuery.
 *
 * <p>Every caller's statement uses the extended protocol, which refuses several statements in one text. A statement
 * with parameters becomes a named prepared statement per distinct SQL and parameter types, kept per connection by
 * {@link PreparedStatements} (the least recently used are closed); one without parameters (DDL, one-off statements) is parsed as the unnamed
 * statement each time. The engine's own fixed statements (BEGIN, COMMIT, SAVEPOINT, ...) use the simple protocol.
 */
public final class DbConnection {
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private static final AtomicLong IDS = new AtomicLong();

    private final long id = IDS.incrementAndGet();
    private final PostgreSQLConnection driver;
    private final Channel channel;
    private final ProtocolHandler protocol;
    private final String where;
    private final int backendPid;
    private final @Nullable BackendKey backendKey;
    private final Watchdog watchdog;
    private final PreparedStatements statements = new PreparedStatements();
    private volatile boolean retired;
    private volatile boolean stopSending;
    private volatile @Nullable CompletableFuture<Result> inFlight;
    private volatile long lastUsedNanos = System.nanoTime();
    private final StandbyGate standby;
    /** What the factory found when it kept the session; null for a single host with any session. */
    private volatile @Nullable SessionRole role;

    public DbConnection(
            PostgreSQLConnection driver,
            Channel channel,
            ProtocolHandler protocol,
            String where,
            int backendPid,
            @Nullable BackendKey backendKey,
            Duration timeout) {
        this.driver = driver;
        this.channel = channel;
        this.protocol = protocol;
        this.where = where;
        this.backendPid = backendPid;
        this.backendKey = backendKey;
        this.standby = new StandbyGate(protocol, channel.alloc(), where, this::submit, () -> stopSending);
        this.watchdog = new Watchdog(timeout.toNanos(), () -> retired ? null : inFlight, this::timedOut);
    }

    /** Returns a number naming this connection in logs. */
    public long id() {
        return id;
    }

    /** Returns where the connection goes ({@code user@host:port/db}), as its factory's host names it. */
    public String where() {
        return where;
    }

    /** Returns this side's port of the connection (the server's {@code client_port}), or 0 when not connected. */
    public int localPort() {
        return channel.localAddress() instanceof java.net.InetSocketAddress a ? a.getPort() : 0;
    }

    /** Returns the server process id serving this session. */
    public int backendPid() {
        return backendPid;
    }

    /** Returns the key a CancelRequest needs, or {@code null} when the driver hides it. */
    public @Nullable BackendKey backendKey() {
        return backendKey;
    }

    /** Returns the server's ParameterStatus values (server_version, crdb_version, ...), kept current. */
    public Map<String, String> parameterStatuses() {
        return protocol.parameters();
    }

    /**
     * Makes every later request that starts outside a transaction block carry the {@link StandbyCheck}.
     *
     * @param check the session's check
     */
    public void checkStandbyBeforeEachCall(StandbyCheck check) {
        standby.install(check);
    }

    /** Returns what the factory found when it kept the session, or null. */
    @Nullable
    public SessionRole role() {
        return role;
    }

    public void role(SessionRole found) {
        this.role = found;
    }

    /**
     * Takes in an exchange's outcome for the standby check ({@link StandbyCheck#after}): a check that failed ends the
     * session and becomes the caller's error.
     *
     * @return the error the caller sees (null when it succeeded)
     */
    @Nullable
    Throwable afterCheck(
            Exchange exchange, StandbyCheck.Send sent, @Nullable Result result, @Nullable Throwable error) {
        NoLongerStandbyException gone = standby.after(exchange, sent, result, error);
        if (gone == null) {
            return error;
        }
        retired = true;
        protocol.terminate(gone);
        return gone;
    }

    /** Returns 'I' idle, 'T' in a transaction block, 'E' in a failed one, as of the last answer. */
    public char transactionStatus() {
        return protocol.transactionStatus();
    }

    /** Returns the connection's I/O thread, where its answers are handled; runs short tasks in order. */
    public java.util.concurrent.Executor executor() {
        return channel.eventLoop();
    }

    /** Returns true when the calling thread is the connection's I/O thread. */
    public boolean inEventLoop() {
        return channel.eventLoop().inEventLoop();
    }

    /**
     * Sets who sees the server's notices.
     *
     * @param listener sees each notice the server sends on this connection (on its event loop), or null
     */
    public void onNotice(@Nullable Consumer<ServerError> listener) {
        protocol.onNotice(listener);
    }

    /**
     * Sets who sees the notifications (NOTIFY) the server sends on this connection.
     *
     * @param listener sees each one on the connection's event loop (must not throw or block), or null to log them at
     *     DEBUG and drop them
     */
    public void onNotification(@Nullable Consumer<ServerNotification> listener) {
        protocol.onNotification(listener);
    }

    /**
     * Sets who learns, once, that the connection has ended: closed by the server, the network or {@link #close()},
     * or broken by a protocol error. Called at once when it already has.
     *
     * @param listener gets the reason (whose message names the server and the cause); must not throw or block
     */
    public void onEnd(Consumer<RuntimeException> listener) {
        protocol.onEnd(listener);
    }

    /**
     * Runs one statement with the extended protocol.
     *
     * @param sql one statement with {@code $n} placeholders
     * @param params the encoded parameters, one per placeholder
     * @return the result at the statement's ReadyForQuery; fails with {@link ServerErrorException},
     *     {@link ConnectionException}, {@link TimeoutException} or the refusal of an unsupported command
     */
    public CompletableFuture<Result> execute(String sql, ParameterEncoder.Encoded params) {
        return execute(List.of(), sql, params);
    }

    /**
     * Runs one statement with the extended protocol, after statements sent ahead of it in the same request (a
     * transaction's BEGIN, so it costs no round trip of its own). The answers of those are skipped; when one of them
     * fails, the statement does not run and the error names the statement that failed.
     *
     * @param prefix statements without parameters or rows (the engine's own, from constants), run first in order
     * @param sql one statement with {@code $n} placeholders
     * @param params the encoded parameters, one per placeholder
     * @return the statement's result at its ReadyForQuery, as {@link #execute(String, ParameterEncoder.Encoded)}
     */
    public CompletableFuture<Result> execute(List<String> prefix, String sql, ParameterEncoder.Encoded params) {
        StandbyCheck.Send check = standby.toSend();
        if (check != StandbyCheck.Send.NONE && prefix.isEmpty() && StandbyCheck.mustRunAlone(sql)) {
            return standby.thenRun(check, () -> execute(prefix, sql, params, StandbyCheck.Send.NONE));
        }
        return execute(prefix, sql, params, check);
    }

    private CompletableFuture<Result> execute(
            List<String> prefix, String sql, ParameterEncoder.Encoded params, StandbyCheck.Send check) {
        CompletableFuture<Result> out = new CompletableFuture<>();
        new StatementExecution(this, statements, prefix, sql, params, true, check, out)
                .start(channel.alloc(), protocol);
        return out;
    }

    /** Runs a statement once more, as a new call, after its prepared statement had gone ({@link StatementExecution}). */
    void rerun(String sql, ParameterEncoder.Encoded params, CompletableFuture<Result> out) {
        new StatementExecution(this, statements, List.of(), sql, params, false, standby.toSend(), out)
                .start(channel.alloc(), protocol);
    }

    /**
     * Runs one of the engine's own statements with the simple protocol.
     *
     * @param sql the statement, built only from constants and quoted identifiers
     * @return the result at ReadyForQuery
     */
    public CompletableFuture<Result> simple(String sql) {
        return simple(List.of(), sql);
    }

    /**
     * Runs one of the engine's own statements with the simple protocol after others sent in the same Query (a
     * transaction's BEGIN); their answers are skipped, and an error among them names them.
     *
     * @param prefix statements built only from constants and quoted identifiers, run first in order
     * @param sql the statement, built only from constants and quoted identifiers
     * @return the statement's result at ReadyForQuery
     */
    public CompletableFuture<Result> simple(List<String> prefix, String sql) {
        StandbyCheck.Send check = standby.toSend();
        if (prefix.isEmpty() && check == StandbyCheck.Send.NONE) {
            return submit(FrontendMessages.query(channel.alloc(), sql));
        }
        Exchange exchange = new StatementExchange(
                FrontendMessages.query(channel.alloc(), prefix, check, sql), false, SentAhead.of(prefix, false, check));
        return submit(exchange, check);
    }

    /**
     * Asks the server how it parses a statement without running it: {@link Result#parameterTypes()} tells how many
     * parameters it found.
     *
     * @param sql the SQL
     * @return the description
     */
    public CompletableFuture<Result> describe(String sql) {
        return submit(FrontendMessages.describe(channel.alloc(), sql));
    }

    /**
     * Runs a batch in one round trip (one Sync: the steps run in one implicit transaction, or in the transaction the
     * connection is in); rows the statements return are skipped.
     *
     * @param steps the statements with their values, in order (at least one)
     * @return the result, whose {@link Result#counts()} holds a count for each of the caller's rows; a server error
     *     names the row, or the rows of the multi-row statement that failed
     */
    public CompletableFuture<Result> executeBatch(List<BatchStep> steps) {
        return executeBatch(List.of(), steps);
    }

    /**
     * Runs a batch as {@link #executeBatch(List)} does, after statements sent ahead of it in the same request (a
     * transaction's BEGIN), whose answers are skipped.
     *
     * @param prefix statements without parameters or rows (the engine's own, from constants), run first in order
     * @param steps the statements with their values, in order (at least one)
     * @return the result, as {@link #executeBatch(List)}
     */
    public CompletableFuture<Result> executeBatch(List<String> prefix, List<BatchStep> steps) {
        StandbyCheck.Send check = standby.toSend();
        ByteBuf request;
        int[] rows = new int[steps.size()];
        try {
            for (int i = 0; i < rows.length; i++) {
                rows[i] = steps.get(i).rows();
            }
            request = FrontendMessages.batch(channel.alloc(), prefix, check, steps);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        Exchange exchange = new BatchExchange(request, rows, SentAhead.of(prefix, true, check));
        return submit(exchange, check);
    }

    /**
     * Runs a batch whose steps commit one by one: each step is its own implicit transaction (Parse, Bind, Execute,
     * Sync) and its own exchange, ending at its own ReadyForQuery; a failing step does not stop the others. The steps
     * leave in windows of {@value IndependentBatch#WINDOW}, each in one write, the next one written while the server
     * still works on the last. Only outside a transaction block ({@link #transactionStatus()} 'I').
     *
     * @param steps the statements with their values, in order (at least one)
     * @return the result, whose {@link Result#counts()} holds each row's count ({@link Result#EXECUTE_FAILED} for a
     *     row that failed) and {@link Result#rowErrors()} each failed row's error; fails only when the connection
     *     fails (some steps may have committed)
     */
    public CompletableFuture<Result> executeBatchIndependently(List<BatchStep> steps) {
        StandbyCheck.Send check = standby.toSend();
        if (check != StandbyCheck.Send.NONE && !steps.isEmpty()) {
            return standby.thenRun(check, () -> independently(steps));
        }
        return independently(steps);
    }

    private CompletableFuture<Result> independently(List<BatchStep> steps) {
        CompletableFuture<Result> out = new CompletableFuture<>();
        if (steps.isEmpty()) {
            out.completeExceptionally(new IllegalArgumentException("a batch needs at least one step"));
            return out;
        }
        if (!begin(out)) {
            return out;
        }
        CompletableFuture<Result> done = new CompletableFuture<>();
        Completions.whenDone(done, (result, error) -> end(out, result, error));
        new IndependentBatch(protocol, channel.alloc(), steps, () -> stopSending, done).start();
        return out;
    }

    /**
     * Tells a running {@link #executeBatchIndependently} batch to write no further steps (its caller has gone); the
     * steps already written still run and the batch completes when they have been answered.
     */
    public void stopSending() {
        stopSending = true;
    }

    /** Sends one request whose answer ends at its ReadyForQuery; the request is released if it cannot be sent. */
    private CompletableFuture<Result> submit(ByteBuf request) {
        return submit(new StatementExchange(request), StandbyCheck.Send.NONE);
    }

    /** Sends one request that may carry the standby check (its statements' answers skipped, see {@link Exchange}). */
    private CompletableFuture<Result> submit(Exchange exchange, StandbyCheck.Send check) {
        CompletableFuture<Result> out = new CompletableFuture<>();
        if (!begin(out)) {
            ByteBuf request = exchange.takeRequest();
            if (request != null) {
                request.release();
            }
            return out;
        }
        exchange.onCompletion((result, error) -> end(out, result, afterCheck(exchange, check, result, error)));
        protocol.submit(exchange);
        return out;
    }

    /** Makes {@code out} the running statement's future, or fails it when the session cannot take a statement. */
    boolean begin(CompletableFuture<Result> out) {
        RuntimeException broken = protocol.broken();
        if (retired && broken == null && !channel.isActive()) {
            broken = new ConnectionException("connection to " + where + " is closed", null);
        }
        if (broken != null || !channel.isActive()) {
            retired = true;
            out.completeExceptionally(new NotSentException(
                    "connection to " + where + " is closed" + (broken != null ? ": " + broken.getMessage() : ""),
                    broken));
            return false;
        }
        if (inFlight != null) {
            out.completeExceptionally(new IllegalStateException(this + " is already running a statement"));
            return false;
        }
        inFlight = out;
        stopSending = false;
        watchdog.started();
        return true;
    }

    /** Ends the running statement, unless {@code out} is no longer it; an error retires the session unless an ERROR. */
    void end(CompletableFuture<Result> out, @Nullable Result result, @Nullable Throwable error) {
        if (inFlight != out) {
            return; // the watchdog already failed it
        }
        inFlight = null;
        lastUsedNanos = System.nanoTime();
        if (error != null) {
            if (!(error instanceof ServerErrorException s && s.error().isSessionError())
                    && !(error instanceof IllegalArgumentException)) {
                retired = true;
            }
            out.completeExceptionally(error);
        } else {
            out.complete(Objects.requireNonNull(result));
        }
    }

    /** Frees the session of a statement about to run again: false when it is no longer the running one. */
    boolean release(CompletableFuture<Result> out) {
        if (inFlight != out) {
            return false;
        }
        inFlight = null;
        return true;
    }

    /** Fails a statement past its deadline ({@link Watchdog}) and closes; false when it had its answer meanwhile. */
    private boolean timedOut(Object statement, TimeoutException e) {
        CompletableFuture<Result> running = inFlight;
        if (running != statement || running == null) {
            return false;
        }
        retired = true;
        inFlight = null;
        running.completeExceptionally(e);
        protocol.closing();
        Sockets.close(channel);
        return true;
    }

    /** Marks the connection as not to be reused; it is closed when released. */
    public void retire() {
        retired = true;
    }

    /** Returns true when the connection can serve another statement: open, idle, and outside any transaction. */
    public boolean isUsable() {
        return !retired
                && inFlight == null
                && channel.isActive()
                && protocol.broken() == null
                && protocol.transactionStatus() == 'I';
    }

    /** Returns the address of the server this connection is on, or null when the socket never connected. */
    public java.net.@Nullable SocketAddress remoteAddress() {
        return channel.remoteAddress();
    }

    /** Returns the connection's channel: tests reach its pipeline through it. */
    Channel channel() {
        return channel;
    }

    /** Returns true while the socket is open and the protocol intact (whatever the transaction state). */
    public boolean isAlive() {
        return channel.isActive() && protocol.broken() == null;
    }

    /** Returns true while a statement is running. */
    public boolean isBusy() {
        return inFlight != null;
    }

    /** Returns when the connection last finished a statement ({@link System#nanoTime()}). */
    public long lastUsedNanos() {
        return lastUsedNanos;
    }

    /**
     * Closes the session: sends Terminate when the socket is open and never waits longer than a few seconds.
     *
     * @return completes when the socket is closed or the wait is over; never fails
     */
    @CanIgnoreReturnValue
    public CompletableFuture<@Nullable Void> close() {
        retired = true;
        protocol.closing();
        CompletableFuture<@Nullable Void> done = new CompletableFuture<>();
        if (!channel.isActive()) {
            done.complete(null);
            return done;
        }
        Sockets.whenClosed(channel, CLOSE_TIMEOUT, done);
        disconnect();
        return done;
    }

    /**
     * Asks the driver to send Terminate and close; nothing waits for its future (jasync's may never complete on a dead
     * socket: {@link #close()} bounds the wait itself), and a driver that throws gets its socket closed.
     */
    @SuppressWarnings("FutureReturnValueIgnored") // see above
    private void disconnect() {
        try {
            driver.disconnect();
        } catch (RuntimeException e) {
            Sockets.close(channel);
        }
    }

    @Override
    public String toString() {
        return "connection #" + id + " (backend pid " + backendPid + ") to " + where;
    }
}
