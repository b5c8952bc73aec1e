package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.TestPostgres;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Model-based test of transactions: generated programs of inserts, failing statements (caught or not), savepoints,
 * rollbacks to them, nested sub-transactions, statements fired without waiting, manual and automatic ends, run
 * against PostgreSQL and against a small model of PostgreSQL's transaction semantics. The rows left in the table
 * must be exactly what the model says, and the transaction's future must report what happened (success only if
 * the rows are there). A second property cancels transactions at random moments: each then is all or nothing, and
 * the pool ends idle.
 */
class TransactionModelTest {
    private static final AtomicInteger PROGRAMS = new AtomicInteger();
    private static PostgresEngine engine;

    @BeforeContainer
    static void start() {
        engine = new PostgresEngine(TestPostgres.get().config());
        Await.result(engine.startConnectionPool(PoolOptions.builder().maxSize(3).build()));
        Await.result(engine.runDdl("DROP TABLE IF EXISTS tx_model"));
        Await.result(engine.runDdl("CREATE TABLE tx_model (id int PRIMARY KEY)"));
        Await.result(engine.execute("INSERT INTO tx_model VALUES (0)"));
    }

    @AfterContainer
    static void stop() {
        Await.result(engine.runDdl("DROP TABLE IF EXISTS tx_model"));
        Await.result(engine.close());
    }

    /** One step of a generated program. */
    sealed interface Step permits Insert, Fail, BadValue, Save, Undo, Nested {}

    /** Inserts a fresh row. */
    record Insert(boolean unchained) implements Step {}

    /** A statement that fails (a duplicate key); {@code caught} means the program recovers from its error. */
    record Fail(boolean caught, boolean unchained) implements Step {}

    /** A statement whose value cannot be sent: it fails before reaching the server, which stays healthy. */
    record BadValue(boolean caught, boolean unchained) implements Step {}

    /** Creates savepoint {@code s<n>}. */
    record Save(int n) implements Step {}

    /** Rolls back to savepoint {@code s<n>} (failing when it does not exist); the error, if any, is caught. */
    record Undo(int n) implements Step {}

    /** A nested sub-transaction; {@code caught} means the outer program recovers from its failure. */
    record Nested(List<Step> steps, boolean caught) implements Step {}

    /** How the program ends. */
    enum End {
        COMMIT,
        MANUAL_COMMIT,
        MANUAL_ROLLBACK,
        THROW
    }

    @Property(tries = 200)
    void theTableHoldsWhatTheModelSaysAndTheFutureTellsTheTruth(
            @ForAll("programs") List<Step> program, @ForAll End end) {
        int base = PROGRAMS.incrementAndGet() * 1000;
        AtomicInteger next = new AtomicInteger(base);
        Model model = new Model();
        boolean modelOk = model.run(program);
        Set<Integer> expected;
        boolean expectSuccess;
        switch (end) {
            case COMMIT, MANUAL_COMMIT -> {
                expectSuccess = modelOk && !model.failed();
                expected = expectSuccess ? model.visible(base) : Set.of();
            }
            default -> {
                expectSuccess = end == End.MANUAL_ROLLBACK && modelOk;
                expected = Set.of();
            }
        }

        CompletableFuture<Object> tx = engine.transaction(t -> {
            CompletionStage<Object> body = play(t, program, next);
            return body.thenCompose(v -> switch (end) {
                case COMMIT -> CompletableFuture.completedFuture("done");
                case MANUAL_COMMIT -> t.commit().thenApply(x -> (Object) "done");
                case MANUAL_ROLLBACK -> t.rollback().thenApply(x -> (Object) "done");
                case THROW -> throw new IllegalStateException("the program gives up");
            });
        });
        Throwable error = null;
        try {
            tx.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            error = e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }

        Set<Integer> actual = rows(base);
        assertThat(actual).as("rows of %s ending %s", program, end).isEqualTo(expected);
        if (expectSuccess) {
            assertThat(error).as("outcome of %s ending %s", program, end).isNull();
        } else {
            assertThat(error).as("outcome of %s ending %s", program, end).isNotNull();
            if (end == End.COMMIT && modelOk) {
                assertThat(error).isInstanceOf(TransactionRolledBackException.class);
            }
        }
        Await.until(
                "pool idle",
                () -> engine.poolStats().isIdle(),
                () -> engine.poolStats().toString());
    }

