package io.github.pgengine.testing.crdb;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides, per statement, what CockroachDB would answer differently from PostgreSQL. Every string and SQLSTATE
 * here comes from shared/reference/cockroachdb-behaviour.md.
 */
final class CockroachDialect {
    private static final Pattern SET_CLUSTER_SETTING =
            Pattern.compile("(?is)^SET\\s+CLUSTER\\s+SETTING\\s+([a-z0-9_.]+)\\s*(?:=|\\s+TO\\s+)\\s*(.+)$");
    private static final Pattern FORCE_RETRY = Pattern.compile(
            "(?is)^SELECT\\s+crdb_internal\\.force_retry\\s*\\(\\s*'([^']*)'(?:\\s*::\\s*INTERVAL)?\\s*\\)$");
    private static final Pattern AUTOCOMMIT_BEFORE_DDL = Pattern.compile(
            "(?is)^SET\\s+(LOCAL\\s+|SESSION\\s+)?autocommit_before_ddl\\s*(?:=|\\s+TO\\s+)\\s*'?(on|off|true|false)'?$");
    private static final Pattern FOLLOWER_READS = Pattern.compile(
            "(?is)^SET\\s+(?:SESSION\\s+)?default_transaction_use_follower_reads\\s*(?:=|\\s+TO\\s+)\\s*'?(on|off|true|false)'?$");
    private static final Pattern INJECT = Pattern.compile(
            "(?is)^SET\\s+(?:SESSION\\s+)?inject_retry_errors_enabled\\s*(?:=|\\s+TO\\s+)\\s*'?(on|off|true|false)'?$");
    private static final Pattern CREATE_EXTENSION =
            Pattern.compile("(?is)^CREATE\\s+EXTENSION\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?(\"[^\"]+\"|[a-z0-9_-]+).*$");
    private static final Set<String> KNOWN_SETTINGS = Set.of(
            "sql.defaults.experimental_alter_column_type.enabled", "sql.defaults.autocommit_before_ddl.enabled",
            "kv.rangefeed.enabled", "sql.txn.read_committed_isolation.enabled");
    private static final Set<String> NO_OP_EXTENSIONS =
            Set.of("postgis", "pg_trgm", "fuzzystrmatch", "pgcrypto", "uuid-ossp", "vector");
    private static final Map<String, Integer> UNSUPPORTED_EXTENSIONS = unsupportedExtensions();

    private final String version;
    private final String docs;
    private final boolean autocommitDefault;

    /** @param version the release, e.g. {@code v24.1.0} */
    CockroachDialect(String version) {
        this.version = version;
        Matcher m = Pattern.compile("v(\\d+)\\.(\\d+)").matcher(version);
        if (!m.find()) {
            throw new IllegalArgumentException("version must look like v24.1.0 (was " + version + ")");
        }
        this.docs = "v" + m.group(1) + "." + m.group(2);
        this.autocommitDefault = Integer.parseInt(m.group(1)) >= 25;
    }

    String versionString() {
        return "CockroachDB CCL " + version + " (x86_64-pc-linux-gnu, built 2024/05/15 17:04:09, go1.22.2)";
    }

    String docsVersion() {
        return docs;
    }

