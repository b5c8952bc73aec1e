package io.github.pgengine.internal.errors;

import io.github.pgengine.AmbiguousCommitException;
import io.github.pgengine.BadSqlException;
import io.github.pgengine.ConnectionException;
import io.github.pgengine.EngineException;
import io.github.pgengine.InsufficientPrivilegeException;
import io.github.pgengine.IntegrityViolationException;
import io.github.pgengine.QueryTimeoutException;
import io.github.pgengine.SerializationFailureException;
import io.github.pgengine.ServerDetails;
import io.github.pgengine.TransactionException;
import io.github.pgengine.TransientEngineException;
import io.github.pgengine.internal.wire.ServerErrorException;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * The one place where driver errors become {@link EngineException}s, chosen by SQLSTATE.
 */
public final class ErrorMapper {
    private static final String DEADLOCK_DETECTED = "40P01"; // deadlock_detected

    private ErrorMapper() {}

    /**
     * Removes {@link CompletionException} and {@link ExecutionException} wrappers.
     *
     * @param t any error
     * @return the first cause that is not such a wrapper
     */
    public static Throwable unwrap(Throwable t) {
        Throwable e = t;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /**
     * Maps any error met while talking to the server.
     *
     * @param t the error (wrappers are removed)
     * @param where a short description of the target, e.g. {@code app@db1:5432/app}, used in connection errors
     * @return the engine exception to hand to the caller; {@link CancellationException}s and engine
     *     exceptions are returned as they are
     */
    public static RuntimeException map(Throwable t, String where) {
        Throwable e = unwrap(t);
        if (e instanceof EngineException ee) {
            return ee;
        }
        if (e instanceof CancellationException ce) {
            return ce;
        }
        if (e instanceof ServerErrorException s) {
            return s.refusedSession()
                    ? build(s.error().fields(), null, s.context(), true)
                    : fromFields(s.error().fields(), null, s.context());
        }
        if (e instanceof TimeoutException) {
            return new QueryTimeoutException(
                    "no answer from " + where + " within the query timeout; the connection was closed", e);
        }
        if (e instanceof ConnectException) {
            return new ConnectionException("cannot connect to " + where + ": " + e.getMessage(), e);
        }
        if (e instanceof ClosedChannelException || e instanceof IOException) {
            return new ConnectionException("connection to " + where + " was lost: " + e, e);
        }
        if (e instanceof IllegalArgumentException || e instanceof NullPointerException) {
            return (RuntimeException) e;
        }
        return new EngineException("unexpected driver error talking to " + where + ": " + e, e);
    }

    /**
     * Maps ErrorResponse fields by SQLSTATE (the mapping table; unit-tested).
     *
     * @param fields the ErrorResponse fields by protocol code
     * @param cause the driver's exception, can be {@code null}
     * @return the engine exception
     */
    public static EngineException fromFields(Map<Character, String> fields, @Nullable Throwable cause) {
        return fromFields(fields, cause, null);
    }

    /**
     * Maps ErrorResponse fields by SQLSTATE, naming where in a batch the error happened.
     *
     * @param fields the ErrorResponse fields by protocol code
     * @param cause the driver's exception, can be {@code null}
     * @param context where the error happened (e.g. {@code row 3 of 10 of the batch}), or {@code null}
     * @return the engine exception
     */
    public static EngineException fromFields(
            Map<Character, String> fields, @Nullable Throwable cause, @Nullable String context) {
        return build(fields, cause, context, false);
    }

    /**
     * Builds the message and details from the fields and picks the exception: by SQLSTATE, or a
     * {@link ConnectionException} whatever the SQLSTATE when the server refused to open the session (3D000 no such
     * database, 42501 no CONNECT privilege, class 28, 53300, 57P03: nothing of the caller's ran).
     */
    private static EngineException build(
            Map<Character, String> fields,
            @Nullable Throwable cause,
            @Nullable String context,
            boolean refusedSession) {
        String code = fields.get('C');
        String severity = fields.getOrDefault('V', fields.getOrDefault('S', "ERROR"));
        String message = fields.getOrDefault('M', "(no message)");
        ServerDetails details = new ServerDetails(
                code,
                message,
                fields.get('D'),
                fields.get('H'),
                position(fields.get('P')),
                fields.get('s'),
                fields.get('t'),
                fields.get('c'),
                fields.get('n'));
        StringBuilder text = new StringBuilder()
                .append(severity)
                .append(' ')
                .append(code)
                .append(": ")
                .append(message);
        if (details.detail() != null) {
            text.append(" (detail: ").append(details.detail()).append(')');
        }
        if (details.hint() != null) {
            text.append(" (hint: ").append(details.hint()).append(')');
        }
        if (context != null) {
            text.append(" (at ").append(context).append(')');
        }
        String full = text.toString();
        if (refusedSession) {
            return new ConnectionException(full, details, cause);
        }
        if (code == null) {
            return new EngineException(full, details, cause);
        }
        return switch (code) {
            // serialization_failure (CockroachDB: restart transaction)
            case "40001" -> new SerializationFailureException(full, details, 1, cause);
            // statement_completion_unknown (CockroachDB: result is ambiguous)
            case "40003" -> new AmbiguousCommitException(full, details, cause);
            case "42501" -> new InsufficientPrivilegeException(full, details, cause); // insufficient_privilege
            // query_canceled (statement_timeout or a cancel request)
            case "57014" -> new QueryTimeoutException(full, details, cause);
            // admin_shutdown (pg_terminate_backend, server stop), crash_shutdown, cannot_connect_now (server starting
            // up or shutting down), too_many_connections
            case "57P01", "57P02", "57P03", "53300" -> new ConnectionException(full, details, cause);
            default ->
                switch (code.substring(0, Math.min(2, code.length()))) {
                    // transaction_rollback: deadlock_detected 40P01, transaction_integrity_constraint_violation 40002
                    case "40" -> new TransientEngineException(full, details, cause);
                    case "23" ->
                        new IntegrityViolationException(full, details, cause); // integrity_constraint_violation
                    // syntax_error_or_access_rule_violation, data_exception
                    case "42", "22" -> new BadSqlException(full, details, cause);
                    // connection_exception, invalid_authorization_specification (bad password, no pg_hba entry)
                    case "08", "28" -> new ConnectionException(full, details, cause);
                    // invalid_transaction_state (25P02 in_failed_sql_transaction, ...)
                    case "25" -> new TransactionException(full, details, cause);
                    default -> new EngineException(full, details, cause);
                };
        };
    }

    private static @Nullable Integer position(@Nullable String p) {
        if (p == null) {
            return null;
        }
        try {
            return Integer.valueOf(p);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * The one retry decision: may a transaction that failed with this error simply run again?
     *
     * @param e the mapped error
     * @return true for a serialization failure (40001, CockroachDB's "restart transaction") and a deadlock
     *     (40P01)
     */
    public static boolean isRetryable(EngineException e) {
        return e instanceof SerializationFailureException
                || (e instanceof TransientEngineException && DEADLOCK_DETECTED.equals(e.sqlState()));
    }
}
