package io.github.pgengine.testing.crdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.jasync.sql.db.Configuration;
import com.github.jasync.sql.db.QueryResult;
import com.github.jasync.sql.db.postgresql.PostgreSQLConnection;
import com.github.jasync.sql.db.postgresql.exceptions.GenericDatabaseException;
import io.github.pgengine.testing.TestPostgres;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The emulation's wire behaviour, seen through a bare jasync connection in both protocols. */
class CockroachEmulatorTest {
    private static TestPostgres pg;
    private static CockroachEmulator emulator;
    private PostgreSQLConnection admin;

    @BeforeAll
    static void start() throws Exception {
        pg = TestPostgres.get();
        pg.createRole("emul_plain", "emul-pass", false);
        emulator = CockroachEmulator.start(pg.host(), pg.port(), Set.of(pg.user()), "v24.1.0");
    }

    @AfterAll
    static void stop() {
        emulator.close();
    }

    @AfterEach
    void disconnect() throws Exception {
        if (admin != null) {
            admin.disconnect().get(10, TimeUnit.SECONDS);
        }
    }

    private static PostgreSQLConnection connect(String user, String password) throws Exception {
        PostgreSQLConnection c = new PostgreSQLConnection(
                new Configuration(user, emulator.host(), emulator.port(), password, pg.database()));
        c.connect().get(10, TimeUnit.SECONDS);
        return c;
    }

    private PostgreSQLConnection admin() throws Exception {
        admin = connect(pg.user(), pg.password());
        return admin;
    }

    private static QueryResult simple(PostgreSQLConnection c, String sql) throws Exception {
        return c.sendQuery(sql).get(10, TimeUnit.SECONDS);
    }

    private static QueryResult extended(PostgreSQLConnection c, String sql) throws Exception {
        return c.sendPreparedStatement(sql, List.of()).get(10, TimeUnit.SECONDS);
    }

