package io.github.pgengine.spring.boot;

import static io.github.pgengine.spring.boot.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.github.pgengine.CockroachEngine;
import io.github.pgengine.ConnectionException;
import io.github.pgengine.EngineObserver;
import io.github.pgengine.PoolStats;
import io.github.pgengine.PostgresEngine;
import io.github.pgengine.RetryPolicy;
import io.github.pgengine.testing.TestPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class PgEngineAutoConfigurationTest {
    private static String show(PostgresEngine engine, String setting) {
        return await(engine.query("SELECT current_setting($1) AS v", setting)).get(0).getString("v");
    }

    @Test
    void withoutPropertiesTheEngineGoesToLibpqsDefaultsAndTheApplicationFailsToStartWhenNothingListensThere() {
        assumeThat(System.getenv("PGHOST") == null && System.getenv("PGPORT") == null).isTrue();
        try (Socket s = new Socket("localhost", 5432)) {
            assumeThat(s.isConnected()).as("a server listens on localhost:5432").isFalse();
        } catch (IOException nothingThere) {
            // the case under test
        }
        Fixtures.bare().run(context -> {
            assertThat(context).hasFailed();
            assertThat(Fixtures.startFailure(context))
                    .hasMessageContaining("pgengine could not start")
                    .hasMessageContaining("localhost:5432")
                    .hasCauseInstanceOf(ConnectionException.class);
        });
    }

    @Test
    void startsAPostgresEngineWithItsPoolFromTheProperties() {
        Fixtures.runner()
                .withPropertyValues("pgengine.pool.max-size=3", "pgengine.pool.min-idle=2")
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(PostgresEngine.class);
                    PostgresEngine engine = context.getBean(PostgresEngine.class);
                    assertThat(engine).isNotInstanceOf(CockroachEngine.class);
                    assertThat(engine.poolStats().maxSize()).isEqualTo(3);
                    assertThat(engine.poolStats().total()).isGreaterThanOrEqualTo(2);
                    assertThat(await(engine.query("SELECT 41 + 1 AS n")).get(0).getInt("n")).isEqualTo(42);
                    assertThat(engine.retryPolicy()).isEqualTo(RetryPolicy.none());
                });
    }

    @Test
    void bindsEveryEngineProperty() {
        Fixtures.runner()
                .withPropertyValues(
                        "pgengine.name=orders",
                        "pgengine.application-name=orders-service",
                        "pgengine.statement-timeout=90s",
                        "pgengine.properties.search_path=pg_catalog,public",
                        "pgengine.extensions=pgcrypto,uuid-ossp",
                        "pgengine.prepare-database=false",
                        "pgengine.log-queries=true",
                        "pgengine.log-responses=true",
                        "pgengine.rewrite-batched-inserts=false",
                        "pgengine.retry.max-attempts=4",
                        "pgengine.retry.initial-backoff=10ms",
                        "pgengine.retry.max-backoff=1s",
                        "pgengine.retry.multiplier=3",
                        "pgengine.retry.jitter=0.1",
                        "pgengine.pool.max-size=4",
                        "pgengine.pool.min-idle=0",
                        "pgengine.pool.acquire-timeout=3s",
                        "pgengine.pool.max-waiters=7",
                        "pgengine.pool.idle-timeout=1m",
                        "pgengine.pool.max-lifetime=5m",
                        "pgengine.pool.leak-detection-threshold=20s")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    PostgresEngine engine = context.getBean(PostgresEngine.class);
                    assertThat(engine.name()).isEqualTo("orders");
                    assertThat(engine.extensions()).containsExactly("pgcrypto", "uuid-ossp");
                    assertThat(engine.logQueries()).isTrue();
                    assertThat(engine.logResponses()).isTrue();
                    assertThat(engine.rewriteBatchedInserts()).isFalse();
                    assertThat(engine.retryPolicy())
                            .isEqualTo(RetryPolicy.builder()
                                    .maxAttempts(4)
                                    .initialBackoff(Duration.ofMillis(10))
                                    .maxBackoff(Duration.ofSeconds(1))
                                    .multiplier(3)
                                    .jitter(0.1)
                                    .build());
                    assertThat(show(engine, "application_name")).isEqualTo("orders-service");
                    assertThat(show(engine, "statement_timeout")).isEqualTo("90s");
                    assertThat(show(engine, "search_path")).isEqualTo("pg_catalog,public");
                    assertThat(engine.poolStats()).isEqualTo(new PoolStats(1, 1, 0, 0, 4));
                    PgEngineProperties.Pool pool = context.getBean(PgEngineProperties.class).getPool();
                    assertThat(new EngineSettings(context.getBean(PgEngineProperties.class)).poolOptions())
                            .hasToString("PoolOptions{maxSize=4, minIdle=0, acquireTimeout=PT3S, maxWaiters=7, "
                                    + "idleTimeout=PT1M, maxLifetime=PT5M, leakDetectionThreshold=PT20S}");
                    assertThat(pool.isEnabled()).isTrue();
                });
    }

    @Test
    void severalHostsWithTheirPortsAndTargetSessionAttrsComeFromTheProperties() {
        TestPostgres pg = TestPostgres.get();
        Fixtures.bare()
                .withPropertyValues(
                        "pgengine.host=127.0.0.1," + pg.host(),
                        "pgengine.port=" + Fixtures.closedPort() + "," + pg.port(),
                        "pgengine.database=" + pg.database(),
                        "pgengine.username=" + pg.user(),
                        "pgengine.password=" + pg.password(),
                        "pgengine.ssl-mode=disable",
                        "pgengine.target-session-attrs=read-write",
                        "pgengine.connect-timeout=5s")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    PostgresEngine engine = context.getBean(PostgresEngine.class);
                    assertThat(show(engine, "transaction_read_only")).isEqualTo("off");
                    assertThat(await(engine.query("SELECT inet_server_port() AS p")).get(0).getInt("p"))
                            .isEqualTo(pg.port());
                });
    }

    @Test
    void aPropertyOfTheMapThatATypedPropertySetsTooIsRefusedNamingBoth() {
        Fixtures.runner()
                .withPropertyValues("pgengine.application-name=a", "pgengine.properties.application_name=b")
                .run(context -> assertThat(context.getStartupFailure())
                        .rootCause()
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("pgengine.properties.application_name repeats pgengine.application-name"));
    }

    @Test
    void typeCockroachGivesACockroachEngineWithItsRetriesAndClusterSettings() {
        Fixtures.runner()
                .withPropertyValues(
                        "pgengine.type=cockroach",
                        "pgengine.prepare-database=false",
                        "pgengine.cockroach.cluster-settings[sql.defaults.distsql]=off")
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(CockroachEngine.class);
                    CockroachEngine crdb = context.getBean(CockroachEngine.class);
                    assertThat(crdb.retryPolicy()).isEqualTo(RetryPolicy.defaults());
                    assertThat(crdb.clusterSettings()).isEqualTo(Map.of("sql.defaults.distsql", "off"));
                    assertThat(context.getBean(PostgresEngine.class)).isSameAs(crdb);
                });
    }

    @Test
    void anEngineBeanOfTheApplicationWinsAndIsLeftToIt() {
        Fixtures.runner().withUserConfiguration(OwnEngine.class).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(PostgresEngine.class);
            assertThat(context.getBean(PostgresEngine.class).name()).isEqualTo("mine");
            assertThat(context).doesNotHaveBean(EngineLifecycle.class);
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnEngine {
        @Bean
        PostgresEngine myEngine() {
            return PostgresEngine.builder()
                    .config(TestPostgres.get().config())
                    .name("mine")
                    .build();
        }
    }

    @Test
    void customizersChangeTheBuilderAndObserverBeansSeeTheStatements() {
        Fixtures.runner().withUserConfiguration(CustomizerAndObserver.class).run(context -> {
            assertThat(context).hasNotFailed();
            PostgresEngine engine = context.getBean(PostgresEngine.class);
            assertThat(engine.name()).isEqualTo("customized");
            int before = context.getBean(CustomizerAndObserver.class).statements.get();
            await(engine.query("SELECT 1"));
            assertThat(context.getBean(CustomizerAndObserver.class).statements.get()).isEqualTo(before + 1);
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class CustomizerAndObserver {
        final AtomicInteger statements = new AtomicInteger();

        @Bean
        PgEngineBuilderCustomizer named() {
            return builder -> builder.name("customized");
        }

        @Bean
        EngineObserver counting() {
            return new EngineObserver() {
                @Override
                public StatementObservation statementStarted(
                        StatementInfo statement, @Nullable Object captured, @Nullable TransactionObservation tx) {
                    statements.incrementAndGet();
                    return StatementObservation.NONE;
                }
            };
        }
    }

    @Test
    void aDatabaseThatCannotBeReachedFailsTheStartNamingTheEngineAndTheCause() {
        Fixtures.bare()
                .withPropertyValues(
                        "pgengine.url=postgresql://app@127.0.0.1:" + Fixtures.closedPort() + "/app",
                        "pgengine.ssl-mode=disable")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(Fixtures.startFailure(context))
                            .hasMessageStartingWith("pgengine could not start app@127.0.0.1:")
                            .hasCauseInstanceOf(ConnectionException.class);
                });
    }

    @Test
    void thePasswordReachesNeitherTheFailureNorTheProperties() {
        Fixtures.bare()
                .withPropertyValues(
                        "pgengine.host=127.0.0.1",
                        "pgengine.port=" + Fixtures.closedPort(),
                        "pgengine.username=app",
                        "pgengine.password=s3cret-pw-4711",
                        "pgengine.ssl-mode=disable")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).satisfies(failure -> {
                        java.io.StringWriter trace = new java.io.StringWriter();
                        failure.printStackTrace(new java.io.PrintWriter(trace));
                        assertThat(trace.toString()).contains("pgengine could not start").doesNotContain("s3cret");
                    });
                });
    }

    @Test
    void aStartThatHangsFailsAfterTheStartupTimeout() throws IOException {
        // accepts connections (the kernel's backlog) and never answers: the start-up message waits forever
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
            long start = System.nanoTime();
            Fixtures.bare()
                    .withPropertyValues(
                            "pgengine.url=postgresql://app:pw@127.0.0.1:" + silent.getLocalPort() + "/app",
                            "pgengine.ssl-mode=disable",
                            "pgengine.connect-timeout=60s",
                            "pgengine.startup-timeout=500ms")
                    .run(context -> {
                        assertThat(context).hasFailed();
                        assertThat(context.getStartupFailure())
                                .hasStackTraceContaining("did not start within PT0.5S (pgengine.startup-timeout)");
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void withoutAPoolEveryCallOpensItsOwnConnectionAndNoWarningSaysSo() {
        ch.qos.logback.classic.Logger engineLog = (ch.qos.logback.classic.Logger)
                org.slf4j.LoggerFactory.getLogger("io.github.pgengine.PostgresEngine");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> seen =
                new ch.qos.logback.core.read.ListAppender<>();
        seen.start();
        engineLog.addAppender(seen);
        try {
            Fixtures.runner().withPropertyValues("pgengine.pool.enabled=false").run(context -> {
                assertThat(context).hasNotFailed();
                PostgresEngine engine = context.getBean(PostgresEngine.class);
                assertThat(engine.poolStats()).isEqualTo(PoolStats.NO_POOL);
                assertThat(await(engine.query("SELECT 1 AS one")))
                        .extracting(r -> r.getInt("one"))
                        .isEqualTo(List.of(1));
            });
        } finally {
            engineLog.detachAppender(seen);
        }
        assertThat(seen.list)
                .as("pgengine.pool.enabled=false is meant: no warning about running without a pool")
                .noneMatch(e -> e.getFormattedMessage().contains("without a connection pool"));
    }
}
