package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.LogCapture;
import io.github.pgengine.testing.TestCockroach;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** CockroachEngine on the CockroachDB backend: cluster setting, version, retries, autocommit_before_ddl. */
class CockroachEngineTest {
    private static final RetryPolicy FAST = RetryPolicy.builder()
            .maxAttempts(5)
            .initialBackoff(Duration.ofMillis(5))
            .maxBackoff(Duration.ofMillis(20))
            .build();
    private static TestCockroach crdb;
    private final List<PostgresEngine> engines = new ArrayList<>();

    @BeforeAll
    static void backend() {
        crdb = TestCockroach.get();
        System.out.println("[pgengine-test] CockroachEngineTest runs on " + crdb.backend());
    }

    @AfterEach
    void close() {
        engines.forEach(e -> Await.result(e.close()));
    }

    private <E extends PostgresEngine> E keep(E e) {
        engines.add(e);
        return e;
    }

    private CockroachEngine admin() {
        return keep(CockroachEngine.builder()
                .config(crdb.adminConfig())
                .retryPolicy(FAST)
                .build());
    }

    @Test
    void identifiesItself() {
        CockroachEngine e = admin();

        assertThat(e.engineType()).isEqualTo("cockroach");
        assertThat(e.minVersionNumber()).isEqualTo(0.0);
        assertThat(e.clusterSettings())
                .containsExactly(Map.entry("sql.defaults.experimental_alter_column_type.enabled", "true"));
        assertThat(new CockroachEngine(Map.of("host", "db", "user", "root")).toString())
                .contains("root@db:26257/");
    }

    @Test
    void setsTheClusterSettingAsAdminWithoutWarning() {
        CockroachEngine e = admin();
        try (LogCapture log = LogCapture.of("io.github.pgengine", Level.DEBUG)) {
            Await.result(e.prepDatabase());

            assertThat(log.warnings()).isEmpty();
            if (crdb.isEmulation()) {
                assertThat(log.lines())
                        .anyMatch(
                                l -> l.startsWith("INFO io.github.pgengine.notice:")
                                        && l.contains(
                                                "NOTICE 00000: setting global default sql.defaults.experimental_alter_column_type.enabled is not recommended"));
            }
        }
    }

    @Test
    void warnsOnceAndCarriesOnWhenTheUserMayNotSetClusterSettings() {
        CockroachEngine e = keep(new CockroachEngine(crdb.plainConfig(), List.of("pgcrypto"), false, false, Map.of()));
        try (LogCapture log = LogCapture.of("io.github.pgengine", Level.INFO)) {
            Await.result(e.prepDatabase());

            assertThat(log.warnings())
                    .singleElement()
                    .asString()
                    .startsWith("Unable to set up CockroachDB")
                    .contains("some functionality may not behave as expected")
                    .contains("Make sure the database user has permission to set cluster options")
                    .contains(
                            "only users with the MODIFYCLUSTERSETTING or MODIFYSQLCLUSTERSETTING privilege are allowed "
                                    + "to set cluster setting 'sql.defaults.experimental_alter_column_type.enabled'");
        }
        assertThat(Await.result(e.query("SELECT 1 AS ok")).get(0).getInt("ok")).isEqualTo(1);
    }

    @Test
    void failsWithTheServersSqlStateForOtherErrors() {
        CockroachEngine e = keep(CockroachEngine.builder()
                .config(crdb.adminConfig())
                .clusterSettings(Map.of("no.such.setting", true))
                .build());

        Throwable error = Await.failure(e.prepDatabase());
        assertThat(error).isInstanceOf(EngineException.class);
        assertThat(((EngineException) error).sqlState()).isEqualTo("42P02");
        assertThat(error.getMessage()).contains("unknown cluster setting 'no.such.setting'");
    }

    @Test
    void reportsTheCockroachReleaseNotThePostgresCompatibilityVersion() {
        CockroachEngine e = admin();

        assertThat(Await.result(e.query("SHOW server_version")).get(0).getString("server_version"))
                .isEqualTo("13.0.0");
        if (crdb.isEmulation()) {
            assertThat(Await.result(e.getVersion())).isEqualTo(24.1);
        } else {
            assertThat(Await.result(e.getVersion())).isGreaterThan(20.0);
        }
    }

    @Test
    void aPostgresEngineWarnsWhenItTalksToCockroach() {
        PostgresEngine e = keep(PostgresEngine.builder()
                .config(crdb.adminConfig())
                .warnWithoutPool(false)
                .build());
        try (LogCapture log = LogCapture.of("io.github.pgengine", Level.INFO)) {
            Await.result(e.query("SELECT 1"));
            Await.result(e.query("SELECT 1"));

            assertThat(log.warnings())
                    .singleElement()
                    .asString()
                    .contains("is CockroachDB")
                    .contains("use CockroachEngine");
        }
    }

