package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.TestPostgres;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code ping()} answers with what a health check needs, and fails clearly, never with a made-up version. */
class HealthTest {
    private final TestPostgres pg = TestPostgres.get();
    private final List<PostgresEngine> engines = new java.util.ArrayList<>();

    private PostgresEngine engine(Map<String, Object> config) {
        PostgresEngine e = new PostgresEngine(config);
        engines.add(e);
        return e;
    }

    @AfterEach
    void close() {
        engines.forEach(e -> Await.result(e.close()));
    }

    @Test
    void aPingTellsTheVersionTheRoundTripAndThePool() {
        PostgresEngine e = engine(pg.config());
        Await.result(e.startConnectionPool(
                PoolOptions.builder().maxSize(2).minIdle(1).build()));

        Health h = Await.result(e.ping());

        String serverVersion =
                String.valueOf(pg.admin("SHOW server_version").get(0).get(0));
        assertThat(h.serverVersion()).isEqualTo(serverVersion);
        assertThat(h.version()).isEqualTo(Await.result(e.getVersion()));
        assertThat(h.version()).isGreaterThanOrEqualTo(14.0);
        assertThat(h.roundTrip()).isPositive().isLessThan(Duration.ofSeconds(30));
        assertThat(h.engine()).isEqualTo(e.name());
        assertThat(h.pool().maxSize()).isEqualTo(2);
        assertThat(h.pool().inUse()).isZero();
        assertThat(e.poolStats().inUse()).isZero();
    }

    @Test
    void aPingWithoutAPoolOpensAndClosesItsOwnConnection() {
        PostgresEngine e = engine(pg.config());
        Health h = Await.result(e.ping());
        assertThat(h.pool()).isEqualTo(PoolStats.NO_POOL);
        assertThat(h.version()).isGreaterThanOrEqualTo(14.0);
    }

    @Test
    void aServerThatIsDownFailsThePingAndGetVersionNamingIt() {
        Map<String, Object> config = new HashMap<>(pg.config());
        config.put("port", 1);
        PostgresEngine e = engine(config);

        Throwable ping = Await.failure(e.ping());
        Throwable version = Await.failure(e.getVersion());

        assertThat(ping).isInstanceOf(ConnectionException.class).hasMessageContaining(pg.host() + ":1");
        assertThat(version).isInstanceOf(ConnectionException.class).hasMessageContaining(pg.host() + ":1");
    }

    @Test
    void aPoolWithNoFreeConnectionFailsThePingInTime() {
        PostgresEngine e = engine(pg.config());
        Await.result(e.startConnectionPool(PoolOptions.builder()
                .maxSize(1)
                .minIdle(1)
                .acquireTimeout(Duration.ofMillis(200))
                .build()));
        CompletableFuture<Void> release = new CompletableFuture<>();
        CompletableFuture<Void> held = e.transaction(tx -> release);

        Await.until(
                "the transaction holds the only connection", () -> e.poolStats().inUse() == 1);
        Throwable error = Await.failure(e.ping());
        release.complete(null);
        Await.result(held);

        assertThat(error).isInstanceOf(PoolTimeoutException.class);
        assertThat(Await.result(e.ping()).pool().inUse()).isZero();
    }

    @Test
    void aClosedEngineRefusesToPing() {
        PostgresEngine e = engine(pg.config());
        Await.result(e.close());
        assertThat(Await.failure(e.ping())).isInstanceOf(EngineClosedException.class);
    }
}