    /**
     * Decides what happens to one statement.
     *
     * @param rawSql the statement as the client sent it
     * @param s the session's state
     * @param simpleProtocol true for the simple protocol and for a Parse of the unnamed statement (which runs at once);
     *     false for a named prepared statement (whose plan is fixed when it is parsed)
     * @return what to do
     */
    Plan plan(String rawSql, SessionState s, boolean simpleProtocol) {
        String sql = rawSql.strip();
        while (sql.endsWith(";")) {
            sql = sql.substring(0, sql.length() - 1).strip();
        }
        String upper = sql.toUpperCase(Locale.ROOT).replaceAll("\\s+", " ");
        boolean inTransaction = s.status != 'I' || s.commitWait;

        Matcher m = SET_CLUSTER_SETTING.matcher(sql);
        if (m.matches()) {
            return setClusterSetting(m.group(1).toLowerCase(Locale.ROOT), s, inTransaction);
        }
        if (upper.equals("SELECT VERSION()") || upper.equals("SELECT VERSION() AS VERSION")) {
            return rows("version", versionString());
        }
        if (upper.equals("SHOW SERVER_VERSION")) {
            return rows("server_version", "13.0.0");
        }
        if (upper.equals("SHOW SERVER_VERSION_NUM")) {
            return rows("server_version_num", "130000");
        }
        if (upper.equals("SHOW CRDB_VERSION")) {
            return rows("crdb_version", versionString());
        }
        if (upper.equals("SHOW TRANSACTION STATUS")) {
            String state =
                    s.commitWait ? "CommitWait" : s.status == 'T' ? "Open" : s.status == 'E' ? "Aborted" : "NoTxn";
            // an observer statement: answered even in an aborted transaction
            return rows("TRANSACTION STATUS", state).withAnswer("TRANSACTION STATUS", state);
        }
        if (upper.equals("SHOW AUTOCOMMIT_BEFORE_DDL")) {
            return rows("autocommit_before_ddl", s.autocommitBeforeDdl(autocommitDefault) ? "on" : "off");
        }
        m = AUTOCOMMIT_BEFORE_DDL.matcher(sql);
        if (m.matches()) {
            boolean local = m.group(1) != null && m.group(1).strip().equalsIgnoreCase("LOCAL");
            boolean on = m.group(2).equalsIgnoreCase("on") || m.group(2).equalsIgnoreCase("true");
            if (local && !inTransaction) {
                Map<Character, String> warning = ordered(
                        'S',
                        "WARNING",
                        'V',
                        "WARNING",
                        'C',
                        "00000",
                        'M',
                        "SET LOCAL can only be used in transaction blocks");
                return new Plan(
                        "SET LOCAL pgengine_emulator.autocommit_before_ddl = '" + on + "'", "SET", null, warning, null);
            }
            return new Plan(
                    "SET " + (local ? "LOCAL " : "") + "pgengine_emulator.autocommit_before_ddl = '" + on + "'",
                    "SET",
                    null,
                    null,
                    () -> s.setAutocommitBeforeDdl(on, local));
        }
        // follower reads (cockroachdb-behaviour.md 7.7): every read-only transaction reads as of
        // follower_read_timestamp(), and transactions are read-only, so a write fails with 25006; PostgreSQL's
        // default_transaction_read_only gives the same SQLSTATE and message (the staleness itself is not emulated)
        m = FOLLOWER_READS.matcher(sql);
        if (m.matches()) {
            boolean on = m.group(1).equalsIgnoreCase("on") || m.group(1).equalsIgnoreCase("true");
            return new Plan(
                    "SET default_transaction_read_only = " + (on ? "on" : "off"),
                    "SET",
                    null,
                    null,
                    () -> s.followerReads = on);
        }
        if (upper.equals("SHOW DEFAULT_TRANSACTION_USE_FOLLOWER_READS")) {
            return rows("default_transaction_use_follower_reads", s.followerReads ? "on" : "off");
        }
        m = INJECT.matcher(sql);
        if (m.matches()) {
            boolean on = m.group(1).equalsIgnoreCase("on") || m.group(1).equalsIgnoreCase("true");
            return new Plan(
                    "SET pgengine_emulator.inject_retry_errors_enabled = '" + on + "'",
                    "SET",
                    null,
                    null,
                    () -> s.injectRetryErrors = on);
        }
        m = FORCE_RETRY.matcher(sql);
        if (m.matches()) {
            String interval = m.group(1).replace("'", "''");
            if (!inTransaction) {
                return new Plan("SELECT 0::int8 AS force_retry", null, null, null, null);
            }
            // the division by zero (rewritten into CockroachDB's retry error) happens only while the transaction is
            // young
            return new Plan(
                    "SELECT (1 / CASE WHEN statement_timestamp() - transaction_timestamp() < '" + interval
                            + "'::interval THEN 0 ELSE 1 END - 1)::int8 AS force_retry",
                    null,
                    retryError("crdb_internal.force_retry(): TransactionRetryWithProtoRefreshError: forced by "
                            + "crdb_internal.force_retry()"),
                    null,
                    null);
        }
        m = CREATE_EXTENSION.matcher(sql);
        if (m.matches()) {
            return createExtension(m.group(1).replace("\"", ""));
        }
        if (upper.equals("BEGIN") || upper.startsWith("BEGIN ") || upper.startsWith("START TRANSACTION")) {
            return Plan.pass(() -> s.epoch.set(0));
        }
        if (upper.startsWith("ROLLBACK TO SAVEPOINT COCKROACH_RESTART")
                || upper.startsWith("ROLLBACK TO COCKROACH_RESTART")) {
            return Plan.pass(s.epoch::incrementAndGet);
        }
        if (upper.equals("RELEASE SAVEPOINT COCKROACH_RESTART") || upper.equals("RELEASE COCKROACH_RESTART")) {
            // CockroachDB commits here and answers COMMIT; the following COMMIT is then a formality
            return new Plan("COMMIT", "COMMIT", null, null, () -> s.commitWait = true);
        }
        if (s.commitWait && (upper.equals("COMMIT") || upper.equals("ROLLBACK") || upper.equals("END"))) {
            return new Plan("DO $$BEGIN END$$", "COMMIT", null, null, () -> s.commitWait = false);
        }
        if (simpleProtocol && s.injectRetryErrors && s.status == 'T' && s.epoch.get() < 3 && !isControl(upper)) {
            return new Plan(
                    "SELECT 1/0",
                    null,
                    retryError("TransactionRetryWithProtoRefreshError: injected by "
                            + "`inject_retry_errors_enabled` session variable"),
                    null,
                    null);
        }
        return Plan.PASS;
    }

