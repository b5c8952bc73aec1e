package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.Recorder;
import io.github.pgengine.testing.ReplicatedPostgres;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sessions an engine keeps because their server is a standby ({@code standby}, {@code prefer-standby},
 * {@code read-only}) carry a check at the start of every call, and stay read-only: every kind of call still works on
 * a real standby through the check, on one connection that is never replaced; and a {@code read-only} session never
 * writes, even when its server stops being read-only.
 */
class StandbySessionTest {
    private static ReplicatedPostgres pair;
    private final List<PostgresEngine> engines = new ArrayList<>();

    @BeforeAll
    static void start() {
        pair = ReplicatedPostgres.start();
        ReplicatedPostgres.admin(
                pair.primary(),
                "CREATE TABLE standby_rows (id int PRIMARY KEY); INSERT INTO standby_rows SELECT generate_series(1, 10);"
                        + "CREATE PROCEDURE standby_commits() LANGUAGE plpgsql AS $$ BEGIN PERFORM 1; COMMIT; END $$");
        Await.until(
                "the standby has replayed the set-up",
                () -> !pair.standby()
                        .admin("SELECT 1 FROM pg_proc WHERE proname = 'standby_commits'")
                        .isEmpty());
    }

    @AfterAll
    static void stop() {
        pair.close();
    }

    @AfterEach
    void close() {
        engines.forEach(e -> Await.result(e.close()));
    }

    private PostgresEngine pooled(Map<String, Object> config) {
        PostgresEngine e = new PostgresEngine(config);
        engines.add(e);
        Await.result(e.startConnectionPool(
                PoolOptions.builder().maxSize(1).minIdle(1).build()));
        return e;
    }

    /** The backend and whether it is a standby, as a call on this connection sees them. */
    private static String where(List<Row> rows) {
        return rows.get(0).getInt("pid") + (rows.get(0).getBoolean("r") ? " standby" : " primary");
    }

    private static final String WHERE = "SELECT pg_backend_pid() AS pid, pg_is_in_recovery() AS r";

    @Test
    void everyKindOfCallRunsOnTheStandbyThroughTheCheckOnOneConnection() {
        for (String target : List.of("standby", "prefer-standby", "read-only")) {
            PostgresEngine e = pooled(pair.config("target_session_attrs", target));
            Set<String> seen = new HashSet<>();
            seen.add(where(Await.result(e.query(WHERE))));
            seen.add(where(Await.result(e.query(WHERE + " WHERE $1::int = 1", 1))));
            seen.add(where(Await.result(e.query(WHERE + " WHERE $1::int = 1", 1)))); // prepared, described
            assertThat(Await.result(e.query("SELECT count(*) AS n FROM standby_rows WHERE id <= 10"))
                            .get(0)
                            .getLong("n"))
                    .isEqualTo(10);
            seen.add(Await.result(e.transaction(tx -> tx.query(WHERE).thenApply(StandbySessionTest::where))));
            for (IsolationLevel level : List.of(IsolationLevel.READ_COMMITTED, IsolationLevel.REPEATABLE_READ)) {
                seen.add(Await.result(e.transaction(
                        TransactionOptions.builder()
                                .isolation(level)
                                .readOnly(true)
                                .build(),
                        tx -> tx.query(WHERE).thenApply(StandbySessionTest::where))));
            }
            // a control statement first: BEGIN, the check and SAVEPOINT go in one simple Query
            seen.add(Await.result(e.transaction(tx ->
                    tx.savepoint("first").thenCompose(s -> tx.query(WHERE)).thenApply(StandbySessionTest::where))));
            assertThat(Await.result(e.executeBatch("SELECT $1::int", List.of(List.of(1), List.of(2)))))
                    .hasSize(2);
            assertThat(Await.result(e.executeBatch(
                            "SELECT $1::int", List.of(List.of(1), List.of(2)), BatchOptions.independent())))
                    .hasSize(2);
            Batch batch = Await.result(e.batch("SELECT id FROM standby_rows WHERE id <= 10 ORDER BY id", List.of(), 4));
            assertThat(Await.result(batch.next())).hasSize(4);
            Await.result(batch.close());
            Recorder<Row> rows = new Recorder<>(100);
            e.stream("SELECT id FROM standby_rows WHERE id <= 10", List.of(), 3).subscribe(rows);
            rows.awaitComplete();
            assertThat(rows.items()).hasSize(10);
            // statements PostgreSQL runs only alone: the check goes in a round trip of its own
            Await.result(e.execute("/* a comment */ DISCARD ALL"));
            seen.add(where(Await.result(e.query(WHERE + " WHERE $1::int = 1", 1))));
            Await.result(e.execute("DEALLOCATE ALL"));
            seen.add(where(Await.result(e.query(WHERE + " WHERE $1::int = 1", 1))));
            Await.result(e.execute("ALTER SYSTEM SET work_mem = '5MB'"));
            Await.result(e.execute("ALTER SYSTEM RESET work_mem"));
            Await.result(e.execute("CALL standby_commits()"));
            seen.add(where(Await.result(e.query(WHERE))));

            assertThat(seen)
                    .as(target + ": every call on the standby, on the one pooled connection")
                    .hasSize(1)
                    .allMatch(s -> s.endsWith(" standby"));
            Throwable write = Await.failure(e.execute("INSERT INTO standby_rows VALUES (100)"));
            assertThat(write).isInstanceOf(EngineException.class);
            assertThat(((EngineException) write).sqlState())
                    .as("refused by the standby itself")
                    .isEqualTo("25006");
            assertThat(e.poolStats().total()).isEqualTo(1);
            Await.until(target + " pool idle", () -> e.poolStats().isIdle());
        }
    }