    private void counterTable(CockroachEngine e, String name) {
        Await.result(e.runDdl("DROP TABLE IF EXISTS " + name));
        Await.result(e.runDdl("CREATE TABLE " + name + " (id int PRIMARY KEY, n int NOT NULL)"));
        Await.result(e.execute("INSERT INTO " + name + " VALUES (1, 0)"));
    }

    @Test
    void aTransactionThatMeetsSerializationFailuresTwiceCommitsExactlyOnce() {
        CockroachEngine e = admin();
        counterTable(e, "crdb_counter");
        AtomicInteger attempts = new AtomicInteger();
        try (LogCapture log = LogCapture.of("io.github.pgengine.transaction", Level.DEBUG)) {
            int result = Await.result(e.transaction(tx -> {
                int attempt = attempts.incrementAndGet();
                return tx.execute("UPDATE crdb_counter SET n = n + 1 WHERE id = 1")
                        .thenCompose(n -> attempt <= 2
                                ? tx.query("SELECT crdb_internal.force_retry('1h')")
                                        .thenApply(r -> attempt)
                                : java.util.concurrent.CompletableFuture.completedFuture(attempt));
            }));

            assertThat(result).isEqualTo(3);
            assertThat(log.messages())
                    .anyMatch(m -> m.startsWith("transaction attempt 1 of 5 failed with SQLSTATE 40001"))
                    .anyMatch(m -> m.startsWith("transaction attempt 2 of 5 failed with SQLSTATE 40001"));
        }
        assertThat(attempts).hasValue(3);
        assertThat(Await.result(e.query("SELECT n FROM crdb_counter WHERE id = 1"))
                        .get(0)
                        .getInt("n"))
                .isEqualTo(1);
        Await.until("pool idle", () -> e.poolStats().isIdle());
    }

    @Test
    void failsWithTheAttemptsMadeWhenRetriesRunOut() {
        CockroachEngine e = admin();
        TransactionOptions threeTries = TransactionOptions.builder()
                .retryPolicy(FAST.toBuilder().maxAttempts(3).build())
                .build();
        AtomicInteger attempts = new AtomicInteger();

        Throwable error = Await.failure(e.transaction(threeTries, tx -> {
            attempts.incrementAndGet();
            return tx.query("SELECT crdb_internal.force_retry('1h')");
        }));

        assertThat(error).isInstanceOf(SerializationFailureException.class);
        SerializationFailureException sfe = (SerializationFailureException) error;
        assertThat(sfe.attempts()).isEqualTo(3);
        assertThat(sfe.sqlState()).isEqualTo("40001");
        assertThat(sfe.getMessage()).startsWith("gave up after 3 attempts: ERROR 40001: restart transaction");
        assertThat(attempts).hasValue(3);
    }

    @Test
    void aFollowerReadNodeReadsAndRefusesWrites() {
        CockroachEngine followers = keep(CockroachEngine.builder()
                .config(crdb.adminConfig())
                .followerReads(true)
                .build());
        CockroachEngine e = keep(CockroachEngine.builder()
                .config(crdb.adminConfig())
                .extraNodes(Map.of("followers", followers))
                .build());
        counterTable(e, "crdb_follower");

        CockroachEngine node = e.node("followers");
        assertThat(node.followerReads()).isTrue();
        assertThat(e.followerReads()).isFalse();
        assertThat(Await.result(node.query("SHOW default_transaction_use_follower_reads"))
                        .get(0)
                        .values())
                .containsExactly("on");
        assertThat(Await.result(node.query("SELECT n FROM crdb_follower WHERE id = 1")))
                .hasSize(1);
        Throwable write = Await.failure(node.execute("UPDATE crdb_follower SET n = n + 1 WHERE id = 1"));
        assertThat(write).isInstanceOf(EngineException.class);
        assertThat(((EngineException) write).sqlState()).isEqualTo("25006");
        assertThat(write.getMessage()).contains("read-only transaction");
        assertThat(Await.result(e.execute("UPDATE crdb_follower SET n = n + 1 WHERE id = 1")))
                .isEqualTo(1);
    }

    @Test
    void retriesInjectedRetryErrorsThroughTheRestartSavepoint() {
        CockroachEngine e = admin();
        counterTable(e, "crdb_injected");
        Await.result(e.startConnectionPool(PoolOptions.builder().maxSize(1).build()));
        Await.result(e.execute("SET inject_retry_errors_enabled = true"));
        AtomicInteger attempts = new AtomicInteger();
        try {
            Await.result(e.transaction(tx -> {
                attempts.incrementAndGet();
                return tx.execute("UPDATE crdb_injected SET n = n + 1 WHERE id = 1");
            }));
        } finally {
            Await.result(e.execute("SET inject_retry_errors_enabled = false"));
        }

        assertThat(attempts).hasValue(4);
        assertThat(Await.result(e.query("SELECT n FROM crdb_injected WHERE id = 1"))
                        .get(0)
                        .getInt("n"))
                .isEqualTo(1);
    }

