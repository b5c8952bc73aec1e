package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.LogCapture;
import io.github.pgengine.testing.TestPostgres;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An engine whose statements run without a pool (a connection per call) says so once, with the cost and the fix,
 * unless it was built to run unpooled on purpose; the engine's own set-up calls before the pool starts say nothing.
 */
class NoPoolWarningTest {
    private final TestPostgres pg = TestPostgres.get();
    private final List<PostgresEngine> engines = new ArrayList<>();

    private PostgresEngine engine(PostgresEngine.Builder builder) {
        PostgresEngine e = builder.config(pg.config()).build();
        engines.add(e);
        return e;
    }

    @AfterEach
    void close() {
        engines.forEach(e -> Await.result(e.close()));
    }

    /** Runs statements of every kind: queries, a DDL statement, a batch, a transaction and a cursor. */
    private static void work(PostgresEngine e) {
        List<CompletableFuture<?>> calls = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            calls.add(e.query("SELECT $1::int AS i", i));
        }
        calls.add(e.runDdl("CREATE TEMPORARY TABLE IF NOT EXISTS no_pool (id int)"));
        calls.add(e.executeBatch("SELECT $1::int", List.of(List.of(1), List.of(2))));
        calls.add(e.transaction(tx -> tx.query("SELECT 1")));
        calls.add(e.batch("SELECT g FROM generate_series(1, 3) g", List.of(), 2)
                .thenCompose(b -> b.next().thenCompose(rows -> b.close())));
        calls.forEach(Await::result);
    }

    private static List<String> warningsOf(LogCapture log, PostgresEngine e) {
        return log.warnings().stream().filter(w -> w.contains(e.name())).toList();
    }

    @Test
    void warnsOnceAtTheFirstStatementWithoutAPool() {
        try (LogCapture log = LogCapture.of("io.github.pgengine", Level.WARN)) {
            PostgresEngine e = engine(PostgresEngine.builder().name("no-pool-warned"));
            work(e);
            work(e);

            assertThat(warningsOf(log, e))
                    .singleElement()
                    .asString()
                    .contains("no-pool-warned")
                    .contains("without a connection pool")
                    .contains("startConnectionPool()")
                    .contains("docs/pool.md");
        }
    }

    @Test
    void saysNothingWithAPoolOrForTheSetUpCallsBeforeIt() {
        try (LogCapture log = LogCapture.of("io.github.pgengine", Level.WARN)) {
            PostgresEngine e =
                    engine(PostgresEngine.builder().name("no-pool-set-up").extensions(List.of("plpgsql")));
            Await.result(e.prepDatabase());
            Await.result(e.checkVersion());
            Await.result(e.getVersion());
            Await.result(e.ping());
            Await.result(e.startConnectionPool(PoolOptions.builder().maxSize(2).build()));
            work(e);

            assertThat(warningsOf(log, e)).isEmpty();
        }
    }

    @Test
    void saysNothingWhenBuiltToRunUnpooled() {
        try (LogCapture log = LogCapture.of("io.github.pgengine", Level.WARN)) {
            PostgresEngine e =
                    engine(PostgresEngine.builder().name("no-pool-on-purpose").warnWithoutPool(false));
            CockroachEngine.Builder cockroach = CockroachEngine.builder().warnWithoutPool(false);
            work(e);

            assertThat(warningsOf(log, e)).isEmpty();
            assertThat(cockroach).isNotNull();
        }
    }
}
