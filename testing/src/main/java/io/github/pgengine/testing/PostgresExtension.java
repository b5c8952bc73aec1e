package io.github.pgengine.testing;

import io.github.pgengine.PoolOptions;
import io.github.pgengine.PostgresEngine;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that gives test methods and constructors a real PostgreSQL: a parameter of type {@link
 * TestPostgres} receives the JVM's shared server ({@link TestPostgres#get()}), and a parameter of type {@link
 * PostgresEngine} receives an engine on that server with a started pool, shared by the test class and closed after
 * its last test.
 *
 * <pre>{@code
 * @ExtendWith(PostgresExtension.class)
 * class BandRepositoryTest {
 *     @Test
 *     void findsBands(PostgresEngine engine) {
 *         assertThat(engine.query("SELECT 1 AS one").join().get(0).getInt("one")).isEqualTo(1);
 *     }
 * }
 * }</pre>
 */
public final class PostgresExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(PostgresExtension.class);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

    /** Creates the extension; JUnit does this for {@code @ExtendWith(PostgresExtension.class)}. */
    public PostgresExtension() {}

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == TestPostgres.class || type == PostgresEngine.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        if (parameter.getParameter().getType() == TestPostgres.class) {
            return TestPostgres.get();
        }
        ExtensionContext owner = classContext(context);
        return owner.getStore(NAMESPACE)
                .getOrComputeIfAbsent(EngineResource.class, key -> EngineResource.start(), EngineResource.class)
                .engine;
    }

    private static ExtensionContext classContext(ExtensionContext context) {
        ExtensionContext c = context;
        while (c.getTestMethod().isPresent() && c.getParent().isPresent()) {
            c = c.getParent().get();
        }
        return c;
    }

    /** The class's engine, closed by JUnit when the class's context closes. */
    private static final class EngineResource implements ExtensionContext.Store.CloseableResource {
        final PostgresEngine engine;

        private EngineResource(PostgresEngine engine) {
            this.engine = engine;
        }

        static EngineResource start() {
            PostgresEngine engine =
                    PostgresEngine.builder().url(TestPostgres.get().url()).build();
            try {
                engine.startConnectionPool(PoolOptions.builder().maxSize(4).build())
                        .get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                try {
                    engine.close().get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (Exception closing) {
                    e.addSuppressed(closing);
                }
                throw new ParameterResolutionException("cannot start a pool on the test PostgreSQL: " + e, e);
            }
            return new EngineResource(engine);
        }

        @Override
        public void close() throws Exception {
            engine.close().get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