    @Test
    void surfacesAnAmbiguousCommitWithoutRetrying() {
        CockroachEngine e = admin();
        ambiguousCommitTable(e, "crdb_ambiguous", false);
        AtomicInteger attempts = new AtomicInteger();

        Throwable error = Await.failure(e.transaction(tx -> {
            attempts.incrementAndGet();
            return tx.execute("INSERT INTO crdb_ambiguous VALUES (1)");
        }));

        assertThat(error).isInstanceOf(AmbiguousCommitException.class);
        assertThat(((EngineException) error).sqlState()).isEqualTo("40003");
        assertThat(error.getMessage()).contains("result is ambiguous");
        assertThat(attempts).hasValue(1);
    }

    @Test
    void retriesAnAmbiguousCommitWhenTheTransactionIsIdempotent() {
        CockroachEngine e = admin();
        ambiguousCommitTable(e, "crdb_ambiguous_once", true);
        AtomicInteger attempts = new AtomicInteger();

        Await.result(e.transaction(TransactionOptions.builder().idempotent(true).build(), tx -> {
            attempts.incrementAndGet();
            return tx.execute("INSERT INTO crdb_ambiguous_once VALUES (1) ON CONFLICT DO NOTHING");
        }));

        assertThat(attempts).hasValue(2);
    }

    /** A deferred trigger makes COMMIT fail with 40003, always or only the first time (a sequence survives rollback). */
    private void ambiguousCommitTable(CockroachEngine e, String name, boolean onlyOnce) {
        Await.result(e.runDdl("DROP TABLE IF EXISTS " + name));
        Await.result(e.runDdl("DROP SEQUENCE IF EXISTS " + name + "_seq"));
        Await.result(e.runDdl("CREATE TABLE " + name + " (id int PRIMARY KEY)"));
        Await.result(e.runDdl("CREATE SEQUENCE " + name + "_seq"));
        Await.result(e.runDdl("CREATE OR REPLACE FUNCTION " + name + "_fail() RETURNS trigger LANGUAGE plpgsql AS $$ "
                + "BEGIN IF " + (onlyOnce ? "nextval('" + name + "_seq') = 1" : "true") + " THEN RAISE EXCEPTION "
                + "USING ERRCODE = '40003', MESSAGE = 'result is ambiguous: error=rpc error: code = Unavailable'; "
                + "END IF; RETURN NULL; END $$"));
        Await.result(e.runDdl("CREATE CONSTRAINT TRIGGER " + name + "_at_commit AFTER INSERT ON " + name
                + " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION " + name + "_fail()"));
    }

    @Test
    void atomicKeepsSeveralDdlStatementsInOneTransaction() {
        CockroachEngine e = keep(CockroachEngine.builder()
                .config(crdb.adminConfig())
                .logQueries(true)
                .build());
        try (LogCapture log = LogCapture.of("io.github.pgengine.query", Level.INFO)) {
            Await.result(e.atomic()
                    .add("DROP TABLE IF EXISTS crdb_ddl_a")
                    .add("CREATE TABLE crdb_ddl_a (id int)")
                    .add("ALTER TABLE crdb_ddl_a ADD COLUMN name text")
                    .run());

            assertThat(log.messages()).anyMatch(m -> m.endsWith("SET LOCAL autocommit_before_ddl = off"));
        }
        String inside = Await.result(e.transaction(
                        TransactionOptions.builder().autocommitBeforeDdl(true).build(),
                        tx -> tx.query("SHOW autocommit_before_ddl")))
                .get(0)
                .getString("autocommit_before_ddl");
        assertThat(inside).isEqualTo("on");
        assertThat(Await.result(e.query("SELECT count(*) AS n FROM crdb_ddl_a"))
                        .get(0)
                        .getLong("n"))
                .isZero();
    }

    @Test
    void requiresCockroachEnginesAsExtraNodes() {
        PostgresEngine postgres = keep(new PostgresEngine(crdb.adminConfig()));
        CockroachEngine node = admin();
        CockroachEngine e = keep(new CockroachEngine(crdb.adminConfig(), List.of(), false, false, Map.of("n2", node)));

        assertThat(e.node("n2")).isSameAs(node);
        assertThatThrownBy(() -> CockroachEngine.builder()
                        .config(crdb.adminConfig())
                        .extraNodes(Map.of("pg", postgres))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be a CockroachEngine");
    }

    @Test
    void rejectsBadClusterSettingsBeforeAnySql() {
        assertThatThrownBy(() -> CockroachEngine.builder().clusterSettings(Map.of("x; DROP TABLE t", true)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cluster setting name");
        Map<String, Object> settings = new HashMap<>();
        settings.put("sql.defaults.x", new Object());
        assertThatThrownBy(() -> CockroachEngine.builder().clusterSettings(settings))
                .hasMessageContaining("must be a Boolean, Integer, Long or String");
    }
}
