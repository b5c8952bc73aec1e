package io.github.pgengine.internal.wire;

import io.github.pgengine.internal.codec.ParameterEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One execution of a caller's statement with the extended protocol: its request, under the name the session's
 * {@link PreparedStatements} give the statement, and what its outcome tells them. A statement whose prepared statement
 * had gone (DISCARD ALL, DEALLOCATE) or whose cached plan no longer fits the schema runs once more when no
 * transaction was open. The execution is its exchange's completion: a statement costs no lambda of its own.
 */
final class StatementExecution implements Exchange.Completion {
    private final DbConnection session;
    private final PreparedStatements statements;
    private final List<String> prefix;
    private final String sql;
    private final ParameterEncoder.Encoded params;
    private final boolean mayRerun;
    private final StandbyCheck.Send check;
    private final PreparedStatements.Use use;
    private final CompletableFuture<Result> out;
    private @Nullable StatementExchange exchange;

    /**
     * @param session the session it runs on
     * @param statements the session's prepared statements
     * @param prefix statements sent ahead of it in the same request (a transaction's BEGIN)
     * @param sql one statement with {@code $n} placeholders
     * @param params the encoded parameters
     * @param mayRerun whether it may run once more when its prepared statement had gone
     * @param check how the request carries the standby check
     * @param out the caller's future, completed at the statement's ReadyForQuery (of its second run, when it runs
     *     again)
     */
    StatementExecution(
            DbConnection session,
            PreparedStatements statements,
            List<String> prefix,
            String sql,
            ParameterEncoder.Encoded params,
            boolean mayRerun,
            StandbyCheck.Send check,
            CompletableFuture<Result> out) {
        this.session = session;
        this.statements = statements;
        this.prefix = prefix;
        this.sql = sql;
        this.params = params;
        this.mayRerun = mayRerun;
        this.check = check;
        this.out = out;
        this.use = statements.use(sql, params.types());
    }

    /** Sends the request, unless the session cannot take it (then the caller's future fails). */
    void start(ByteBufAllocator alloc, ProtocolHandler protocol) {
        ByteBuf request;
        try {
            request = FrontendMessages.extended(
                    alloc, prefix, check, use.closing(), use.name(), use.parse(), use.describe(), sql, params);
        } catch (RuntimeException e) {
            statements.forget(use.key(), use.name(), false);
            out.completeExceptionally(e);
            return;
        }
        StatementExchange sent = new StatementExchange(request, true, SentAhead.of(prefix, true, check));
        String @Nullable [] knownNames = use.columnNames();
        int @Nullable [] knownTypes = use.columnTypes();
        if (!use.describe() && knownNames != null && knownTypes != null) {
            sent.describedAs(knownNames, knownTypes);
        }
        if (!session.begin(out)) {
            request.release();
            return;
        }
        exchange = sent;
        sent.onCompletion(this);
        protocol.submit(sent);
    }

    @Override
    public void completed(@Nullable Result result, @Nullable Throwable failure) {
        StatementExchange answered = Objects.requireNonNull(exchange);
        Throwable error = session.afterCheck(answered, check, result, failure);
        if (settle(answered, result, error) && mayRerun && prefix.isEmpty() && session.release(out)) {
            session.rerun(sql, params, out);
            return;
        }
        if (error == null && result == null) {
            error = new IllegalStateException("an exchange ended with neither a result nor an error");
        }
        session.end(out, result, error);
    }

    /**
     * Tells the prepared statements what the execution found.
     *
     * @return true when the statement may simply run again ({@link PreparedStatements#afterFailure})
     */
    private boolean settle(StatementExchange answered, @Nullable Result result, @Nullable Throwable error) {
        if (error instanceof NoLongerStandbyException) {
            statements.forget(use.key(), use.name(), false);
        } else if (error != null) {
            return statements.afterFailure(
                    use.key(), use.name(), use.parse(), answered.parseCompleted(), answered.statusAfter(), error);
        } else if (result == null) {
            return false;
        } else if (result.tag().equals("DISCARD ALL") || result.tag().equals("DEALLOCATE ALL")) {
            statements.clear();
        } else if (use.describe() && !use.unnamed()) {
            statements.remember(use.key(), use.name(), result);
        }
        return false;
    }
}
