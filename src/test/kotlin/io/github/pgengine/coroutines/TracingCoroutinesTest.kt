package io.github.pgengine.coroutines

import io.github.pgengine.PostgresEngine
import io.github.pgengine.opentelemetry.PgEngineTracing
import io.github.pgengine.testing.Await
import io.github.pgengine.testing.TestPostgres
import io.opentelemetry.api.trace.Span
import io.opentelemetry.context.Context
import io.opentelemetry.extension.kotlin.asContextElement
import io.opentelemetry.sdk.OpenTelemetrySdk
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter
import io.opentelemetry.sdk.trace.SdkTracerProvider
import io.opentelemetry.sdk.trace.data.SpanData
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import kotlinx.coroutines.yield
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Test

/**
 * The caller's OpenTelemetry context, carried by a coroutine (opentelemetry-extension-kotlin's
 * context element), parents the engine's spans, across thread hops, for statements and the suspend
 * transaction block.
 */
class TracingCoroutinesTest {
    private val exporter = InMemorySpanExporter.create()
    private val otel =
        OpenTelemetrySdk.builder()
            .setTracerProvider(
                SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                    .build()
            )
            .build()
    private val engine = PostgresEngine(TestPostgres.get().config())

    init {
        PgEngineTracing.create(otel).register(engine)
    }

    @AfterEach fun close() = runBlocking { engine.awaitClose() }

    private fun spans(atLeast: Int): List<SpanData> {
        Await.until("$atLeast spans ended") { exporter.finishedSpanItems.size >= atLeast }
        return exporter.finishedSpanItems
    }

    @Test
    fun theCoroutinesContextParentsStatementsAndTheTransaction(): Unit = runBlocking {
        engine.awaitRunDdl("CREATE TABLE IF NOT EXISTS kt_traced (id int)")
        exporter.reset()
        val parent = otel.getTracer("test").spanBuilder("caller").startSpan()
        val seenInBlock =
            withContext(Dispatchers.Default + Context.current().with(parent).asContextElement()) {
                engine.awaitQuery("SELECT 1")
                yield()
                engine.suspendTransaction { tx ->
                    tx.execute("INSERT INTO kt_traced VALUES (1)")
                    yield()
                    tx.query("SELECT count(*) FROM kt_traced")
                    Span.current().spanContext.spanId
                }
            }
        parent.end()

        val spans = spans(5)
        val byName = spans.groupBy { it.name }
        val transaction = byName.getValue("transaction").single()
        assertThat(seenInBlock).isEqualTo(parent.spanContext.spanId)
        assertThat(transaction.parentSpanId).isEqualTo(parent.spanContext.spanId)
        assertThat(transaction.traceId).isEqualTo(parent.spanContext.traceId)
        val selects = byName.getValue("SELECT")
        assertThat(selects).hasSize(2)
        assertThat(selects.map { it.parentSpanId })
            .containsExactlyInAnyOrder(parent.spanContext.spanId, transaction.spanId)
        assertThat(byName.getValue("INSERT").single().parentSpanId).isEqualTo(transaction.spanId)
    }
}
