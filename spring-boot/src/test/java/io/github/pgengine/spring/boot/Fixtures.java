package io.github.pgengine.spring.boot;

import io.github.pgengine.testing.TestPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The context runner with pgengine's auto-configurations, the test PostgreSQL, and waiting with a deadline. */
final class Fixtures {
    static final Duration DEADLINE = Duration.ofSeconds(20);

    private Fixtures() {}

    /** pgengine's four auto-configurations, no properties. */
    static ApplicationContextRunner bare() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        PgEngineAutoConfiguration.class,
                        PgEngineHealthAutoConfiguration.class,
                        PgEngineMetricsAutoConfiguration.class,
                        PgEngineTracingAutoConfiguration.class));
    }

    /** {@link #bare()} pointed at the test PostgreSQL by {@code pgengine.url}. */
    static ApplicationContextRunner runner() {
        return bare().withPropertyValues("pgengine.url=" + TestPostgres.get().url(), "pgengine.ssl-mode=disable");
    }

    /** The engine's own start-up failure inside the context's (Spring wraps it in bean creation exceptions). */
    static Throwable startFailure(org.springframework.boot.test.context.assertj.AssertableApplicationContext context) {
        for (Throwable t = context.getStartupFailure(); t != null; t = t.getCause()) {
            if (t instanceof IllegalStateException && String.valueOf(t.getMessage()).startsWith("pgengine could not")) {
                return t;
            }
        }
        throw new AssertionError("no pgengine start-up failure in " + context.getStartupFailure());
    }

    /** A port on 127.0.0.1 where nothing listens (it was free a moment ago). */
    static int closedPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("no answer within " + DEADLINE, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Waits until the condition holds, or fails after the deadline. */
    static void until(String what, BooleanSupplier condition) {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("not within " + DEADLINE + ": " + what);
            }
            Thread.onSpinWait();
            try {
                CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(5, TimeUnit.MILLISECONDS))
                        .get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            } catch (ExecutionException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** Whether the test runs on Spring Boot 4 (its health API is on the class path). */
    static boolean boot4() {
        try {
            Class.forName("org.springframework.boot.health.contributor.HealthIndicator");
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** Spring Boot's metrics auto-configuration of the line under test (it moved in Spring Boot 4). */
    static AutoConfigurations metrics() {
        String base = boot4()
                ? "org.springframework.boot.micrometer.metrics.autoconfigure."
                : "org.springframework.boot.actuate.autoconfigure.metrics.";
        return AutoConfigurations.of(
                load(base + "MetricsAutoConfiguration"),
                load(base + "CompositeMeterRegistryAutoConfiguration"),
                load(base + "export.simple.SimpleMetricsExportAutoConfiguration"));
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(name + " is not on the class path", e);
        }
    }
}
