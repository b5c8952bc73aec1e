package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.LogCapture;
import io.github.pgengine.testing.TestPostgres;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Ordinary SQL errors and refused connection attempts make no log line at WARN or ERROR anywhere (the caller gets
 * them), with jasync's and Netty's loggers open at INFO; a lost connection is one WARN with its context.
 */
class QuietLogsTest {
    private final TestPostgres pg = TestPostgres.get();

    @Test
    void ordinarySqlErrorsLogNothingAtWarnOrError() {
        PostgresEngine e = new PostgresEngine(pg.config());
        Await.result(e.startConnectionPool(PoolOptions.builder().maxSize(2).build()));
        Await.result(e.runDdl("CREATE TABLE IF NOT EXISTS quiet_logs (id int PRIMARY KEY)"));
        Await.result(e.execute("INSERT INTO quiet_logs VALUES (1) ON CONFLICT DO NOTHING"));
        try (LogCapture jasync = LogCapture.of("com.github.jasync", Level.INFO);
                LogCapture netty = LogCapture.of("io.netty", Level.INFO);
                LogCapture engine = LogCapture.of("io.github.pgengine", Level.INFO)) {
            List<CompletableFuture<?>> failures = List.of(
                    e.execute("INSERT INTO quiet_logs VALUES (1)"), // 23505
                    e.query("SELEC 1"), // 42601
                    e.query("SELECT 1/0"), // 22012
                    e.query("SELECT * FROM no_such_table"), // 42P01
                    e.query("SELECT $1::int", "x"), // 22P02
                    e.transaction(tx -> tx.execute("INSERT INTO quiet_logs VALUES (1)")),
                    e.transaction(tx -> tx.execute("SET LOCAL statement_timeout = 50")
                            .thenCompose(n -> tx.query("SELECT pg_sleep(5)"))));
            for (CompletableFuture<?> f : failures) {
                assertThat(Await.failure(f)).isInstanceOf(EngineException.class);
            }
            Await.result(e.query("SELECT 1"));

            assertThat(jasync.lines()).noneMatch(l -> l.startsWith("WARN") || l.startsWith("ERROR"));
            assertThat(netty.lines()).noneMatch(l -> l.startsWith("WARN") || l.startsWith("ERROR"));
            assertThat(engine.lines()).noneMatch(l -> l.startsWith("WARN") || l.startsWith("ERROR"));
        } finally {
            Await.result(e.runDdl("DROP TABLE IF EXISTS quiet_logs"));
            Await.result(e.close());
        }
    }

    @Test
    void aLostConnectionIsOneWarningWithItsContext() {
        PostgresEngine e = PostgresEngine.builder()
                .config(Map.of(
                        "host", pg.host(),
                        "port", pg.port(),
                        "user", pg.user(),
                        "password", pg.password(),
                        "database", pg.database(),
                        "sslmode", "disable",
                        "application_name", "pgengine-quiet-logs"))
                .build();
        Await.result(e.startConnectionPool(
                PoolOptions.builder().maxSize(1).minIdle(1).build()));
        try (LogCapture jasync = LogCapture.of("com.github.jasync", Level.INFO);
                LogCapture engine = LogCapture.of("io.github.pgengine", Level.INFO)) {
            pg.admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    + "WHERE application_name = 'pgengine-quiet-logs'");
            Await.until("the engine noticed", () -> !engine.warnings().isEmpty());
            Await.result(e.query("SELECT 1"));

            assertThat(engine.warnings())
                    .singleElement()
                    .asString()
                    .contains(pg.host() + ":" + pg.port())
                    .contains("terminat");
            assertThat(jasync.lines()).noneMatch(l -> l.startsWith("WARN") || l.startsWith("ERROR"));
        } finally {
            Await.result(e.close());
        }
    }

    @Test
    void refusedConnectionAttemptsLogNothingAtWarnOrError() {
        pg.createRole("quiet_limited", "quiet-pw", false);
        pg.admin("ALTER ROLE quiet_limited CONNECTION LIMIT 0");
        Map<String, Object> missingDatabase = new HashMap<>(pg.config());
        missingDatabase.put("database", "quiet_no_such_database");
        Map<String, Object> wrongPassword = new HashMap<>(pg.config());
        wrongPassword.put("password", "not-the-password");
        Map<String, Map<String, Object>> refusals = Map.of(
                "3D000", missingDatabase,
                "28P01", wrongPassword,
                "53300", pg.config("quiet_limited", "quiet-pw"));
        try (LogCapture jasync = LogCapture.of("com.github.jasync", Level.INFO);
                LogCapture netty = LogCapture.of("io.netty", Level.INFO);
                LogCapture engine = LogCapture.of("io.github.pgengine", Level.INFO)) {
            refusals.forEach((sqlState, config) -> {
                PostgresEngine e = new PostgresEngine(config);
                try {
                    Await.result(e.startConnectionPool(
                            PoolOptions.builder().maxSize(1).minIdle(0).build()));
                    for (int i = 0; i < 3; i++) {
                        assertThat(Await.failure(e.query("SELECT 1")))
                                .isInstanceOfSatisfying(
                                        EngineException.class,
                                        x -> assertThat(x.sqlState()).isEqualTo(sqlState));
                    }
                } finally {
                    Await.result(e.close());
                }
            });

            assertThat(jasync.lines()).noneMatch(l -> l.startsWith("WARN") || l.startsWith("ERROR"));
            assertThat(jasync.stackTraces()).isEmpty();
            assertThat(netty.lines()).noneMatch(l -> l.startsWith("WARN") || l.startsWith("ERROR"));
            assertThat(engine.lines()).noneMatch(l -> l.startsWith("WARN") || l.startsWith("ERROR"));
        } finally {
            pg.admin("ALTER ROLE quiet_limited CONNECTION LIMIT -1");
        }
    }
}