    private static Map<Character, String> error(ThrowingCall call) {
        try {
            call.run();
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(GenericDatabaseException.class);
            return ((GenericDatabaseException) e.getCause()).getErrorMessage().getFields();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("expected a server error");
    }

    private interface ThrowingCall {
        void run() throws Exception;
    }

    @Test
    void reportsCockroachVersionsInBothProtocols() throws Exception {
        PostgreSQLConnection c = admin();

        assertThat(c.parameterStatuses())
                .containsEntry("server_version", "13.0.0")
                .containsEntry("crdb_version", emulator.versionString());
        assertThat(simple(c, "SELECT version()").getRows().get(0).get("version"))
                .isEqualTo(emulator.versionString());
        assertThat(extended(c, "select version()").getRows().get(0).get("version"))
                .isEqualTo(emulator.versionString());
        QueryResult show = simple(c, "SHOW server_version");
        assertThat(show.getRows().get(0).get("server_version")).isEqualTo("13.0.0");
        assertThat(show.getStatusMessage()).isEqualTo("SHOW");
        assertThat(extended(c, "SHOW server_version_num").getRows().get(0).get(0))
                .isEqualTo("130000");
    }

    @Test
    void setsClusterSettingsForAdminsWithTheNotice() throws Exception {
        PostgreSQLConnection c = admin();
        int before = emulator.noticesSent().size();

        QueryResult r = simple(c, "SET CLUSTER SETTING sql.defaults.experimental_alter_column_type.enabled = true");
        QueryResult e = extended(c, "SET CLUSTER SETTING kv.rangefeed.enabled = true");

        assertThat(r.getStatusMessage()).isEqualTo("SET CLUSTER SETTING");
        assertThat(e.getStatusMessage()).isEqualTo("SET CLUSTER SETTING");
        List<Map<Character, String>> notices = emulator.noticesSent();
        assertThat(notices).hasSize(before + 1);
        assertThat(notices.get(before))
                .containsEntry('S', "NOTICE")
                .containsEntry('C', "00000")
                .containsEntry(
                        'M',
                        "setting global default sql.defaults.experimental_alter_column_type.enabled is not recommended")
                .containsEntry(
                        'H',
                        "use the `ALTER ROLE ... SET` syntax to control session variable defaults at a "
                                + "finer-grained level. See: https://www.cockroachlabs.com/docs/v24.1/alter-role.html"
                                + "#set-default-session-variable-values-for-a-role")
                .containsOnlyKeys('S', 'V', 'C', 'M', 'H');
    }

    @Test
    void refusesClusterSettingsToOtherUsersWithTheExactError() throws Exception {
        PostgreSQLConnection plain = connect("emul_plain", "emul-pass");
        try {
            for (ThrowingCall call : List.<ThrowingCall>of(
                    () -> simple(
                            plain, "SET CLUSTER SETTING sql.defaults.experimental_alter_column_type.enabled = true"),
                    () -> extended(
                            plain, "SET CLUSTER SETTING sql.defaults.experimental_alter_column_type.enabled = true"))) {
                assertThat(error(call))
                        .containsEntry('C', "42501")
                        .containsEntry(
                                'M',
                                "only users with the MODIFYCLUSTERSETTING or MODIFYSQLCLUSTERSETTING privilege "
                                        + "are allowed to set cluster setting 'sql.defaults.experimental_alter_column_type.enabled'")
                        .containsOnlyKeys('S', 'V', 'C', 'M');
            }
            assertThat(error(() -> simple(plain, "SET CLUSTER SETTING kv.rangefeed.enabled = true")))
                    .containsEntry(
                            'M',
                            "only users with the MODIFYCLUSTERSETTING privilege are allowed to set cluster "
                                    + "setting 'kv.rangefeed.enabled'");
            assertThat(error(() -> simple(plain, "SET CLUSTER SETTING no.such.setting = 1")))
                    .containsEntry('C', "42P02")
                    .containsEntry('M', "unknown cluster setting 'no.such.setting'");
            assertThat(simple(plain, "SELECT 1 AS one").getRows().get(0).get("one"))
                    .isEqualTo(1);
        } finally {
            plain.disconnect().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void refusesClusterSettingsInsideATransactionAndAbortsIt() throws Exception {
        PostgreSQLConnection c = admin();
        simple(c, "BEGIN");

        assertThat(error(() ->
                        simple(c, "SET CLUSTER SETTING sql.defaults.experimental_alter_column_type.enabled = true")))
                .containsEntry('C', "XXUUU")
                .containsEntry('M', "SET CLUSTER SETTING cannot be used inside a multi-statement transaction");
        assertThat(error(() -> simple(c, "SELECT 1"))).containsEntry('C', "25P02");
        assertThat(simple(c, "SHOW TRANSACTION STATUS").getRows().get(0).get("TRANSACTION STATUS"))
                .isEqualTo("Aborted");
        simple(c, "ROLLBACK");
        assertThat(simple(c, "SHOW TRANSACTION STATUS").getRows().get(0).get(0)).isEqualTo("NoTxn");
    }

    @Test
    void forcesRetryErrorsInYoungExplicitTransactions() throws Exception {
        PostgreSQLConnection c = admin();
        assertThat(simple(c, "SELECT crdb_internal.force_retry('1h')")
                        .getRows()
                        .get(0)
                        .get("force_retry"))
                .isEqualTo(0L);

        simple(c, "BEGIN");
        simple(c, "SAVEPOINT cockroach_restart");
        Map<Character, String> e = error(() -> simple(c, "SELECT crdb_internal.force_retry('1h'::INTERVAL)"));
        assertThat(e)
                .containsEntry('C', "40001")
                .containsEntry(
                        'M',
                        "restart transaction: crdb_internal.force_retry(): TransactionRetryWithProtoRefreshError: "
                                + "forced by crdb_internal.force_retry()")
                .containsEntry(
                        'H', "See: https://www.cockroachlabs.com/docs/v24.1/transaction-retry-error-reference.html");
        assertThat(simple(c, "ROLLBACK TO SAVEPOINT cockroach_restart").getStatusMessage())
                .isEqualTo("ROLLBACK");
        assertThat(simple(c, "SELECT crdb_internal.force_retry('0s')")
                        .getRows()
                        .get(0)
                        .get(0))
                .isEqualTo(0L);
        assertThat(simple(c, "RELEASE SAVEPOINT cockroach_restart").getStatusMessage())
                .isEqualTo("COMMIT");
        assertThat(simple(c, "SHOW TRANSACTION STATUS").getRows().get(0).get(0)).isEqualTo("CommitWait");
        assertThat(simple(c, "COMMIT").getStatusMessage()).isEqualTo("COMMIT");
        assertThat(simple(c, "SHOW TRANSACTION STATUS").getRows().get(0).get(0)).isEqualTo("NoTxn");
    }

    @Test
    void injectsRetryErrorsUntilThreeRestarts() throws Exception {
        PostgreSQLConnection c = admin();
        simple(c, "SET inject_retry_errors_enabled = true");
        simple(c, "BEGIN");
        simple(c, "SAVEPOINT cockroach_restart");
        for (int epoch = 0; epoch < 3; epoch++) {
            assertThat(error(() -> simple(c, "SELECT 1")))
                    .containsEntry('C', "40001")
                    .containsEntry(
                            'M',
                            "restart transaction: TransactionRetryWithProtoRefreshError: injected by `inject_retry_errors_enabled` "
                                    + "session variable");
            simple(c, "ROLLBACK TO SAVEPOINT cockroach_restart");
        }
        assertThat(simple(c, "SELECT 1 AS ok").getRows().get(0).get("ok")).isEqualTo(1);
        simple(c, "RELEASE SAVEPOINT cockroach_restart");
        simple(c, "COMMIT");
        simple(c, "SET inject_retry_errors_enabled = false");
    }

    @Test
    void setsAutocommitBeforeDdlLocally() throws Exception {
        PostgreSQLConnection c = admin();
        int before = emulator.noticesSent().size();

        assertThat(simple(c, "SET LOCAL autocommit_before_ddl = off").getStatusMessage())
                .isEqualTo("SET");
        assertThat(emulator.noticesSent().subList(before, emulator.noticesSent().size()))
                .singleElement()
                .satisfies(n -> assertThat(n)
                        .containsEntry('S', "WARNING")
                        .containsEntry('M', "SET LOCAL can only be used in transaction blocks"));
        simple(c, "BEGIN");
        assertThat(simple(c, "SET LOCAL autocommit_before_ddl = off").getStatusMessage())
                .isEqualTo("SET");
        assertThat(simple(c, "SHOW autocommit_before_ddl").getRows().get(0).get(0))
                .isEqualTo("off");
        simple(c, "COMMIT");
        assertThat(simple(c, "SHOW autocommit_before_ddl").getRows().get(0).get(0))
                .isEqualTo("off");
    }

    @Test
    void answersCreateExtensionLikeCockroach() throws Exception {
        PostgreSQLConnection c = admin();

        assertThat(simple(c, "CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\"").getStatusMessage())
                .isEqualTo("CREATE EXTENSION");
        assertThat(extended(c, "CREATE EXTENSION pg_trgm").getStatusMessage()).isEqualTo("CREATE EXTENSION");
        assertThat(error(() -> simple(c, "CREATE EXTENSION hstore")))
                .containsEntry('C', "0A000")
                .containsEntry('M', "unimplemented: extension \"hstore\" is not yet supported")
                .containsEntry(
                        'H',
                        "You have attempted to use a feature that is not yet implemented.\n"
                                + "See: https://go.crdb.dev/issue-v/54516/v24.1");
        assertThat(error(() -> simple(c, "CREATE EXTENSION foo")))
                .containsEntry('C', "42P02")
                .containsEntry('M', "unknown extension: foo");
    }

    @Test
    void passesOrdinaryStatementsThroughInBothProtocols() throws Exception {
        PostgreSQLConnection c = admin();

        assertThat(simple(c, "SELECT 2 + 2 AS four").getRows().get(0).get("four"))
                .isEqualTo(4);
        for (int i = 0; i < 3; i++) {
            QueryResult r = c.sendPreparedStatement("SELECT ?::int * 2 AS twice", List.of(i))
                    .get(10, TimeUnit.SECONDS);
            assertThat(r.getRows().get(0).get("twice")).isEqualTo(i * 2);
        }
        assertThatThrownBy(() -> simple(c, "SELECT 1/0")).hasRootCauseInstanceOf(GenericDatabaseException.class);
        assertThat(simple(c, "SELECT 'still fine' AS s").getRows().get(0).get("s"))
                .isEqualTo("still fine");
    }
}
