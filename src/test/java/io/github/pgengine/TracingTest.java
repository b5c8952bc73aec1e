package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.opentelemetry.PgEngineTracing;
import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.TestCockroach;
import io.github.pgengine.testing.TestPostgres;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** OpenTelemetry spans read back from the SDK's in-memory exporter after real work against the test PostgreSQL. */
@SuppressWarnings("try") // a Scope is held for its effect on Context.current()
class TracingTest {
    private static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("db.system.name");
    private static final AttributeKey<String> NAMESPACE = AttributeKey.stringKey("db.namespace");
    private static final AttributeKey<String> OPERATION = AttributeKey.stringKey("db.operation.name");
    private static final AttributeKey<String> TEXT = AttributeKey.stringKey("db.query.text");
    private static final AttributeKey<String> STATUS = AttributeKey.stringKey("db.response.status_code");
    private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    private static final AttributeKey<String> ADDRESS = AttributeKey.stringKey("server.address");
    private static final AttributeKey<Long> PORT = AttributeKey.longKey("server.port");
    private static final AttributeKey<Long> BATCH_SIZE = AttributeKey.longKey("db.operation.batch.size");

    private static final TestPostgres PG = TestPostgres.get();
    private static final InMemorySpanExporter EXPORTER = InMemorySpanExporter.create();
    private static final OpenTelemetrySdk OTEL = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(EXPORTER))
                    .build())
            .build();
    private static final Tracer TRACER = OTEL.getTracer("test");
    /** One engine for the generated cases: a property's tries share it. */
    private static PostgresEngine shared;

    private final List<PostgresEngine> engines = new ArrayList<>();

    private PostgresEngine traced(Map<String, ?> config) {
        PostgresEngine e = new PostgresEngine(config);
        engines.add(e);
        PgEngineTracing.create(OTEL).register(e);
        return e;
    }

    @AfterEach
    void close() {
        engines.forEach(e -> Await.result(e.close()));
        EXPORTER.reset();
    }

    @AfterContainer
    static void closeShared() {
        if (shared != null) {
            Await.result(shared.close());
        }
    }

    private static List<SpanData> spans(int atLeast) {
        Await.until(
                "" + atLeast + " spans ended",
                () -> EXPORTER.getFinishedSpanItems().size() >= atLeast);
        return EXPORTER.getFinishedSpanItems();
    }

    private static SpanData named(List<SpanData> spans, String name) {
        return spans.stream()
                .filter(s -> s.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no span " + name + " in " + spans));
    }

    @Test
    void aStatementIsAClientSpanUnderTheCallersSpanWithoutLiteralValues() {
        PostgresEngine e = traced(PG.config());
        Span parent = TRACER.spanBuilder("caller").startSpan();
        try (Scope s = parent.makeCurrent()) {
            Await.result(e.query("SELECT $1::int + 42 AS v, 'secret' AS w, E'it''s\\'' AS x", 1));
        } finally {
            parent.end();
        }

        List<SpanData> spans = spans(2);
        SpanData statement = named(spans, "SELECT");
        assertThat(statement.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(statement.getParentSpanId())
                .isEqualTo(parent.getSpanContext().getSpanId());
        assertThat(statement.getTraceId()).isEqualTo(parent.getSpanContext().getTraceId());
        assertThat(statement.getAttributes().get(TEXT)).isEqualTo("SELECT $1::int + ? AS v, ? AS w, ? AS x");
        assertThat(statement.getAttributes().get(SYSTEM)).isEqualTo("postgresql");
        assertThat(statement.getAttributes().get(NAMESPACE))
                .isEqualTo(PG.config().get("database"));
        assertThat(statement.getAttributes().get(OPERATION)).isEqualTo("SELECT");
        assertThat(statement.getAttributes().get(ADDRESS)).isEqualTo(PG.host());
        assertThat(statement.getAttributes().get(PORT))
                .isEqualTo(((Number) PG.config().get("port")).longValue());
        assertThat(statement.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(statement.getAttributes().asMap().values())
                .noneMatch(v -> String.valueOf(v).contains("secret"));
    }

    @Test
    void aFailedStatementCarriesItsSqlStateAsStatusCodeAndErrorType() {
        PostgresEngine e = traced(PG.config());
        Throwable error = Await.failure(e.query("SELECT 1/0"));

        assertThat(error).isInstanceOf(EngineException.class);
        SpanData span = named(spans(1), "SELECT");
        assertThat(span.getAttributes().get(STATUS)).isEqualTo("22012");
        assertThat(span.getAttributes().get(ERROR_TYPE)).isEqualTo("22012");
        assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(span.getEvents()).anyMatch(ev -> ev.getName().equals("exception"));
    }

    @Test
    void aTransactionSpanHoldsItsStatementsAndIsCurrentInTheCallback() {
        PostgresEngine e = traced(PG.config());
        Await.result(e.runDdl("CREATE TABLE IF NOT EXISTS traced_tx (id int)"));
        EXPORTER.reset();
        Span parent = TRACER.spanBuilder("caller").startSpan();
        AtomicReference<SpanContext> inCallback = new AtomicReference<>();
        try (Scope s = parent.makeCurrent()) {
            Await.result(e.transaction(tx -> {
                inCallback.set(Span.current().getSpanContext());
                return tx.execute("INSERT INTO traced_tx VALUES (1)")
                        .thenCompose(n -> tx.query("SELECT count(*) FROM traced_tx"));
            }));
        } finally {
            parent.end();
        }

        List<SpanData> spans = spans(4);
        SpanData tx = named(spans, "transaction");
        assertThat(tx.getKind()).isEqualTo(SpanKind.INTERNAL);
        assertThat(tx.getParentSpanId()).isEqualTo(parent.getSpanContext().getSpanId());
        assertThat(inCallback.get().getSpanId()).isEqualTo(tx.getSpanId());
        assertThat(named(spans, "INSERT").getParentSpanId()).isEqualTo(tx.getSpanId());
        assertThat(named(spans, "SELECT").getParentSpanId()).isEqualTo(tx.getSpanId());
        assertThat(named(spans, "INSERT").getAttributes().get(TEXT)).isEqualTo("INSERT INTO traced_tx VALUES (?)");
        // BEGIN and COMMIT belong to the transaction span, not spans of their own
        assertThat(spans).extracting(SpanData::getName).doesNotContain("BEGIN", "COMMIT");
    }

    @Test
    void aFailedTransactionEndsItsSpanWithTheError() {
        PostgresEngine e = traced(PG.config());
        Throwable error = Await.failure(e.transaction(tx -> tx.query("SELECT * FROM no_such_table_here")));

        assertThat(error).isInstanceOf(EngineException.class);
        List<SpanData> spans = spans(2);
        SpanData tx = named(spans, "transaction");
        assertThat(tx.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(tx.getAttributes().get(STATUS)).isEqualTo("42P01");
    }

    @Test
    void theCallersContextIsCurrentWhenItsFutureCompletes() {
        PostgresEngine e = traced(PG.config());
        Span parent = TRACER.spanBuilder("caller").startSpan();
        for (int round = 0; ; round++) {
            CompletableFuture<List<Row>> query;
            try (Scope s = parent.makeCurrent()) {
                query = e.query("SELECT pg_sleep(0.05)");
            }
            if (query.isDone()) {
                // completed before the callback was attached: it would run on this thread, proving nothing
                assertThat(round)
                        .as("the query was always done before its callback was attached")
                        .isLessThan(20);
                continue;
            }
            CompletableFuture<SpanContext> seen =
                    query.thenApply(r -> Span.current().getSpanContext());
            assertThat(Await.result(seen).getSpanId())
                    .isEqualTo(parent.getSpanContext().getSpanId());
            break;
        }
        parent.end();
    }

    @Test
    void aBatchIsOneSpanNamedForItsOperationWithItsSize() {
        PostgresEngine e = traced(PG.config());
        Await.result(e.runDdl("CREATE TABLE IF NOT EXISTS traced_batch (id int, name text)"));
        EXPORTER.reset();
        Await.result(e.executeBatch(
                "INSERT INTO traced_batch VALUES ($1, $2)",
                List.of(List.of(1, "a"), List.of(2, "b"), List.of(3, "c"))));

        SpanData span = named(spans(1), "BATCH INSERT");
        assertThat(span.getAttributes().get(BATCH_SIZE)).isEqualTo(3L);
        assertThat(span.getAttributes().get(OPERATION)).isEqualTo("BATCH INSERT");
    }

    @Test
    void cockroachRetriesAreEventsOfTheTransactionSpan() {
        TestCockroach crdb = TestCockroach.get();
        System.out.println("TracingTest CockroachDB backend: " + crdb.backend());
        CockroachEngine e = CockroachEngine.builder()
                .config(crdb.adminConfig())
                .retryPolicy(RetryPolicy.builder()
                        .maxAttempts(5)
                        .initialBackoff(Duration.ofMillis(5))
                        .maxBackoff(Duration.ofMillis(20))
                        .build())
                .build();
        engines.add(e);
        PgEngineTracing.create(OTEL).register(e);
        AtomicInteger attempts = new AtomicInteger();

        Await.result(e.transaction(tx -> {
            int attempt = attempts.incrementAndGet();
            return attempt <= 2
                    ? tx.query("SELECT crdb_internal.force_retry('1h')").thenApply(r -> attempt)
                    : CompletableFuture.completedFuture(attempt);
        }));

        List<SpanData> spans = spans(3);
        SpanData tx = named(spans, "transaction");
        assertThat(tx.getAttributes().get(SYSTEM)).isEqualTo("cockroachdb");
        assertThat(tx.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(tx.getEvents()).extracting(EventData::getName).containsExactly("retry", "retry");
        assertThat(tx.getEvents().get(0).getAttributes().get(AttributeKey.longKey("pgengine.transaction.attempt")))
                .isEqualTo(2L);
        assertThat(tx.getEvents().get(0).getAttributes().get(STATUS)).isEqualTo("40001");
        assertThat(spans.stream().filter(s -> s.getParentSpanId().equals(tx.getSpanId())))
                .hasSize(2)
                .allMatch(s -> "40001".equals(s.getAttributes().get(STATUS)));
    }

    /**
     * Whatever literals a statement holds (quotes, backslashes, dollar quotes, numbers), the traced text shows
     * none of them, and the statement still runs.
     */
    @Property(tries = 60)
    void noLiteralValueReachesTheTracedText(@ForAll("literals") List<String> literals) {
        if (shared == null) {
            shared = new PostgresEngine(PG.config());
            PgEngineTracing.create(OTEL).register(shared);
        }
        EXPORTER.reset();
        StringBuilder sql = new StringBuilder("SELECT $1::text");
        StringBuilder expected = new StringBuilder("SELECT $1::text");
        for (String literal : literals) {
            sql.append(", ").append(literal);
            expected.append(literal.startsWith("text ") ? ", text ?" : ", ?");
        }
        List<Row> rows = Await.result(shared.query(sql.toString(), "param"));

        assertThat(rows).hasSize(1);
        SpanData span = named(spans(1), "SELECT");
        assertThat(span.getAttributes().get(TEXT)).isEqualTo(expected.toString());
    }

    @Provide
    Arbitrary<List<String>> literals() {
        Arbitrary<String> text =
                Arbitraries.strings().withChars("ab'\\$ \n\t()?;\"-/*éß€").ofMaxLength(12);
        Arbitrary<String> plain = text.map(t -> "'" + t.replace("'", "''") + "'");
        Arbitrary<String> escaped = text.map(t -> "E'" + t.replace("\\", "\\\\").replace("'", "\\'") + "'");
        Arbitrary<String> noDollar = text.map(t -> t.replace("$", "S"));
        Arbitrary<String> dollar = Combinators.combine(Arbitraries.of("$$", "$q$", "$_x1$"), noDollar)
                .as((tag, t) -> tag + t + tag);
        Arbitrary<String> number = Arbitraries.of("0", "42", "3.14", "1e10", ".5", "1.5E-3", "00012");
        Arbitrary<String> typed = text.map(t -> "text '" + t.replace("'", "''") + "'");
        return Arbitraries.oneOf(plain, escaped, dollar, number, typed)
                .list()
                .ofMinSize(1)
                .ofMaxSize(4);
    }
}
