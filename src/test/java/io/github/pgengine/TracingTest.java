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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
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

    /**
     * A secret passed as a parameter that the server repeats in its error (23505's DETAIL names the key, 22P02's
     * message quotes the text, 23514's DETAIL shows the failing row) or that fails on the client, outside and inside
     * transactions, in batches and cursors: no exported span shows it, in any attribute, event, status or link.
     */
    @Test
    void noParameterValueReachesAnySpanWhenTheErrorRepeatsIt() {
        String secret = "S3cr3t-" + UUID.randomUUID();
        PostgresEngine e = traced(PG.config());
        Await.result(e.runDdl("DROP TABLE IF EXISTS traced_secrets"));
        Await.result(e.runDdl(
                "CREATE TABLE traced_secrets (k text PRIMARY KEY, short varchar(4), c text CHECK (length(c) < 5))"));
        Await.result(e.execute("INSERT INTO traced_secrets (k) VALUES ($1)", secret));
        String insertKey = "INSERT INTO traced_secrets (k) VALUES ($1)";
        EXPORTER.reset();

        Map<String, Throwable> errors = new LinkedHashMap<>();
        errors.put("23505", Await.failure(e.execute(insertKey, secret)));
        errors.put("22P02", Await.failure(e.query("SELECT $1::int", secret)));
        errors.put("22001", Await.failure(e.execute("INSERT INTO traced_secrets (k, short) VALUES ('a', $1)", secret)));
        errors.put("23514", Await.failure(e.execute("INSERT INTO traced_secrets (k, c) VALUES ('b', $1)", secret)));
        errors.put("batch 23505", Await.failure(e.executeBatch(insertKey, List.of(List.of("c"), List.of(secret)))));
        errors.put(
                "independent batch 23505",
                Await.failure(e.executeBatch(insertKey, List.of(List.of(secret)), BatchOptions.independent())));
        errors.put("cursor 22P02", streamFailure(e, "SELECT $1::int", secret));
        errors.put("tx 23505", Await.failure(e.transaction(tx -> tx.execute(insertKey, secret))));
        errors.put("tx 22P02", Await.failure(e.transaction(tx -> tx.query("SELECT $1::int", secret))));
        errors.put(
                "tx batch 23505",
                Await.failure(e.transaction(tx -> tx.executeBatch(insertKey, List.of(List.of("d"), List.of(secret))))));
        // refused by the engine before anything is sent: no statement span, the transaction's span ends with it
        errors.put("tx encode", Await.failure(e.transaction(tx -> tx.query("SELECT $1::text", secret + "\u0000"))));
        errors.put("encode", Await.failure(e.query("SELECT $1::text", secret + "\u0000")));
        // the caller's own exception, which may quote what it was given
        errors.put(
                "tx callback",
                Await.failure(e.transaction(tx -> tx.query("SELECT 1").thenApply(r -> {
                    throw new IllegalStateException("login failed for " + secret);
                }))));

        // the errors are hostile: the callers see the secret in them (except 22001's, which names the type, and the
        // encoder's, which names the index)
        errors.forEach((what, error) -> {
            if (!what.contains("encode") && !what.equals("22001")) {
                assertThat(error).as(what).isInstanceOf(RuntimeException.class);
                assertThat(everything(error)).as(what).contains(secret);
            }
        });
        // 7 statements (a cursor's DECLARE included); 5 transactions with 4 statements, one of them a SELECT 1 that ran
        List<SpanData> spans = spans(16);
        assertThat(spans).hasSize(16);
        assertThat(spans)
                .filteredOn(s -> s.getStatus().getStatusCode() == StatusCode.ERROR)
                .hasSize(15);
        for (SpanData span : spans) {
            assertThat(span.toString()).as(span.getName()).doesNotContain(secret);
            if (span.getStatus().getStatusCode() != StatusCode.ERROR) {
                continue;
            }
            String type = span.getAttributes().get(ERROR_TYPE);
            assertThat(type).as(span.getName()).isNotNull();
            String state = span.getAttributes().get(STATUS);
            assertThat(span.getStatus().getDescription()).as(span.getName()).contains(state == null ? type : state);
            List<EventData> exceptions = span.getEvents().stream()
                    .filter(ev -> ev.getName().equals("exception"))
                    .toList();
            assertThat(exceptions).as(span.getName()).hasSize(1);
            assertThat(exceptions.get(0).getAttributes().asMap().keySet())
                    .extracting(AttributeKey::getKey)
                    .containsExactly("exception.type");
        }
        assertThat(spans.stream().map(s -> s.getAttributes().get(STATUS))).contains("23505", "22P02", "22001", "23514");
        SpanData unique = spans.stream()
                .filter(s -> s.getName().equals("INSERT")
                        && "23505".equals(s.getAttributes().get(STATUS)))
                .findFirst()
                .orElseThrow();
        assertThat(unique.getAttributes().get(TEXT)).isEqualTo(insertKey);
        assertThat(unique.getAttributes().get(ERROR_TYPE)).isEqualTo("23505");
        assertThat(unique.getStatus().getDescription())
                .isEqualTo(IntegrityViolationException.class.getName() + " (SQLSTATE 23505)");
        assertThat(unique.getEvents().get(0).getAttributes().get(AttributeKey.stringKey("exception.type")))
                .isEqualTo(IntegrityViolationException.class.getName());
        SpanData callback = spans.stream()
                .filter(s -> IllegalStateException.class
                        .getName()
                        .equals(s.getAttributes().get(ERROR_TYPE)))
                .findFirst()
                .orElseThrow();
        assertThat(callback.getName()).isEqualTo("transaction");
        assertThat(callback.getStatus().getDescription()).isEqualTo(IllegalStateException.class.getName());
    }

    @Test
    void recordErrorMessagesIsAnOptInThatShowsTheServersMessageAndItsValues() {
        String secret = "S3cr3t-" + UUID.randomUUID();
        PostgresEngine e = new PostgresEngine(PG.config());
        engines.add(e);
        PgEngineTracing.builder(OTEL).recordErrorMessages(true).build().register(e);
        Await.result(e.runDdl("DROP TABLE IF EXISTS traced_messages"));
        Await.result(e.runDdl("CREATE TABLE traced_messages (k text PRIMARY KEY)"));
        Await.result(e.execute("INSERT INTO traced_messages VALUES ($1)", secret));
        EXPORTER.reset();

        Throwable error = Await.failure(e.execute("INSERT INTO traced_messages VALUES ($1)", secret));

        SpanData span = named(spans(1), "INSERT");
        assertThat(span.getStatus().getDescription()).isEqualTo(error.getMessage());
        assertThat(span.getStatus().getDescription())
                .contains("duplicate key value violates unique constraint")
                .contains(secret);
        assertThat(span.getAttributes().get(ERROR_TYPE)).isEqualTo("23505");
        EventData exception = span.getEvents().stream()
                .filter(ev -> ev.getName().equals("exception"))
                .findFirst()
                .orElseThrow();
        assertThat(exception.getAttributes().get(AttributeKey.stringKey("exception.message")))
                .isEqualTo(error.getMessage());
        assertThat(exception.getAttributes().get(AttributeKey.stringKey("exception.type")))
                .isEqualTo(IntegrityViolationException.class.getName());
        assertThat(exception.getAttributes().get(AttributeKey.stringKey("exception.stacktrace")))
                .isNotBlank();
    }

    /** The message, detail and causes of an error, as a caller could print them. */
    private static String everything(Throwable error) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = error; t != null; t = t.getCause()) {
            sb.append(t).append('\n');
            if (t instanceof EngineException ee) {
                sb.append(ee.detail()).append('\n');
            }
        }
        return sb.toString();
    }

    private static Throwable streamFailure(PostgresEngine e, String sql, Object value) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        e.stream(sql, List.of(value), 16).subscribe(new Flow.Subscriber<Row>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(Row item) {}

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                done.complete(null);
            }
        });
        return Await.failure(done);
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
