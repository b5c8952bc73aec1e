package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.TestCockroach;
import io.github.pgengine.testing.TestPostgres;
import io.github.pgengine.testing.crdb.CockroachEmulator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A CockroachEngine given three nodes: its pool spreads over them, and when a node dies under load the work carries
 * on on the others within the retry policy. Three CockroachDB emulation proxies over the test PostgreSQL stand in
 * for the nodes (said in the output); a real cluster is used when {@code PGENGINE_TEST_COCKROACH_URL} lists several
 * hosts (then only the spreading is checked: the test cannot stop a real node).
 */
class CockroachClusterTest {
    private static final RetryPolicy FAST = RetryPolicy.builder()
            .maxAttempts(8)
            .initialBackoff(Duration.ofMillis(5))
            .maxBackoff(Duration.ofMillis(50))
            .build();

    private final List<CockroachEmulator> nodes = new ArrayList<>();
    private final List<PostgresEngine> engines = new ArrayList<>();

    @AfterEach
    void close() {
        engines.forEach(e -> Await.result(e.close()));
        nodes.forEach(CockroachEmulator::close);
    }

    private CockroachEngine emulatedCluster(int size, int poolSize) throws Exception {
        TestCockroach crdb = TestCockroach.get();
        Assumptions.assumeTrue(
                crdb.isEmulation(),
                "a real CockroachDB with one host was given: the node-loss test needs the emulation");
        TestPostgres pg = TestPostgres.get();
        for (int i = 0; i < size; i++) {
            nodes.add(CockroachEmulator.start(pg.host(), pg.port(), Set.of(pg.user()), "v24.1.0"));
        }
        System.out.println("[pgengine-test] CockroachClusterTest runs on " + size
                + " CockroachDB EMULATION proxies over " + pg.source() + " (not a real cluster)");
        Map<String, Object> config = new LinkedHashMap<>(pg.config());
        config.put("host", nodes.stream().map(CockroachEmulator::host).collect(Collectors.joining(",")));
        config.put("port", nodes.stream().map(n -> String.valueOf(n.port())).collect(Collectors.joining(",")));
        config.put("connect_timeout", 2);
        CockroachEngine e =
                CockroachEngine.builder().config(config).retryPolicy(FAST).build();
        engines.add(e);
        Await.result(e.startConnectionPool(PoolOptions.builder()
                .maxSize(poolSize)
                .minIdle(poolSize)
                .acquireTimeout(Duration.ofSeconds(10))
                .build()));
        return e;
    }

    @Test
    void thePoolSpreadsOverTheNodes() throws Exception {
        CockroachEngine e = emulatedCluster(3, 30);

        List<Integer> perNode =
                nodes.stream().map(CockroachEmulator::openConnections).toList();

        // random order per connection (CockroachEngine's default with several hosts): a node with none of 30
        // connections happens about 3 times in 200,000 runs
        assertThat(perNode.stream().mapToInt(Integer::intValue).sum()).isEqualTo(30);
        assertThat(perNode).allMatch(n -> n >= 1);
        assertThat(e.poolStats().total()).isEqualTo(30);
    }

    @Test
    void aNodeThatDiesUnderLoadIsRoutedAroundAndTransactionsRetryElsewhere() throws Exception {
        CockroachEngine e = emulatedCluster(3, 6);
        Await.result(e.runDdl("DROP TABLE IF EXISTS crdb_cluster_counter"));
        Await.result(e.runDdl("CREATE TABLE crdb_cluster_counter (id int PRIMARY KEY, n int NOT NULL)"));
        Await.result(e.execute("INSERT INTO crdb_cluster_counter VALUES (1, 0)"));

        AtomicInteger committed = new AtomicInteger();
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger ambiguous = new AtomicInteger();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<CompletableFuture<Void>> writers = new ArrayList<>();
        for (int w = 0; w < 6; w++) {
            writers.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 40; i++) {
                    try {
                        Await.result(e.transaction(tx -> tx.execute(
                                        "UPDATE crdb_cluster_counter SET n = n + 1 WHERE id = 1")
                                .thenCompose(x -> {
                                    if (runs.incrementAndGet() != 100) {
                                        return CompletableFuture.completedFuture(x);
                                    }
                                    // node 1 goes away for good, and every node drops its connections: this
                                    // transaction (and any other in flight) loses its connection before COMMIT
                                    nodes.get(1).refuseNewConnections(true);
                                    nodes.forEach(CockroachEmulator::dropAllConnections);
                                    return tx.query("SELECT 1").thenApply(r -> x);
                                })));
                        committed.incrementAndGet();
                    } catch (RuntimeException t) {
                        if (t instanceof AmbiguousCommitException) {
                            ambiguous.incrementAndGet();
                        } else {
                            failures.add(t);
                        }
                    }
                }
            }));
        }
        for (CompletableFuture<Void> w : writers) {
            Await.result(w);
        }

        long n = Await.result(e.query("SELECT n FROM crdb_cluster_counter WHERE id = 1"))
                .get(0)
                .getLong("n");
        System.out.println("[pgengine-test] CockroachClusterTest: committed " + committed + ", ambiguous " + ambiguous
                + ", failed " + failures.size() + ", callbacks run " + runs + "; counter " + n);
        assertThat(failures).as("transactions that failed for good").isEmpty();
        assertThat(runs.get())
                .as("callbacks run: the ones that lost their connection ran again")
                .isGreaterThan(240);
        assertThat(committed.get() + ambiguous.get()).isEqualTo(240);
        assertThat(n).isBetween((long) committed.get(), (long) committed.get() + ambiguous.get());
        assertThat(nodes.get(1).openConnections()).isZero();
        Await.until("pool idle", () -> e.poolStats().isIdle());
    }
}