    @Property(tries = 60)
    void aCancelledTransactionIsAllOrNothingAndGivesItsConnectionBack(
            @ForAll("programs") List<Step> program, @ForAll("delays") int delayMicros) {
        int base = PROGRAMS.incrementAndGet() * 1000;
        AtomicInteger next = new AtomicInteger(base);
        Model model = new Model();
        boolean modelOk = model.run(program);
        CompletableFuture<Object> tx = engine.transaction(t -> play(t, program, next));
        busyWait(delayMicros);
        tx.cancel(true);
        try {
            tx.get(30, TimeUnit.SECONDS);
        } catch (CancellationException | ExecutionException ignored) {
            // the outcome is checked on the table
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        Await.until(
                "pool idle",
                () -> engine.poolStats().isIdle(),
                () -> engine.poolStats().toString());
        Set<Integer> actual = rows(base);
        Set<Integer> all = modelOk && !model.failed() ? model.visible(base) : Set.of();
        assertThat(actual).as("all or nothing for %s", program).isIn(Set.of(), all);
        if (!tx.isCancelled() && !tx.isCompletedExceptionally()) {
            assertThat(actual).isEqualTo(all);
        }
    }

    private static void busyWait(int micros) {
        long until = System.nanoTime() + micros * 1000L;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }

    private static Set<Integer> rows(int base) {
        Set<Integer> out = new HashSet<>();
        for (Row r :
                Await.result(engine.query("SELECT id FROM tx_model WHERE id >= $1 AND id < $2", base, base + 1000))) {
            out.add(r.getInt("id"));
        }
        return out;
    }

    // ------------------------------------------------------------------ playing a program on the engine

    private static CompletionStage<Object> play(Transaction t, List<Step> steps, AtomicInteger next) {
        CompletableFuture<Object> chain = CompletableFuture.completedFuture(null);
        for (Step step : steps) {
            chain = chain.thenCompose(v -> playOne(t, step, next));
        }
        return chain;
    }

    private static CompletionStage<Object> playOne(Transaction t, Step step, AtomicInteger next) {
        if (step instanceof Insert i) {
            CompletableFuture<Long> f = t.execute("INSERT INTO tx_model VALUES ($1)", next.getAndIncrement());
            return i.unchained() ? CompletableFuture.completedFuture(null) : f.thenApply(x -> x);
        }
        if (step instanceof Fail f) {
            CompletableFuture<Object> s =
                    t.execute("INSERT INTO tx_model VALUES (0)").thenApply(x -> x);
            if (f.unchained()) {
                return CompletableFuture.completedFuture(null);
            }
            return f.caught() ? s.exceptionally(e -> null) : s;
        }
        if (step instanceof BadValue b) {
            CompletableFuture<Object> s =
                    t.execute("INSERT INTO tx_model VALUES ($1)", new Object()).thenApply(x -> x);
            if (b.unchained()) {
                return CompletableFuture.completedFuture(null);
            }
            return b.caught() ? s.exceptionally(e -> null) : s;
        }
        if (step instanceof Save s) {
            return t.savepoint("s" + s.n()).handle((x, e) -> null);
        }
        if (step instanceof Undo u) {
            return t.rollbackTo("s" + u.n()).handle((x, e) -> null);
        }
        Nested n = (Nested) step;
        CompletableFuture<Object> inner = t.transaction(sub -> play(sub, n.steps(), next));
        return n.caught() ? inner.exceptionally(e -> null) : inner;
    }

    // ------------------------------------------------------------------ the model

    /** PostgreSQL's transaction semantics, as far as the programs need them. */
    static final class Model {
        private static final int CLIENT = Integer.MIN_VALUE;
        /** Rows inserted, and statement failures, in order; a savepoint is a position in these lists. */
        private final List<Integer> inserted = new ArrayList<>();

        private final List<Integer> failures = new ArrayList<>();
        private final List<String> savepoints = new ArrayList<>();
        private final List<int[]> positions = new ArrayList<>();
        private int nextId;
        private int nested;

        /** Returns true when the server's transaction is aborted (a failure on the server not rolled back). */
        boolean aborted() {
            return failures.stream().anyMatch(f -> f != CLIENT);
        }

        /** Returns true when some failure counts against the commit. */
        boolean failed() {
            return !failures.isEmpty();
        }

        Set<Integer> visible(int base) {
            Set<Integer> out = new LinkedHashSet<>();
            for (int id : inserted) {
                out.add(base + id);
            }
            return out;
        }

        /** Returns false when the program's stage fails (an uncaught error). */
        boolean run(List<Step> steps) {
            for (Step step : steps) {
                if (!runOne(step)) {
                    return false;
                }
            }
            return true;
        }

        private boolean runOne(Step step) {
            if (step instanceof Insert i) {
                int id = nextId++;
                if (aborted()) {
                    failures.add(id);
                    return i.unchained();
                }
                inserted.add(id);
                return true;
            }
            if (step instanceof Fail f) {
                failures.add(-1);
                return f.unchained() || f.caught();
            }
            if (step instanceof BadValue b) {
                failures.add(CLIENT);
                return b.unchained() || b.caught();
            }
            if (step instanceof Save s) {
                if (aborted()) {
                    failures.add(-2);
                } else {
                    savepoints.add("s" + s.n());
                    positions.add(new int[] {inserted.size(), failures.size()});
                }
                return true;
            }
            if (step instanceof Undo u) {
                int at = savepoints.lastIndexOf("s" + u.n());
                if (at < 0) {
                    failures.add(-3);
                    return true;
                }
                rollbackTo(at);
                return true;
            }
            Nested n = (Nested) step;
            if (aborted()) {
                failures.add(-4); // SAVEPOINT fails in an aborted transaction
                return n.caught();
            }
            String marker = "nested#" + nested++;
            savepoints.add(marker);
            positions.add(new int[] {inserted.size(), failures.size()});
            boolean ok = run(n.steps());
            int at = savepoints.lastIndexOf(marker);
            if (at < 0) {
                // the work rolled back past its own savepoint: RELEASE or ROLLBACK TO it fails (3B001)
                failures.add(-5);
                return n.caught();
            }
            boolean failedInside = failures.size() > positions.get(at)[1];
            if (ok && !failedInside) {
                // RELEASE: the nested savepoint and the ones after it are gone, the work stays
                savepoints.subList(at, savepoints.size()).clear();
                positions.subList(at, positions.size()).clear();
                return true;
            }
            rollbackTo(at);
            savepoints.subList(at, savepoints.size()).clear();
            positions.subList(at, positions.size()).clear();
            return n.caught();
        }

        private void rollbackTo(int at) {
            int[] p = positions.get(at);
            inserted.subList(p[0], inserted.size()).clear();
            failures.subList(p[1], failures.size()).clear();
            savepoints.subList(at + 1, savepoints.size()).clear();
            positions.subList(at + 1, positions.size()).clear();
        }
    }

    // ------------------------------------------------------------------ generators

    @Provide
    Arbitrary<List<Step>> programs() {
        return steps(2).list().ofMaxSize(8);
    }

    private Arbitrary<Step> steps(int depth) {
        Arbitrary<Step> flat = Arbitraries.oneOf(
                Arbitraries.of(true, false).map(u -> (Step) new Insert(u)),
                Arbitraries.of(true, false).map(u -> (Step) new Insert(false)),
                Combinators.combine(Arbitraries.of(true, false), Arbitraries.of(true, false))
                        .as((c, u) -> (Step) new Fail(c, u)),
                Combinators.combine(Arbitraries.of(true, false), Arbitraries.of(true, false))
                        .as((c, u) -> (Step) new BadValue(c, u)),
                Arbitraries.integers().between(1, 3).map(n -> (Step) new Save(n)),
                Arbitraries.integers().between(1, 3).map(n -> (Step) new Undo(n)));
        if (depth == 0) {
            return flat;
        }
        Arbitrary<Step> nested = Combinators.combine(
                        Arbitraries.lazy(() -> steps(depth - 1)).list().ofMaxSize(4), Arbitraries.of(true, false))
                .as((s, c) -> (Step) new Nested(s, c));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(5, flat), net.jqwik.api.Tuple.of(1, nested));
    }

    @Provide
    Arbitrary<Integer> delays() {
        return Arbitraries.integers().between(0, 3000);
    }

    static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
