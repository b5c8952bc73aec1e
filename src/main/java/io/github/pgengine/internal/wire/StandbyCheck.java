package io.github.pgengine.internal.wire;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The check a session kept because its server is a standby runs at the start of each call (each request sent outside
 * a transaction block), in the same request and just before the call's own statement (after a transaction's BEGIN):
 * {@code pg_is_wal_replay_paused()} fails with 55000 "recovery is not in progress" once the server has been promoted,
 * and the server then skips the rest of the request, so nothing of the call runs. A transaction that began while the
 * server was a standby stays read-only to its end, so the statements after its first one need no check.
 *
 * <p>The check is a named prepared statement of the session (parsed with the first request that carries it, then
 * only Bind and Execute: about 40 bytes and one executor start on the server per call); it returns no rows. A session
 * that gets the check is also kept read-only ({@code default_transaction_read_only} on, set when it opens), so writes
 * stay refused even where a call goes without the check (the few statements that must run alone, see
 * {@link #mustRunAlone}, get the check in a round trip of their own just before).
 */
public final class StandbyCheck {
    /** The session's prepared statement. */
    static final String NAME = "pge_standby_check";
    /** Fails on a server that is not in recovery; returns no rows on a standby. */
    static final String SQL = "SELECT WHERE pg_is_wal_replay_paused() IS NULL";

    private static final String NOT_IN_RECOVERY = "55000"; // object_not_in_prerequisite_state

    /** How a request carries the check. */
    enum Send {
        /** not at all (not a standby session, or inside a transaction block) */
        NONE,
        /** Bind and Execute of the prepared check */
        RUN,
        /** Parse, Bind and Execute: the first request of the session that carries it */
        PARSE_AND_RUN
    }

    private final String target;
    private final Runnable onPromoted;
    private volatile boolean prepared;

    /**
     * @param target the engine's {@code target_session_attrs}, for messages
     * @param onPromoted told when the check fails (the pool then replaces the connections opened before)
     */
    public StandbyCheck(String target, Runnable onPromoted) {
        this.target = target;
        this.onPromoted = onPromoted;
    }

    /** Returns how the next request outside a transaction block carries the check. */
    Send send() {
        return prepared ? Send.RUN : Send.PARSE_AND_RUN;
    }

    /**
     * Takes in an exchange's outcome: a check that failed becomes the caller's error (the session must end); a check
     * parsed by this exchange is prepared from now on, until a DISCARD ALL or DEALLOCATE ALL (with the check or
     * without) drops it.
     *
     * @param where the connection's server, for the message
     * @param sent how the exchange carried the check
     * @return the error the caller sees when the check failed, else null
     */
    @Nullable
    NoLongerStandbyException after(
            String where, Exchange exchange, Send sent, @Nullable Result result, @Nullable Throwable error) {
        if (sent != Send.NONE && error != null && exchange.standbyCheckFailed()) {
            return failed(where, error);
        }
        if (sent == Send.PARSE_AND_RUN && exchange.sentAheadParsed()) {
            prepared = true;
        }
        if (result != null
                && (result.tag().equals("DISCARD ALL") || result.tag().equals("DEALLOCATE ALL"))) {
            prepared = false;
        }
        return null;
    }

    /** Makes the error for a request whose check failed, and says so to whoever replaces connections. */
    private NoLongerStandbyException failed(String where, Throwable cause) {
        onPromoted.run();
        boolean promoted = cause instanceof ServerErrorException s
                && NOT_IN_RECOVERY.equals(s.error().sqlState());
        String what = promoted
                ? where + " is no longer a standby (it was promoted)"
                : "cannot check that " + where + " is still a standby (" + cause.getMessage() + ")";
        return new NoLongerStandbyException(
                what + ", which target_session_attrs=" + target + " needs of this connection: the statement did not "
                        + "run and the connection was closed; running it again takes another connection",
                cause);
    }

    /**
     * Says whether a statement must be the only one of its request: PostgreSQL refuses {@code DISCARD ALL} and
     * {@code ALTER SYSTEM} after another statement in the same implicit transaction ("cannot be executed within a
     * pipeline"), and a standby accepts both. Reads only the first keyword (after white space and comments).
     *
     * @param sql a statement
     * @return true for DISCARD and ALTER SYSTEM
     */
    static boolean mustRunAlone(String sql) {
        int i = skipSpaceAndComments(sql, 0);
        int end = wordEnd(sql, i);
        String first = sql.substring(i, end).toUpperCase(Locale.ROOT);
        if (first.equals("DISCARD")) {
            return true;
        }
        if (!first.equals("ALTER")) {
            return false;
        }
        int next = skipSpaceAndComments(sql, end);
        return sql.substring(next, wordEnd(sql, next)).equalsIgnoreCase("SYSTEM");
    }

    private static int wordEnd(String sql, int from) {
        int i = from;
        while (i < sql.length() && Character.isLetter(sql.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int skipSpaceAndComments(String sql, int from) {
        int i = from;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (sql.startsWith("--", i)) {
                int eol = sql.indexOf('\n', i);
                i = eol < 0 ? sql.length() : eol + 1;
            } else if (sql.startsWith("/*", i)) {
                int depth = 0;
                do {
                    if (sql.startsWith("/*", i)) {
                        depth++;
                        i += 2;
                    } else if (sql.startsWith("*/", i)) {
                        depth--;
                        i += 2;
                    } else {
                        i++;
                    }
                } while (depth > 0 && i < sql.length());
            } else {
                break;
            }
        }
        return i;
    }
}
