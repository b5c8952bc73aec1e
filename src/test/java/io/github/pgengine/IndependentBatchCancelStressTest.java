package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Cancelling a batch whose rows commit one by one, while one row waits for a lock another session holds: the cancel
 * stops that row and no other, however the machine is loaded. PostgreSQL up to 17 answers a CancelRequest by
 * signalling the backend twice (the process and its process group); when the second signal comes late, it hits a
 * later row that was already pipelined. Repeated under a CPU burner, which makes the late second signal likely.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class IndependentBatchCancelStressTest {
    private static final int ROWS = 1_000;
    private static final int BLOCKED = 300;
    private static final int ROUNDS = 80;

    private static TestPostgres pg;
    private static PostgresEngine engine;

    @BeforeAll
    static void start() {
        pg = TestPostgres.get();
        engine = PostgresEngine.builder().config(pg.config()).build();
        Await.result(engine.startConnectionPool(PoolOptions.builder().maxSize(2).build()));
        Await.result(engine.runDdl("DROP TABLE IF EXISTS indep_cancel_stress"));
        Await.result(engine.runDdl("CREATE TABLE indep_cancel_stress (id int PRIMARY KEY)"));
    }

    @AfterAll
    static void stop() {
        Await.result(engine.close());
    }

    @Test
    void aCancelStopsOnlyTheRowRunningAtThatMomentUnderLoad() throws SQLException {
        List<List<Object>> rows = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            rows.add(List.of(i));
        }
        AtomicBoolean burning = new AtomicBoolean(true);
        List<Thread> burners = new ArrayList<>();
        for (int i = 0; i < Runtime.getRuntime().availableProcessors() * 2; i++) {
            Thread t = new Thread(() -> {
                long x = 0;
                while (burning.get()) {
                    x += System.nanoTime() % 7;
                }
                if (x == 42) {
                    System.out.print("");
                }
            });
            t.setDaemon(true);
            t.start();
            burners.add(t);
        }
        List<String> wrong = new ArrayList<>();
        try (Connection blocker = DriverManager.getConnection(
                "jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/" + pg.database(), pg.user(), pg.password())) {
            for (int round = 0; round < ROUNDS; round++) {
                Await.result(engine.runDdl("TRUNCATE indep_cancel_stress"));
                blocker.setAutoCommit(false);
                blocker.createStatement().executeUpdate("INSERT INTO indep_cancel_stress VALUES (" + BLOCKED + ")");
                CompletableFuture<long[]> batch = engine.executeBatch(
                        "INSERT INTO indep_cancel_stress VALUES ($1)", rows, BatchOptions.independent());
                Await.until(
                        "the batch waits for the blocker",
                        () -> !pg.admin("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                        + "AND query LIKE 'INSERT INTO indep_cancel_stress%'")
                                .isEmpty());
                batch.cancel(true);
                Await.until("the connection is back", () -> engine.poolStats().inUse() == 0);
                blocker.rollback();
                List<Integer> ids = new ArrayList<>();
                for (Row r : Await.result(engine.query("SELECT id FROM indep_cancel_stress ORDER BY id"))) {
                    ids.add(r.getInt("id"));
                }
                List<Integer> missing = new ArrayList<>();
                int end = ids.isEmpty() ? 0 : ids.get(ids.size() - 1) + 1;
                for (int id = 0; id < end; id++) {
                    if (!ids.contains(id)) {
                        missing.add(id);
                    }
                }
                if (!missing.equals(List.of(BLOCKED))) {
                    wrong.add("round " + round + ": missing " + missing + " below " + end);
                }
            }
        } finally {
            burning.set(false);
            for (Thread t : burners) {
                t.interrupt();
            }
        }
        assertThat(wrong)
                .as("rounds where the cancel hit another row than the blocked one")
                .isEmpty();
        assertThat(engine.poolStats().isIdle()).isTrue();
    }
}
