package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.Recorder;
import io.github.pgengine.testing.ReplicatedPostgres;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every {@code target_session_attrs} against a real primary and standby whose roles change under an idle, warmed-up
 * pool: the standby promoted (the primary crashed), a switchover (the former primary back as a standby of the
 * promoted one), a host going down. After each change, eight calls run one after another (a read, then a write, and
 * so on), starting right after it; each says where it ran ({@code inet_server_port()}, {@code pg_is_in_recovery()},
 * {@code pg_backend_pid()}). No call of a standby, read-only or prefer-standby engine runs on a connection whose
 * server was promoted, no write goes through a standby or read-only engine, errors say what happened, and every
 * pool ends idle.
 */
class TopologyChangeTest {
    private static final List<String> TARGETS =
            List.of("any", "read-write", "primary", "read-only", "standby", "prefer-standby");
    private static final int CALLS = 8;

    private final List<PostgresEngine> opened = new ArrayList<>();
    private @Nullable ReplicatedPostgres pair;

    @AfterEach
    void close() {
        opened.forEach(e -> Await.result(e.close()));
        if (pair != null) {
            pair.close();
        }
    }

    /** Where one call ran, or how it failed. */
    record Outcome(
            int call,
            @Nullable Integer port,
            @Nullable Boolean recovery,
            int pid,
            @Nullable Throwable error) {
        boolean ran() {
            return error == null;
        }

        @Override
        public String toString() {
            return "call " + call + ": "
                    + (error == null
                            ? "ran on port " + port + (Boolean.TRUE.equals(recovery) ? " (standby)" : " (primary)")
                                    + " backend " + pid
                            : error.getClass().getSimpleName() + ": " + error.getMessage());
        }
    }

    private ReplicatedPostgres start() {
        ReplicatedPostgres p = ReplicatedPostgres.start();
        pair = p;
        ReplicatedPostgres.admin(p.primary(), "CREATE TABLE topo_writes (target text, call int)");
        return p;
    }

    /** One engine per target, each with an idle pool of 4 connections opened before the change. */
    private Map<String, PostgresEngine> warmedEngines(ReplicatedPostgres p) {
        Map<String, PostgresEngine> engines = new LinkedHashMap<>();
        for (String target : TARGETS) {
            PostgresEngine e = new PostgresEngine(p.config(
                    "target_session_attrs",
                    target,
                    "application_name",
                    "topo_" + target,
                    "connect_timeout",
                    2,
                    "host_recheck_interval",
                    0));
            opened.add(e);
            Await.result(e.startConnectionPool(PoolOptions.builder()
                    .maxSize(4)
                    .minIdle(4)
                    .acquireTimeout(Duration.ofSeconds(10))
                    .build()));
            engines.put(target, e);
        }
        return engines;
    }

    /** The backends of an engine's pooled connections on a server. */
    private static Set<Integer> backends(io.github.pgengine.testing.TestPostgres server, String target) {
        return ReplicatedPostgres.admin(
                        server, "SELECT pid FROM pg_stat_activity WHERE application_name = 'topo_" + target + "'")
                .stream()
                .map(r -> ((Number) r.get(0)).intValue())
                .collect(Collectors.toSet());
    }

