package io.github.pgengine.spring.boot;

import static io.github.pgengine.spring.boot.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.EngineClosedException;
import io.github.pgengine.PoolStats;
import io.github.pgengine.PostgresEngine;
import io.github.pgengine.Row;
import io.github.pgengine.testing.TestPostgres;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class GracefulShutdownTest {
    private static long backends(String applicationName) {
        return TestPostgres.get()
                .admin("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + applicationName + "'")
                .get(0)
                .get(0) instanceof Number n
                ? n.longValue()
                : -1;
    }

    @Test
    void aStatementInFlightCompletesBeforeTheEngineClosesWithTheContext() {
        Fixtures.runner().withPropertyValues("pgengine.shutdown-timeout=5s").run(context -> {
            PostgresEngine engine = context.getBean(PostgresEngine.class);
            CompletableFuture<List<Row>> sleeping = engine.query("SELECT pg_sleep(0.5) AS slept, 7 AS n");
            Fixtures.until("the statement holds a connection", () -> engine.poolStats().inUse() == 1);

            context.close();

            // it ran to its end, not cancelled: its connection came back before the close returned, and its future
            // completes on its I/O thread at about the same moment
            assertThat(Fixtures.await(sleeping).get(0).getInt("n")).isEqualTo(7);
            assertThat(engine.isClosed()).isTrue();
            assertThat(engine.poolStats()).isEqualTo(PoolStats.NO_POOL);
            assertThat(engine.query("SELECT 1"))
                    .failsWithin(Fixtures.DEADLINE)
                    .withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(EngineClosedException.class);
        });
    }

    @Test
    void anIdleEngineClosesAtOnceAndLeavesNoConnectionOpen() {
        String app = "idle-" + UUID.randomUUID();
        Fixtures.runner()
                .withPropertyValues("pgengine.application-name=" + app, "pgengine.pool.min-idle=3")
                .run(context -> {
                    assertThat(backends(app)).isEqualTo(3);
                    long start = System.nanoTime();
                    context.close();
                    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
                    Fixtures.until("the server sees no connection of the engine", () -> backends(app) == 0);
                });
    }

    /**
     * The bound holds: the context closes within the shutdown timeout and a margin, and a statement still running
     * after it is cancelled on the server: its caller sees the cancellation and no connection is left open.
     */
    @Test
    void aStatementLongerThanTheBoundIsCancelledOnTheServerWhenTheBoundRunsOut() {
        String app = "long-" + UUID.randomUUID();
        Fixtures.runner()
                .withPropertyValues("pgengine.application-name=" + app, "pgengine.shutdown-timeout=500ms")
                .run(context -> {
                    PostgresEngine engine = context.getBean(PostgresEngine.class);
                    CompletableFuture<List<Row>> sleeping = engine.query("SELECT pg_sleep(30)");
                    Fixtures.until("the statement holds a connection", () -> engine.poolStats().inUse() == 1);

                    long start = System.nanoTime();
                    context.close();
                    Duration took = Duration.ofNanos(System.nanoTime() - start);

                    assertThat(took).isBetween(Duration.ofMillis(450), Duration.ofMillis(500 + 2500));
                    assertThat(engine.isClosed()).isTrue();
                    Fixtures.until("the statement's caller saw it end", sleeping::isDone);
                    assertThat(sleeping).isCompletedExceptionally();
                    Fixtures.until("the server sees no connection of the engine", () -> backends(app) == 0);
                });
    }

    @Test
    void anApplicationThatFailsToStartClosesTheEngine() {
        AtomicReference<PostgresEngine> seen = new AtomicReference<>();
        Failing.seen = seen;
        Fixtures.runner().withUserConfiguration(Failing.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(seen.get()).isNotNull();
            assertThat(seen.get().isClosed()).isTrue();
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class Failing {
        static AtomicReference<PostgresEngine> seen = new AtomicReference<>();

        @Bean
        String needsTheEngineAndFails(PostgresEngine engine) {
            seen.set(engine);
            throw new IllegalStateException("this application cannot start");
        }
    }
}
