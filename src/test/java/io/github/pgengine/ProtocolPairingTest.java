package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.TestPostgres;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Protocol pairing: generated interleavings of failing statements of every kind (deferred constraints that fail at
 * the implicit commit, errors in Parse, Bind and Execute, notices and warnings, parameter changes, refused COPY,
 * cancellations, empty and multi-row results) with tagged queries, fired concurrently through a pool of two
 * connections. Every tagged caller must get its own tag back; every failing kind must fail with its own SQLSTATE;
 * the pool must end idle.
 */
class ProtocolPairingTest {
    private static final AtomicLong TAGS = new AtomicLong();
    private static PostgresEngine engine;

    enum Kind {
        TAGGED,
        DEFERRED_FK,
        PARSE_ERROR,
        BIND_ERROR,
        EXECUTE_ERROR,
        NOTICE,
        WARNING,
        PARAMETER_CHANGE,
        COPY_OUT,
        CANCELLED,
        EMPTY,
        MANY_ROWS,
        FAILED_TRANSACTION,
        RETURNING_CONFLICT
    }

    @BeforeContainer
    static void start() {
        engine = new PostgresEngine(TestPostgres.get().config());
        Await.result(engine.startConnectionPool(PoolOptions.builder().maxSize(2).build()));
        Await.result(engine.runDdl("DROP TABLE IF EXISTS pairing_child, pairing_parent"));
        Await.result(engine.runDdl("CREATE TABLE pairing_parent (id int PRIMARY KEY)"));
        Await.result(engine.runDdl(
                "CREATE TABLE pairing_child (id int REFERENCES pairing_parent DEFERRABLE INITIALLY " + "DEFERRED)"));
        Await.result(engine.execute("INSERT INTO pairing_parent VALUES (1)"));
    }

    @AfterContainer
    static void stop() {
        Await.result(engine.runDdl("DROP TABLE IF EXISTS pairing_child, pairing_parent"));
        Await.result(engine.close());
    }

    @Property(tries = 40)
    void everyCallerGetsItsOwnAnswer(@ForAll("workloads") List<Kind> workload) {
        List<CompletableFuture<Void>> checks = new ArrayList<>();
        for (Kind kind : workload) {
            checks.add(run(kind));
        }
        for (CompletableFuture<Void> c : checks) {
            Await.result(c);
        }
        Await.until(
                "pool idle",
                () -> engine.poolStats().isIdle(),
                () -> engine.poolStats().toString());
        String tag = "after-" + TAGS.incrementAndGet();
        assertThat(Await.result(engine.query("SELECT $1::text AS tag", tag))
                        .get(0)
                        .get("tag"))
                .isEqualTo(tag);
    }

    @Provide
    Arbitrary<List<Kind>> workloads() {
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(6, Arbitraries.just(Kind.TAGGED)),
                        net.jqwik.api.Tuple.of(1, Arbitraries.of(Kind.values())))
                .list()
                .ofMinSize(5)
                .ofMaxSize(60);
    }

    private static CompletableFuture<Void> run(Kind kind) {
        String tag = kind + "-" + TAGS.incrementAndGet();
        return switch (kind) {
            case TAGGED ->
                engine.query("SELECT $1::text AS tag, 2 AS two", tag)
                        .thenAccept(rows -> assertThat(rows)
                                .singleElement()
                                .satisfies(r ->
                                        assertThat(r).containsEntry("tag", tag).containsEntry("two", 2)));
            case DEFERRED_FK -> fails(engine.execute("INSERT INTO pairing_child VALUES ($1)", 999), "23503");
            case PARSE_ERROR -> fails(engine.query("SELEC $1::text", tag), "42601");
            case BIND_ERROR -> fails(engine.query("SELECT $1::int AS n", "not a number " + tag), "22P02");
            case EXECUTE_ERROR ->
                fails(engine.query("SELECT 1 / (length($1::text) - length($1::text)) AS z", tag), "22012");
            case NOTICE ->
                engine.execute("DO $$BEGIN RAISE NOTICE 'pairing notice'; END$$")
                        .thenAccept(n -> {});
            case WARNING ->
                engine.execute("DO $$BEGIN RAISE WARNING 'pairing warning'; END$$")
                        .thenAccept(n -> {});
            case PARAMETER_CHANGE ->
                engine.transaction(tx -> tx.execute("SET LOCAL application_name = 'pairing'")
                                .thenCompose(n -> tx.query("SELECT $1::text AS tag", tag)))
                        .thenAccept(rows -> assertThat(rows.get(0).get("tag")).isEqualTo(tag));
            case COPY_OUT ->
                engine.query("COPY (SELECT 1) TO STDOUT").handle((r, e) -> {
                    assertThat(unwrap(e))
                            .isInstanceOf(IllegalArgumentException.class)
                            .hasMessageContaining("COPY");
                    return null;
                });
            case CANCELLED -> {
                CompletableFuture<List<Row>> sleep = engine.query("SELECT pg_sleep(0.02), $1::text AS tag", tag);
                sleep.cancel(true);
                yield sleep.handle((r, e) -> {
                    assertThat(r == null || r.get(0).get("tag").equals(tag)).isTrue();
                    assertThat(e == null || unwrap(e) instanceof CancellationException)
                            .isTrue();
                    return null;
                });
            }
            case EMPTY ->
                engine.query("SELECT 1 WHERE $1::text IS NULL", tag)
                        .thenAccept(rows -> assertThat(rows).isEmpty());
            case MANY_ROWS ->
                engine.query("SELECT g, $1::text AS tag FROM generate_series(1, 500) g", tag)
                        .thenAccept(rows -> {
                            assertThat(rows).hasSize(500);
                            assertThat(rows.get(499).get("tag")).isEqualTo(tag);
                        });
            case FAILED_TRANSACTION ->
                engine.transaction(
                                tx -> tx.query("SELECT $1::text AS tag", tag).thenCompose(r -> tx.query("SELECT 1/0")))
                        .handle((r, e) -> {
                            assertThat(unwrap(e)).isInstanceOf(BadSqlException.class);
                            return null;
                        });
            case RETURNING_CONFLICT ->
                fails(
                        engine.query("INSERT INTO pairing_parent VALUES (1) RETURNING id, $1::text AS tag", tag),
                        "23505");
        };
    }

    private static CompletableFuture<Void> fails(CompletableFuture<?> f, String sqlState) {
        return f.handle((r, e) -> {
            assertThat(e).as("expected SQLSTATE %s, got %s", sqlState, r).isNotNull();
            Throwable cause = unwrap(e);
            assertThat(cause).isInstanceOf(EngineException.class);
            assertThat(((EngineException) cause).sqlState()).isEqualTo(sqlState);
            return null;
        });
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
