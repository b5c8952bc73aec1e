package io.github.pgengine.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.EngineObserver;
import io.github.pgengine.PoolStats;
import io.github.pgengine.PostgresEngine;
import io.github.pgengine.Row;
import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.DocSamples;
import io.github.pgengine.testing.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every Java and Kotlin code block of README.md and docs/ is a region of {@link JavaSamples} or KotlinSamples,
 * word for word: the Markdown names it in a {@code <!-- sample: File#region -->} line just above the block. The
 * sample files are compiled by the build, so a sample that drifts from the API fails it; the ones that can run
 * here run against the test PostgreSQL (Kotlin ones in KotlinSamplesTest).
 */
class DocsSamplesTest {
    private static final Pattern BLOCK =
            Pattern.compile("(?m)^(<!-- sample: (\\w+)#([\\w-]+) -->\\n)?```(java|kotlin)\\n(.*?)^```", Pattern.DOTALL);
    private PostgresEngine engine;

    private static List<Path> markdown() throws IOException {
        List<Path> out = new ArrayList<>();
        out.add(Path.of("README.md"));
        try (Stream<Path> docs = Files.list(Path.of("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(out::add);
        }
        return out;
    }

    /** The files samples come from: the core's sample files, and the add-on projects' sample tests. */
    private static final Map<String, Path> SOURCES = Map.of(
            "JavaSamples", Path.of("src/test/java/io/github/pgengine/docs/JavaSamples.java"),
            "KotlinSamples", Path.of("src/test/kotlin/io/github/pgengine/docs/KotlinSamples.kt"),
            "BandRepositoryTest",
                    Path.of("testing/src/test/java/io/github/pgengine/testing/samples/BandRepositoryTest.java"));

    private static Path source(String file) {
        Path path = SOURCES.get(file);
        if (path == null) {
            throw new IllegalArgumentException("no sample file " + file + "; known: " + SOURCES.keySet());
        }
        return path;
    }

    @Test
    void everyCodeSampleInTheDocsIsACompiledRegionWordForWord() throws IOException {
        List<String> problems = new ArrayList<>();
        int samples = 0;
        for (Path md : markdown()) {
            Matcher m = BLOCK.matcher(Files.readString(md));
            while (m.find()) {
                samples++;
                String where = md + " (" + m.group(4) + " block " + samples + ")";
                if (m.group(1) == null) {
                    problems.add(where + ": no <!-- sample: File#region --> line above the block");
                    continue;
                }
                DocSamples.difference(m.group(5), Files.readString(source(m.group(2))), m.group(3))
                        .ifPresent(d ->
                                problems.add(where + " differs from " + m.group(2) + "#" + m.group(3) + ":\n" + d));
            }
        }
        assertThat(problems).as("docs samples").isEmpty();
        assertThat(samples).as("samples found").isGreaterThan(15);
    }

    @BeforeEach
    void band() {
        engine = new PostgresEngine(TestPostgres.get().config());
        Await.result(engine.startConnectionPool());
        Await.result(engine.runDdl("DROP TABLE IF EXISTS band"));
        Await.result(engine.runDdl("CREATE TABLE band (id serial PRIMARY KEY, name text, popularity int DEFAULT 0)"));
        Await.result(engine.execute(
                "INSERT INTO band (name, popularity) VALUES ('Pythonistas', 1000), ('Rustaceans', 800)"));
    }

    @AfterEach
    void drop() {
        Await.result(engine.runDdl("DROP TABLE IF EXISTS band"));
        Await.result(engine.close());
    }

    @Test
    void theJavaSamplesThatCanRunHereRun() {
        assertThat(JavaSamples.configuration()).hasSize(2);
        List<Row> handled = new ArrayList<>();
        JavaSamples.cursorsBatch(engine, handled);
        assertThat(handled).hasSize(2);
        assertThat(JavaSamples.cursorsStream(engine)).isNotNull();
        assertThat(Await.result(JavaSamples.transactionBasic(engine))).isEqualTo(3L);
        assertThat(Await.result(JavaSamples.transactionNested(engine))).isEqualTo(1L);
        Await.result(JavaSamples.transactionSavepoints(engine));
        JavaSamples.atomic(engine);
        Await.until(
                "the atomic batch committed",
                () -> Await.result(engine.query("SELECT count(*) AS n FROM band WHERE name = 'Pythonistas'"))
                                .get(0)
                                .getLong("n")
                        == 3L);
        assertThat(Await.result(engine.query("SELECT id FROM band WHERE id IN (1, 2, 10, 11) ORDER BY id")))
                .extracting(r -> r.getInt("id"))
                .containsExactly(1, 2, 10);
        assertThat(Await.result(JavaSamples.health(engine))).isTrue();
        assertThat(Await.result(JavaSamples.bulkBatch(engine))).containsExactly(1, 1, 1);
        assertThat(Await.result(JavaSamples.bulkUnnest(engine))).isEqualTo(2L);
        assertThat(Await.result(JavaSamples.bulkIndependent(engine)))
                .containsExactly(1, 1, PostgresEngine.EXECUTE_FAILED);
        assertThat(Await.result(engine.query("SELECT name FROM band WHERE id IN (501, 502) ORDER BY id")))
                .extracting(r -> r.getString("name"))
                .containsExactly("Elixirists", "Ziggers");
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        io.github.pgengine.micrometer.PgEngineMetrics metrics = JavaSamples.metrics(engine, registry);
        EngineObserver.Registration tracing = JavaSamples.tracing(engine, io.opentelemetry.api.OpenTelemetry.noop());
        EngineObserver.Registration tracingMessages =
                JavaSamples.tracingWithMessages(engine, io.opentelemetry.api.OpenTelemetry.noop());
        EngineObserver.Registration slowLog = JavaSamples.observer(engine);
        Await.result(engine.query("SELECT 1"));
        assertThat(registry.find("pgengine.statements").tag("app", "orders").timer())
                .isNotNull();
        metrics.close();
        tracing.close();
        tracingMessages.close();
        slowLog.close();
        List<String> reloads = new ArrayList<>();
        CompletableFuture<String> firstPayload = JavaSamples.listen(engine, () -> reloads.add("reload"));
        Await.until(
                "the sample listens",
                () -> !TestPostgres.get()
                        .admin("SELECT 1 FROM pg_stat_activity WHERE query = 'LISTEN \"orders\"; LISTEN \"refunds\"' "
                                + "AND state = 'idle'")
                        .isEmpty());
        assertThat(Await.result(JavaSamples.notifyOrders(engine))).isEqualTo(1L);
        assertThat(Await.result(firstPayload)).isEqualTo("order 42 shipped");
        assertThat(reloads).isEmpty();
        assertThat(JavaSamples.listenOptions(engine)).isNotNull();
        PostgresEngine exact = JavaSamples.bulkRowByRow(TestPostgres.get().config());
        assertThat(exact.rewriteBatchedInserts()).isFalse();
        assertThat(Await.result(exact.executeBatch(
                        "UPDATE band SET popularity = $2 WHERE name = $1",
                        List.of(List.of("Gophers", 601), List.of("nobody", 1)))))
                .containsExactly(1, 0);
        Await.result(exact.close());
        PostgresEngine other = new PostgresEngine(TestPostgres.get().config());
        PoolStats stats = JavaSamples.pool(other);
        assertThat(stats.maxSize()).isEqualTo(8);
        Await.result(other.close());
    }
}
