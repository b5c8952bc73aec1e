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
 * {@code server.port}, and on failure {@code db.response.status_code} (the SQLSTATE) and {@code error.type}.
 *
 * <p>A failed span has status {@code ERROR} described by the exception's class and SQLSTATE, and an
 * {@code exception} event with {@code exception.type} only: the server's message, detail and hint repeat the values
 * a statement was given (a duplicate key, the text that is not a valid number, the row a check rejected), so they
 * are left out unless {@link Builder#recordErrorMessages(boolean)} asks for them. See docs/tracing.md.
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
    static final AttributeKey<String> EXCEPTION_TYPE = AttributeKey.stringKey("exception.type");

    /** Whether spans carry error messages unless asked: they do not, as the messages can hold parameter values. */
    public static final boolean DEFAULT_RECORD_ERROR_MESSAGES = false;

    private final Tracer tracer;
    private final boolean recordErrorMessages;

    private PgEngineTracing(Tracer tracer, boolean recordErrorMessages) {
        this.tracer = tracer;
        this.recordErrorMessages = recordErrorMessages;
    }

    /**
     * Tracing with the given OpenTelemetry (its tracer named {@value #INSTRUMENTATION_NAME}) and the defaults: no
     * error message on any span.
     *
     * @param openTelemetry the application's OpenTelemetry
     * @return the observer; attach it with {@link #register(PostgresEngine)}
     */
    public static PgEngineTracing create(OpenTelemetry openTelemetry) {
        return builder(openTelemetry).build();
    }

    /**
     * A builder of tracing with the given OpenTelemetry, for settings other than the defaults.
     *
     * @param openTelemetry the application's OpenTelemetry
     * @return the builder
     */
    public static Builder builder(OpenTelemetry openTelemetry) {
        return new Builder(Objects.requireNonNull(openTelemetry, "openTelemetry must not be null"));
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

    /**
     * Marks a span failed. Without {@link #recordErrorMessages} nothing of the error's text goes in: a server's
     * message, detail and hint, and the engine's messages that quote them, can repeat parameter values.
     */
    private void failed(Span span, @Nullable Throwable error) {
        if (error == null) {
            return;
        }
        String state = EngineObserver.sqlState(error);
        String type = error.getClass().getName();
        boolean cancelled = error instanceof CancellationException;
        if (state != null) {
            span.setAttribute(DB_RESPONSE_STATUS_CODE, state);
        }
        span.setAttribute(ERROR_TYPE, state != null ? state : cancelled ? "cancelled" : type);
        if (recordErrorMessages) {
            span.setStatus(StatusCode.ERROR, String.valueOf(error.getMessage()));
            if (!cancelled) {
                span.recordException(error);
            }
        } else {
            span.setStatus(StatusCode.ERROR, state == null ? type : type + " (SQLSTATE " + state + ")");
            if (!cancelled) {
                span.addEvent("exception", Attributes.of(EXCEPTION_TYPE, type));
            }
        }
    }

    /** Settings of {@link PgEngineTracing}; every one has a default. */
    public static final class Builder {
        private final OpenTelemetry openTelemetry;
        private boolean recordErrorMessages = DEFAULT_RECORD_ERROR_MESSAGES;

        private Builder(OpenTelemetry openTelemetry) {
            this.openTelemetry = openTelemetry;
        }

        /**
         * Sets {@code recordErrorMessages}: whether a failed span's status description is the exception's message
         * and its {@code exception} event carries {@code exception.message} and {@code exception.stacktrace}
         * ({@code Span.recordException}). The message holds what the server said, detail included, and that
         * repeats parameter values: a duplicate key, text that is not a valid number, the row a check rejected.
         * Turn it on only where spans may hold such values. Default {@code false}
         * ({@link PgEngineTracing#DEFAULT_RECORD_ERROR_MESSAGES}).
         *
         * @param recordErrorMessages true to record error messages, values included
         * @return this builder
         */
        public Builder recordErrorMessages(boolean recordErrorMessages) {
            this.recordErrorMessages = recordErrorMessages;
            return this;
        }

        /**
         * Builds the tracing.
         *
         * @return the observer; attach it with {@link PgEngineTracing#register(PostgresEngine)}
         */
        public PgEngineTracing build() {
            return new PgEngineTracing(openTelemetry.getTracer(INSTRUMENTATION_NAME), recordErrorMessages);
        }
    }

    /** A transaction's span and the context its statements and callback run in. */
    private final class TransactionSpan implements TransactionObservation {
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