    @Test
    void aReadOnlySessionNeverWritesEvenWhenItsServerStopsBeingReadOnly() {
        Map<String, Object> primaryOnly = new HashMap<>(pair.primary().config());
        primaryOnly.put("target_session_attrs", "read-only");
        Map<String, Object> readWrite = new HashMap<>(pair.primary().config());
        readWrite.put("target_session_attrs", "read-write");
        PostgresEngine writer = pooled(readWrite);
        assertThat(Await.result(writer.execute("INSERT INTO standby_rows VALUES (1000)")))
                .isEqualTo(1);
        pair.primary().admin("ALTER SYSTEM SET default_transaction_read_only = on");
        pair.primary().admin("SELECT pg_reload_conf()");
        try {
            Await.until(
                    "the primary is read-only",
                    () -> pair.primary()
                            .admin("SHOW default_transaction_read_only")
                            .get(0)
                            .get(0)
                            .equals("on"));
            PostgresEngine reader = pooled(primaryOnly);
            int readerBackend = Await.result(reader.query(WHERE)).get(0).getInt("pid");
            Throwable refused = Await.failure(reader.execute("INSERT INTO standby_rows VALUES (1001)"));
            assertThat(((EngineException) refused).sqlState()).isEqualTo("25006");

            // the read-write engine's session becomes read-only: its next write is refused by the server, and from
            // then on the engine looks for a read-write session and finds none
            Throwable first = Await.failure(writer.execute("INSERT INTO standby_rows VALUES (1002)"));
            assertThat(((EngineException) first).sqlState()).isEqualTo("25006");
            Throwable next = Await.failure(writer.execute("INSERT INTO standby_rows VALUES (1003)"));
            assertThat(next)
                    .isInstanceOf(ConnectionException.class)
                    .hasMessageContaining("target_session_attrs=read-write")
                    .hasMessageContaining("read-only, not read-write");

            pair.primary().admin("ALTER SYSTEM RESET default_transaction_read_only");
            pair.primary().admin("SELECT pg_reload_conf()");
            Await.until(
                    "the primary is read-write again",
                    () -> pair.primary()
                            .admin("SHOW default_transaction_read_only")
                            .get(0)
                            .get(0)
                            .equals("off"));
            for (int i = 0; i < 3; i++) {
                CompletableFuture<Long> write = reader.execute("INSERT INTO standby_rows VALUES ($1)", 1010 + i);
                assertThat(((EngineException) Await.failure(write)).sqlState())
                        .as("the read-only engine's session stays read-only")
                        .isEqualTo("25006");
            }
            assertThat(Await.result(reader.query(WHERE)).get(0).getInt("pid"))
                    .as("on the same session")
                    .isEqualTo(readerBackend);
            assertThat(Await.result(writer.execute("INSERT INTO standby_rows VALUES (1004)")))
                    .isEqualTo(1);
        } finally {
            pair.primary().admin("ALTER SYSTEM RESET default_transaction_read_only");
            pair.primary().admin("SELECT pg_reload_conf()");
        }
        assertThat(ReplicatedPostgres.admin(pair.primary(), "SELECT id FROM standby_rows WHERE id >= 1000 ORDER BY id"))
                .extracting(r -> ((Number) r.get(0)).intValue())
                .containsExactly(1000, 1004);
    }
}
