package io.github.pgengine.spring.boot;

import static io.github.pgengine.spring.boot.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.PostgresEngine;
import io.github.pgengine.opentelemetry.PgEngineTracing;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class TracingTest {
    @Configuration(proxyBeanMethods = false)
    static class WithOpenTelemetry {
        final InMemorySpanExporter spans = InMemorySpanExporter.create();

        @Bean
        OpenTelemetry openTelemetry() {
            return OpenTelemetrySdk.builder()
                    .setTracerProvider(SdkTracerProvider.builder()
                            .addSpanProcessor(SimpleSpanProcessor.create(spans))
                            .build())
                    .build();
        }
    }

    @Test
    void theEngineRecordsSpansWithTheApplicationsOpenTelemetry() {
        Fixtures.runner().withUserConfiguration(WithOpenTelemetry.class).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(PgEngineTracing.class);
            InMemorySpanExporter spans = context.getBean(WithOpenTelemetry.class).spans;
            spans.reset();
            await(context.getBean(PostgresEngine.class).query("SELECT 42 AS answer"));
            Fixtures.until("the statement's span is exported", () -> !spans.getFinishedSpanItems().isEmpty());
            SpanData span = spans.getFinishedSpanItems().get(0);
            assertThat(span.getName()).isEqualTo("SELECT");
            assertThat(span.getAttributes().get(AttributeKey.stringKey("db.system.name")))
                    .isEqualTo("postgresql");
            assertThat(span.getAttributes().get(AttributeKey.stringKey("db.query.text")))
                    .isEqualTo("SELECT ? AS answer");
        });
    }

    @Test
    void noTracingWithoutAnOpenTelemetryBean() {
        Fixtures.runner().run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(PgEngineTracing.class));
    }

    @Test
    void noTracingAndNoFailureWithoutOpenTelemetryOnTheClassPath() {
        Fixtures.runner()
                .withClassLoader(new FilteredClassLoader("io.opentelemetry"))
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(PostgresEngine.class);
                    assertThat(context.getBeanNamesForType(PgEngineTracing.class)).isEmpty();
                });
    }
}