    private Plan setClusterSetting(String name, SessionState s, boolean inTransaction) {
        if (!KNOWN_SETTINGS.contains(name)) {
            return Plan.error("42P02", "unknown cluster setting '" + name + "'", null);
        }
        boolean sqlDefault = name.startsWith("sql.defaults");
        if (!s.admin) {
            return Plan.error(
                    "42501",
                    sqlDefault
                            ? "only users with the MODIFYCLUSTERSETTING or MODIFYSQLCLUSTERSETTING privilege are allowed to set "
                                    + "cluster setting '" + name + "'"
                            : "only users with the MODIFYCLUSTERSETTING privilege are allowed to set cluster setting '"
                                    + name + "'",
                    null);
        }
        if (inTransaction) {
            return Plan.error("XXUUU", "SET CLUSTER SETTING cannot be used inside a multi-statement transaction", null);
        }
        Map<Character, String> notice = sqlDefault
                ? ordered(
                        'S',
                        "NOTICE",
                        'V',
                        "NOTICE",
                        'C',
                        "00000",
                        'M',
                        "setting global default " + name + " is not recommended",
                        'H',
                        "use the `ALTER ROLE ... SET` syntax to control session variable defaults at a finer-grained level. "
                                + "See: https://www.cockroachlabs.com/docs/" + docs
                                + "/alter-role.html#set-default-session-variable-values-for-a-role")
                : null;
        // RAISE NOTICE makes PostgreSQL send a notice at the right place; its fields are replaced by CockroachDB's
        return new Plan(
                sqlDefault ? "DO $$BEGIN RAISE NOTICE 'cluster setting'; END$$" : "DO $$BEGIN END$$",
                "SET CLUSTER SETTING",
                null,
                notice,
                null);
    }

    private Plan createExtension(String name) {
        if (NO_OP_EXTENSIONS.contains(name)) {
            return new Plan("DO $$BEGIN END$$", "CREATE EXTENSION", null, null, null);
        }
        Integer issue = UNSUPPORTED_EXTENSIONS.get(name);
        if (issue != null) {
            return Plan.error(
                    "0A000",
                    "unimplemented: extension \"" + name + "\" is not yet supported",
                    "You have attempted to use a feature that is not yet implemented.\nSee: https://go.crdb.dev/issue-v/"
                            + issue + "/" + docs);
        }
        return Plan.error("42P02", "unknown extension: " + name, null);
    }

    private Map<Character, String> retryError(String cause) {
        return ordered(
                'S',
                "ERROR",
                'V',
                "ERROR",
                'C',
                "40001",
                'M',
                "restart transaction: " + cause,
                'H',
                "See: https://www.cockroachlabs.com/docs/" + docs + "/transaction-retry-error-reference.html");
    }

    private static Plan rows(String column, String value) {
        return new Plan(
                "SELECT '" + value.replace("'", "''") + "'::text AS \"" + column + "\"",
                column.equals("version") ? null : "SHOW",
                null,
                null,
                null);
    }

    private static boolean isControl(String upper) {
        return upper.startsWith("SET ")
                || upper.startsWith("BEGIN")
                || upper.startsWith("START TRANSACTION")
                || upper.startsWith("SAVEPOINT")
                || upper.startsWith("RELEASE")
                || upper.startsWith("ROLLBACK")
                || upper.startsWith("COMMIT")
                || upper.startsWith("END")
                || upper.startsWith("SHOW ");
    }

    private static Map<Character, String> ordered(Object... kv) {
        Map<Character, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((Character) kv[i], (String) kv[i + 1]);
        }
        return m;
    }

    private static Map<String, Integer> unsupportedExtensions() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (String e : new String[] {
            "postgis_raster",
            "postgis_topology",
            "postgis_sfcgal",
            "address_standardizer",
            "address_standardizer_data_us",
            "postgis_tiger_geocoder"
        }) {
            m.put(e, 54514);
        }
        m.put("btree_gin", 51992);
        m.put("btree_gist", 51993);
        m.put("citext", 41276);
        m.put("postgres_fdw", 20249);
        for (String e : new String[] {
            "adminpack",
            "amcheck",
            "auth_delay",
            "auto_explain",
            "bloom",
            "cube",
            "dblink",
            "dict_int",
            "dict_xsyn",
            "earthdistance",
            "file_fdw",
            "hstore",
            "intagg",
            "intarray",
            "isn",
            "lo",
            "ltree",
            "pageinspect",
            "passwordcheck",
            "pg_buffercache",
            "pg_freespacemap",
            "pg_prewarm",
            "pgrowlocks",
            "pg_stat_statements",
            "pgstattuple",
            "pg_visibility",
            "seg",
            "sepgsql",
            "spi",
            "sslinfo",
            "tablefunc",
            "tcn",
            "test_decoding",
            "tsm_system_rows",
            "tsm_system_time",
            "unaccent",
            "xml2"
        }) {
            m.put(e, 54516);
        }
        return m;
    }
}