    /** Eight calls one after another: even ones read, odd ones write, each saying where it ran. */
    private static List<Outcome> calls(PostgresEngine e, String target) {
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < CALLS; i++) {
            String sql = i % 2 == 0
                    ? "SELECT inet_server_port() AS p, pg_is_in_recovery() AS r, pg_backend_pid() AS pid"
                    : "INSERT INTO topo_writes VALUES ($1, $2) "
                            + "RETURNING inet_server_port() AS p, pg_is_in_recovery() AS r, pg_backend_pid() AS pid";
            Object[] params = i % 2 == 0 ? new Object[0] : new Object[] {target, i};
            try {
                Row row = Await.result(e.query(sql, params)).get(0);
                outcomes.add(new Outcome(i, row.getInt("p"), row.getBoolean("r"), row.getInt("pid"), null));
            } catch (RuntimeException error) {
                outcomes.add(new Outcome(i, null, null, 0, error));
            }
        }
        System.out.println("[pgengine-test] TopologyChangeTest " + target + ": " + outcomes);
        return outcomes;
    }

    private static void allIdle(Map<String, PostgresEngine> engines) {
        engines.forEach((target, e) ->
                Await.until(target + " pool back to idle", () -> e.poolStats().isIdle()));
    }

    private static long writes(io.github.pgengine.testing.TestPostgres server, String target) {
        return ((Number) ReplicatedPostgres.admin(
                                server, "SELECT count(*) FROM topo_writes WHERE target = '" + target + "'")
                        .get(0)
                        .get(0))
                .longValue();
    }

    @Test
    void afterThePrimaryCrashesAndTheStandbyIsPromotedNoStandbyKindCallRunsThere() {
        ReplicatedPostgres p = start();
        Map<String, PostgresEngine> engines = warmedEngines(p);
        int promoted = p.standby().port();
        Set<Integer> preferStandbyBefore = backends(p.standby(), "prefer-standby");
        assertThat(preferStandbyBefore).hasSize(4);

        p.crashPrimary();
        p.promoteStandby();
        Map<String, List<Outcome>> seen = new LinkedHashMap<>();
        engines.forEach((target, e) -> seen.put(target, calls(e, target)));

        for (String target : List.of("standby", "read-only")) {
            List<Outcome> outcomes = seen.get(target);
            assertThat(outcomes)
                    .as(target + ": no call runs on the promoted server (the only one left)")
                    .noneMatch(Outcome::ran);
            assertThat(outcomes).allMatch(o -> o.error() instanceof ConnectionException, "connection errors");
            assertThat(outcomes.get(0).error().getMessage())
                    .as("the first call, on a connection to the standby opened before the promotion")
                    .contains("127.0.0.1:" + promoted)
                    .contains("no longer a standby")
                    .contains("target_session_attrs=" + target)
                    .contains("did not run");
            assertThat(outcomes.subList(1, CALLS))
                    .as("later calls: the pool's other connections from before the promotion are not lent; a new one"
                            + " finds no server of the wanted kind")
                    .allMatch(o -> o.error().getMessage().contains("cannot connect to")
                            && o.error().getMessage().contains("target_session_attrs=" + target)
                            && o.error().getMessage().contains("127.0.0.1:" + promoted + ": the server is a primary"));
            assertThat(writes(p.standby(), target))
                    .as(target + " wrote nothing")
                    .isZero();
        }

        List<Outcome> prefer = seen.get("prefer-standby");
        assertThat(prefer)
                .as("prefer-standby: the first call, refused on the promoted server's old connection before it ran, is "
                        + "sent again on a new one; with no standby left, every call takes the promoted server on new "
                        + "connections")
                .allMatch(o -> o.ran() && o.port() == promoted && !o.recovery())
                .allMatch(o -> !preferStandbyBefore.contains(o.pid()));

        for (String target : List.of("any", "read-write", "primary")) {
            assertThat(seen.get(target))
                    .as(target + ": every call runs on the promoted server")
                    .allMatch(o -> o.ran() && o.port() == promoted && !o.recovery());
            assertThat(writes(p.standby(), target)).isEqualTo(CALLS / 2);
        }
        allIdle(engines);
    }

    @Test
    void afterASwitchoverEachTargetRunsOnlyOnAServerOfItsKind() {
        ReplicatedPostgres p = start();
        Map<String, PostgresEngine> engines = warmedEngines(p);
        int formerPrimary = p.primary().port();
        int promoted = p.standby().port();

        p.stopPrimary();
        p.promoteStandby();
        p.demoteFormerPrimary();
        Map<String, List<Outcome>> seen = new LinkedHashMap<>();
        engines.forEach((target, e) -> seen.put(target, calls(e, target)));

        for (String target : List.of("read-write", "primary")) {
            assertThat(seen.get(target))
                    .as(target + ": every call runs on the promoted server, never on the demoted one")
                    .allMatch(o -> o.ran() && o.port() == promoted && !o.recovery());
            assertThat(writes(p.standby(), target)).isEqualTo(CALLS / 2);
        }
        for (String target : List.of("standby", "read-only", "prefer-standby")) {
            List<Outcome> outcomes = seen.get(target);
            // the first call was refused on the promoted server's old connection before it ran, and sent again on a
            // new connection: to the demoted former primary, now a standby
            for (Outcome o : outcomes) {
                if (o.call() % 2 == 0) {
                    assertThat(o.ran()).as(target + " " + o).isTrue();
                    assertThat(o.port()).as(target + " " + o).isEqualTo(formerPrimary);
                    assertThat(o.recovery()).as(target + " " + o).isTrue();
                } else {
                    assertThat(o.error())
                            .as(target + " " + o + ": a write on the standby is refused by the server")
                            .isInstanceOf(EngineException.class);
                    assertThat(((EngineException) o.error()).sqlState()).isEqualTo("25006");
                }
            }
            assertThat(writes(p.standby(), target))
                    .as(target + " wrote nothing")
                    .isZero();
        }
        assertThat(seen.get("any").stream().filter(o -> o.call() % 2 == 0))
                .as("any: the first host, now a standby")
                .allMatch(o -> o.ran() && o.port() == formerPrimary && o.recovery());
        allIdle(engines);
    }

    @Test
    void whenAHostGoesDownEachTargetMovesOnlyToAServerOfItsKind() {
        ReplicatedPostgres p = start();
        Map<String, PostgresEngine> engines = warmedEngines(p);
        int primary = p.primary().port();
        int standby = p.standby().port();

        p.stopWaitingForTheStandby();
        p.stopStandby();
        Map<String, List<Outcome>> standbyDown = new LinkedHashMap<>();
        engines.forEach((target, e) -> standbyDown.put(target, calls(e, target)));
        for (String target : List.of("standby", "read-only")) {
            assertThat(standbyDown.get(target)).as(target).noneMatch(Outcome::ran);
            assertThat(standbyDown.get(target).get(CALLS - 1).error())
                    .isInstanceOf(ConnectionException.class)
                    .hasMessageContaining("target_session_attrs=" + target)
                    .hasMessageContaining("127.0.0.1:" + primary + ": the server is a primary")
                    .hasMessageContaining("127.0.0.1:" + standby + ": ");
        }
        for (String target : List.of("any", "read-write", "primary", "prefer-standby")) {
            assertThat(standbyDown.get(target))
                    .as(target + ": on the primary (prefer-standby: no standby answers)")
                    .allMatch(o -> o.ran() && o.port() == primary && !o.recovery());
        }

        p.startStandby();
        Await.until(
                "the standby streams again",
                () -> !p.primary()
                        .admin("SELECT 1 FROM pg_stat_replication WHERE state = 'streaming'")
                        .isEmpty());
        for (String target : List.of("standby", "read-only")) {
            assertThat(calls(engines.get(target), target).stream().filter(o -> o.call() % 2 == 0))
                    .as(target + ": back on the standby")
                    .allMatch(o -> o.ran() && o.port() == standby && o.recovery());
        }

        p.crashPrimary();
        Map<String, List<Outcome>> primaryDown = new LinkedHashMap<>();
        // the engines the crash does not concern first: the others' connections have seen their sockets close by then
        for (String target : List.of("standby", "read-only", "any", "read-write", "primary", "prefer-standby")) {
            primaryDown.put(target, calls(engines.get(target), target));
        }
        for (String target : List.of("read-write", "primary")) {
            assertThat(primaryDown.get(target)).as(target).noneMatch(Outcome::ran);
            assertThat(primaryDown.get(target).get(CALLS - 1).error())
                    .isInstanceOf(ConnectionException.class)
                    .hasMessageContaining("target_session_attrs=" + target)
                    .hasMessageContaining("127.0.0.1:" + primary + ": ")
                    .hasMessageContaining("127.0.0.1:" + standby + ": the server is a standby");
        }
        for (String target : List.of("any", "standby", "read-only", "prefer-standby")) {
            assertThat(primaryDown.get(target).stream().filter(o -> o.call() % 2 == 0))
                    .as(target + ": reads on the standby")
                    .allMatch(o -> o.ran() && o.port() == standby && o.recovery());
            assertThat(primaryDown.get(target).stream().filter(o -> o.call() % 2 == 1))
                    .as(target + ": writes refused by the standby")
                    .allMatch(o -> o.error() instanceof EngineException ee && "25006".equals(ee.sqlState()));
        }
        allIdle(engines);
    }

    @Test
    void transactionsCursorsAndBatchesThatMeetThePromotionDidNotRunAndARetryPolicyRunsThemOnTheNewStandby() {
        ReplicatedPostgres p = start();
        Map<String, PostgresEngine> engines = new LinkedHashMap<>();
        for (String kind : List.of("retrying", "transaction", "savepoint", "stream", "cursor", "independent")) {
            PostgresEngine.Builder builder = PostgresEngine.builder()
                    .config(p.config(
                            "target_session_attrs",
                            kind.equals("savepoint") ? "read-only" : "standby",
                            "connect_timeout",
                            2,
                            "host_recheck_interval",
                            0));
            if (kind.equals("retrying")) {
                builder.retryPolicy(RetryPolicy.builder()
                        .maxAttempts(3)
                        .initialBackoff(Duration.ofMillis(5))
                        .maxBackoff(Duration.ofMillis(20))
                        .build());
            }
            PostgresEngine e = builder.build();
            opened.add(e);
            Await.result(e.startConnectionPool(
                    PoolOptions.builder().maxSize(1).minIdle(1).build()));
            engines.put(kind, e);
        }
        int formerPrimary = p.primary().port();
        String where = "SELECT inet_server_port() AS p, pg_is_in_recovery() AS r";

        p.stopPrimary();
        p.promoteStandby();
        p.demoteFormerPrimary();

        AtomicInteger runs = new AtomicInteger();
        Row retried = Await.result(engines.get("retrying").transaction(tx -> {
                    runs.incrementAndGet();
                    return tx.query(where);
                }))
                .get(0);
        assertThat(retried.getInt("p")).as("run again on the new standby").isEqualTo(formerPrimary);
        assertThat(retried.getBoolean("r")).isTrue();
        assertThat(runs)
                .as("the first run met the promoted server, nothing of it ran there")
                .hasValue(2);

        Throwable tx = Await.failure(engines.get("transaction").transaction(t -> t.query(where)));
        assertThat(tx)
                .isInstanceOf(TransactionNotCommittedException.class)
                .hasMessageContaining("safe to run again")
                .hasMessageContaining("no longer a standby");
        assertThat(Await.result(engines.get("transaction").transaction(t -> t.query(where)))
                        .get(0)
                        .getInt("p"))
                .isEqualTo(formerPrimary);

        Throwable savepoint = Await.failure(engines.get("savepoint")
                .transaction(t -> t.savepoint("first")
                        .thenCompose(sp -> t.execute("INSERT INTO topo_writes VALUES " + "('savepoint', 0)"))));
        assertThat(savepoint).isInstanceOf(TransactionNotCommittedException.class);

        Recorder<Row> rows = new Recorder<>(10);
        engines.get("stream").stream(where, List.of(), 10).subscribe(rows);
        assertThat(rows.awaitError()).isInstanceOf(ConnectionException.class).hasMessageContaining("did not run");
        assertThat(Await.failure(engines.get("cursor").batch(where, List.of(), 10)))
                .isInstanceOf(ConnectionException.class)
                .hasMessageContaining("did not run");
        assertThat(Await.failure(engines.get("independent")
                        .executeBatch(
                                "INSERT INTO topo_writes VALUES ('independent', $1)",
                                List.of(List.of(1), List.of(2)),
                                BatchOptions.independent())))
                .isInstanceOf(ConnectionException.class)
                .hasMessageContaining("did not run");

        assertThat(ReplicatedPostgres.admin(p.standby(), "SELECT count(*) FROM topo_writes")
                        .get(0)
                        .get(0))
                .as("nothing written on the promoted server")
                .isEqualTo(0L);
        allIdle(engines);
    }
}
