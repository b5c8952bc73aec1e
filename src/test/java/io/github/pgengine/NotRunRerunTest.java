package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.TestPostgres;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A request that provably never ran is sent again on another connection: the pooled connection it was given had just
 * been ended by the server (a terminated backend, {@code idle_session_timeout}), which the engine could not know when
 * it lent it. The caller sees one successful call, and the statement ran exactly once.
 */
class NotRunRerunTest {
    private static TestPostgres pg;
    private static PostgresEngine engine;

    @BeforeAll
    static void start() {
        pg = TestPostgres.get();
        engine = PostgresEngine.builder().config(pg.config()).build();
        Await.result(engine.startConnectionPool(
                PoolOptions.builder().maxSize(2).minIdle(2).build()));
        Await.result(engine.runDdl("DROP TABLE IF EXISTS rerun_once"));
        Await.result(engine.runDdl("CREATE TABLE rerun_once (id int PRIMARY KEY)"));
    }

    @AfterAll
    static void stop() {
        Await.result(engine.close());
    }

    /** The pid of the connection the next call will get (the pool lends its most recently used one). */
    private static int nextPid() {
        return Await.result(engine.query("SELECT pg_backend_pid() AS pid"))
                .get(0)
                .getInt("pid");
    }

    @Test
    void aQuerySentRightAfterItsIdleConnectionWasTerminatedSucceedsOnAnotherConnection() {
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            int pid = nextPid();
            pg.admin("SELECT pg_terminate_backend(" + pid + ")");
            CompletableFuture<List<Row>> q = engine.query("SELECT pg_backend_pid() AS pid");
            try {
                int ranOn = Await.result(q).get(0).getInt("pid");
                assertThat(ranOn).isNotEqualTo(pid);
            } catch (RuntimeException | AssertionError e) {
                failures.add("try " + i + ": " + e);
            }
        }
        assertThat(failures).isEmpty();
        Await.until("the pool is idle", () -> engine.poolStats().isIdle());
    }

    @Test
    void anInsertSentRightAfterItsIdleConnectionWasTerminatedRunsExactlyOnce() {
        for (int i = 0; i < 40; i++) {
            int pid = nextPid();
            pg.admin("SELECT pg_terminate_backend(" + pid + ")");
            assertThat(Await.result(engine.execute("INSERT INTO rerun_once VALUES ($1)", i)))
                    .isEqualTo(1L);
        }
        assertThat(Await.result(engine.query("SELECT count(*) AS n FROM rerun_once"))
                        .get(0)
                        .getLong("n"))
                .isEqualTo(40L);
    }

    @Test
    void aStatementThatEndsItsOwnSessionIsNotSentAgain() {
        // the server ran it (its session ended while it ran): sending it again would run it twice
        Throwable error = Await.failure(engine.query("SELECT pg_terminate_backend(pg_backend_pid())"));
        assertThat(error).isInstanceOf(ConnectionException.class);
        Await.until("the pool is idle", () -> engine.poolStats().isIdle());
    }

    @Test
    void aConnectionEndedByIdleSessionTimeoutIsReplacedWithoutTheCallerNoticing() {
        String role = "pgengine_idle_timeout";
        pg.createRole(role, "idle-pw", false);
        pg.admin("ALTER ROLE " + role + " SET idle_session_timeout = '200ms'");
        PostgresEngine idle = new PostgresEngine(pg.config(role, "idle-pw"));
        try {
            Await.result(
                    idle.startConnectionPool(PoolOptions.builder().maxSize(1).build()));
            for (int i = 0; i < 5; i++) {
                int pid = Await.result(idle.query("SELECT pg_backend_pid() AS pid"))
                        .get(0)
                        .getInt("pid");
                Await.until(
                        "the server ended the idle session",
                        () -> pg.admin("SELECT 1 FROM pg_stat_activity WHERE pid = " + pid)
                                .isEmpty());
                assertThat(Await.result(idle.query("SELECT 1 AS one")).get(0).getInt("one"))
                        .isEqualTo(1);
            }
        } finally {
            Await.result(idle.close());
        }
    }
}
