package io.github.pgengine.opentelemetry;

import io.github.pgengine.EngineException;
import io.github.pgengine.EngineObserver;
import io.github.pgengine.PostgresEngine;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import org.jspecify.annotations.Nullable;

/**
 * OpenTelemetry spans for an engine's work, following the database semantic conventions: a {@code CLIENT} span per
 * statement a caller runs, and an {@code INTERNAL} span per transaction with its statements as children and an
 * event per retried attempt.
 *
 * <pre>{@code
 * PgEngineTracing tracing = PgEngineTracing.create(openTelemetry);
 * EngineObserver.Registration registration = tracing.register(engine);   // the engine and its extra nodes
 * }</pre>
 *
 * <p>A statement's parent is the context current on the thread that called the engine (or its transaction's span);
 * that context is current again while the engine completes the caller's future, and the transaction's span is
 * current while the transaction callback runs, so spans the caller starts there nest under it. Kotlin callers carry
 * the context into coroutines with {@code opentelemetry-extension-kotlin}'s {@code asContextElement()}. Attributes:
 * {@code db.system.name}, {@code db.namespace}, {@code db.operation.name}, {@code db.query.text} (literals replaced by
 * {@code ?}; parameter values never recorded), {@code db.operation.batch.size}, {@code server.address},
 * {@code server.port}, and on failure {@code db.response.status_code} (the SQLSTATE) and {@code error.type}. See
 * docs/tracing.md.
 */
public final class PgEngineTracing implements EngineObserver {
    /** The instrumentation scope's name. */
    public static final String INSTRUMENTATION_NAME = "io.github.pgengine";

    static final AttributeKey<String> DB_SYSTEM_NAME = AttributeKey.stringKey("db.system.name");
    static final AttributeKey<String> DB_NAMESPACE = AttributeKey.stringKey("db.namespace");
    static final AttributeKey<String> DB_OPERATION_NAME = AttributeKey.stringKey("db.operation.name");
    static final AttributeKey<String> DB_QUERY_TEXT = AttributeKey.stringKey("db.query.text");
    static final AttributeKey<Long> DB_OPERATION_BATCH_SIZE = AttributeKey.longKey("db.operation.batch.size");
    static final AttributeKey<String> DB_RESPONSE_STATUS_CODE = AttributeKey.stringKey("db.response.status_code");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("pgengine.transaction.attempt");

    private final Tracer tracer;

    private PgEngineTracing(Tracer tracer) {
        this.tracer = tracer;
    }

    /**
     * Tracing with the given OpenTelemetry (its tracer named {@value #INSTRUMENTATION_NAME}).
     *
     * @param openTelemetry the application's OpenTelemetry
     * @return the observer; attach it with {@link #register(PostgresEngine)}
     */
    public static PgEngineTracing create(OpenTelemetry openTelemetry) {
        Objects.requireNonNull(openTelemetry, "openTelemetry");
        return new PgEngineTracing(openTelemetry.getTracer(INSTRUMENTATION_NAME));
    }

    /**
     * Traces an engine and each of its extra nodes.
     *
     * @param engine the engine
     * @return detaches from all of them
     */
    public EngineObserver.Registration register(PostgresEngine engine) {
        Objects.requireNonNull(engine, "engine");
        List<EngineObserver.Registration> registrations = new ArrayList<>();
        registrations.add(engine.addObserver(this));
        for (PostgresEngine node : engine.extraNodes().values()) {
            registrations.add(node.addObserver(this));
        }
        return () -> registrations.forEach(EngineObserver.Registration::close);
    }

    @Override
    public Object capture() {
        return Context.current();
    }

    @Override
    public Runnable wrap(@Nullable Object captured, Runnable task) {
        return captured instanceof Context context ? context.wrap(task) : task;
    }

    @Override
    public StatementObservation statementStarted(
            StatementInfo statement, @Nullable Object captured, @Nullable TransactionObservation transaction) {
        Context parent = transaction instanceof TransactionSpan t
                ? t.context
                : captured instanceof Context c ? c : Context.current();
        String operation = statement.batchSize() > 0
                ? (statement.operation().isEmpty() ? "BATCH" : "BATCH " + statement.operation())
                : statement.operation();
        SpanBuilder builder = tracer.spanBuilder(
                        operation.isEmpty() ? statement.engine().system() : operation)
                .setParent(parent)
                .setSpanKind(SpanKind.CLIENT)
                .setAllAttributes(common(statement.engine()))
                .setAttribute(DB_QUERY_TEXT, statement.text());
        if (!operation.isEmpty()) {
            builder.setAttribute(DB_OPERATION_NAME, operation);
        }
        if (statement.batchSize() > 1) {
            builder.setAttribute(DB_OPERATION_BATCH_SIZE, (long) statement.batchSize());
        }
        Span span = builder.startSpan();
        return (rows, error) -> {
            failed(span, error);
            span.end();
        };
    }

    @Override
    public TransactionObservation transactionStarted(EngineInfo engine, @Nullable Object captured) {
        Context parent = captured instanceof Context c ? c : Context.current();
        Span span = tracer.spanBuilder("transaction")
                .setParent(parent)
                .setSpanKind(SpanKind.INTERNAL)
                .setAllAttributes(common(engine))
                .startSpan();
        return new TransactionSpan(span, parent.with(span));
    }

    private static Attributes common(EngineInfo engine) {
        return Attributes.of(
                DB_SYSTEM_NAME,
                engine.system(),
                DB_NAMESPACE,
                engine.database(),
                SERVER_ADDRESS,
                engine.host(),
                SERVER_PORT,
                (long) engine.port());
    }

    private static void failed(Span span, @Nullable Throwable error) {
        if (error == null) {
            return;
        }
        String state = EngineObserver.sqlState(error);
        if (state != null) {
            span.setAttribute(DB_RESPONSE_STATUS_CODE, state);
        }
        span.setAttribute(
                ERROR_TYPE,
                state != null
                        ? state
                        : error instanceof CancellationException
                                ? "cancelled"
                                : error.getClass().getName());
        span.setStatus(StatusCode.ERROR, String.valueOf(error.getMessage()));
        if (!(error instanceof CancellationException)) {
            span.recordException(error);
        }
    }

    /** A transaction's span and the context its statements and callback run in. */
    private static final class TransactionSpan implements TransactionObservation {
        private final Span span;
        private final Context context;

        TransactionSpan(Span span, Context context) {
            this.span = span;
            this.context = context;
        }

        @Override
        public void retrying(int attempt, EngineException cause) {
            String state = cause.sqlState();
            span.addEvent(
                    "retry",
                    state == null
                            ? Attributes.of(ATTEMPT, (long) attempt)
                            : Attributes.of(ATTEMPT, (long) attempt, DB_RESPONSE_STATUS_CODE, state));
        }

        @Override
        public Runnable wrap(Runnable task) {
            return context.wrap(task);
        }

        @Override
        public void ended(@Nullable Throwable error) {
            failed(span, error);
            span.end();
        }
    }
}
