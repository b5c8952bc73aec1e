package io.github.pgengine.internal.connect;

import io.github.pgengine.internal.wire.DbConnection;
import io.github.pgengine.internal.wire.Result;
import io.github.pgengine.internal.wire.SessionRole;
import io.github.pgengine.internal.wire.StandbyCheck;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * What a new session runs before it is used, and what it must be: one query sets the time zone,
 * {@code application_name} and {@code statement_timeout} and, for a {@code target_session_attrs} other than
 * {@code any}, reads whether the server is read-only and in recovery. A session that is not of the wanted kind is
 * refused; one that is kept carries its role, and this object tells later whether it still matches.
 */
final class SessionSetup {
    private static final String IN_HOT_STANDBY = "in_hot_standby"; // reported by PostgreSQL 14+
    private static final String DEFAULT_READ_ONLY = "default_transaction_read_only"; // reported by PostgreSQL 14+

    private final Hosts.TargetSessionAttrs wanted;
    private final String sql;
    /** The column of the set-up query holding {@code transaction_read_only}; {@code pg_is_in_recovery()} follows. */
    private final int roleColumn;
    /**
     * How many times a kept session found its server changed (a standby promoted, a primary turned read-only):
     * sessions kept before the latest change are replaced when next borrowed or given back, so one change costs at
     * most one call of the pool (which does not run) instead of one per pooled connection.
     */
    private final AtomicLong roleChanges = new AtomicLong();

    SessionSetup(ConnectionSettings settings) {
        this.wanted = settings.hosts().target();
        StringBuilder sql = new StringBuilder("select pg_backend_pid(), set_config('TimeZone', 'UTC', false), "
                + "set_config('application_name', " + literal(settings.applicationName()) + ", false)");
        Duration statementTimeout = settings.statementTimeout();
        if (statementTimeout != null) {
            sql.append(", set_config('statement_timeout', '")
                    .append(statementTimeout.toMillis())
                    .append("', false)");
        }
        this.roleColumn = statementTimeout != null ? 4 : 3;
        if (wanted != Hosts.TargetSessionAttrs.ANY) {
            sql.append(", current_setting('transaction_read_only'), pg_is_in_recovery()");
        }
        if (wanted.staysOnStandby()) {
            // a session that is read-only when it opens stays so, even if its server is promoted meanwhile
            sql.append(", CASE WHEN current_setting('transaction_read_only') = 'on' "
                    + "THEN set_config('default_transaction_read_only', 'on', false) END");
        }
        this.sql = sql.toString();
    }

    /** Returns the set-up query. */
    String sql() {
        return sql;
    }

    /** Quotes a text value as an SQL literal, whatever standard_conforming_strings says. */
    private static String literal(String value) {
        String quoted = "'" + value.replace("'", "''") + "'";
        return value.indexOf('\\') >= 0 ? "E" + quoted.replace("\\", "\\\\") : quoted;
    }

    /**
     * Says, without a round trip, whether a pooled connection is still what the engine wants, as of its last answer
     * (PostgreSQL 14+ reports {@code in_hot_standby} and {@code default_transaction_read_only} with the answer after
     * they change): a session kept on a standby that was since promoted is not, for {@code standby},
     * {@code read-only} and {@code prefer-standby}; a session on a server that became a standby or read-only is not,
     * for {@code primary} and {@code read-write}. Once one connection is found changed (here, or by its
     * {@link StandbyCheck}), every connection kept before is replaced too. What this cannot see (a promotion since the
     * last answer), the standby check sent with the next call catches.
     *
     * @param connection a connection this factory opened
     * @return false when it should be closed
     */
    public boolean stillMatches(DbConnection connection) {
        SessionRole role = connection.role();
        if (wanted == Hosts.TargetSessionAttrs.ANY || role == null) {
            return true;
        }
        long seen = roleChanges.get();
        if (role.generation() != seen) {
            return false;
        }
        Map<String, String> status = connection.parameterStatuses();
        boolean matches = switch (wanted) {
            case ANY -> true;
            case PRIMARY -> !"on".equals(status.get(IN_HOT_STANDBY));
            case READ_WRITE -> !"on".equals(status.get(IN_HOT_STANDBY)) && !"on".equals(status.get(DEFAULT_READ_ONLY));
            case READ_ONLY ->
                role.standby()
                        ? !"off".equals(status.get(IN_HOT_STANDBY))
                        : !"off".equals(status.get(DEFAULT_READ_ONLY));
            case STANDBY, PREFER_STANDBY -> !role.standby() || !"off".equals(status.get(IN_HOT_STANDBY));
        };
        if (!matches) {
            roleChanges.compareAndSet(seen, seen + 1);
        }
        return matches;
    }

    /**
     * Notes what a session that is kept was found to be: its generation, and, when it must stay on a standby, the
     * check every later call carries.
     */
    void kept(DbConnection connection, Result setup) {
        if (wanted == Hosts.TargetSessionAttrs.ANY) {
            return;
        }
        @Nullable
        Object[] row =
                setup.rows().isEmpty() ? new @Nullable Object[0] : setup.rows().get(0);
        boolean standby = row.length > roleColumn + 1 && truthy(row[roleColumn + 1]);
        long generation = roleChanges.get();
        connection.role(new SessionRole(standby, generation));
        if (standby && wanted.staysOnStandby()) {
            connection.checkStandbyBeforeEachCall(
                    new StandbyCheck(wanted.libpqName(), () -> roleChanges.compareAndSet(generation, generation + 1)));
        }
    }

    /**
     * Returns why the session is not of the wanted kind, or null when it is.
     *
     * @param setup the answer to {@link #sql()}
     * @param anyServer true in prefer-standby's second round, which takes any server
     */
    @Nullable
    String mismatch(Result setup, boolean anyServer) {
        if (wanted == Hosts.TargetSessionAttrs.ANY
                || (anyServer && wanted == Hosts.TargetSessionAttrs.PREFER_STANDBY)) {
            return null;
        }
        @Nullable
        Object[] row =
                setup.rows().isEmpty() ? new @Nullable Object[0] : setup.rows().get(0);
        if (row.length < roleColumn + 2) {
            return "the server did not tell whether it is read-only or in recovery";
        }
        boolean readOnly = truthy(row[roleColumn]);
        boolean inRecovery = truthy(row[roleColumn + 1]);
        if (wanted.accepts(readOnly, inRecovery)) {
            return null;
        }
        return "the server is " + (inRecovery ? "a standby (in recovery)" : "a primary")
                + (readOnly ? ", read-only" : ", read-write") + ", not " + wanted.libpqName();
    }

    private static boolean truthy(@Nullable Object v) {
        if (v instanceof Boolean b) {
            return b;
        }
        String s = String.valueOf(v).trim().toLowerCase(Locale.ROOT);
        return s.equals("on") || s.equals("t") || s.equals("true");
    }
}
