package io.github.pgengine.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.PostgresEngine;
import io.github.pgengine.Row;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/** The artifact as a user's project meets it: a server, an engine with a pool, shared by the class. */
@ExtendWith(PostgresExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostgresExtensionTest {
    private static final AtomicReference<PostgresEngine> FIRST = new AtomicReference<>();

    @Test
    @Order(1)
    void anEngineWithAPoolOnARealServer(PostgresEngine engine, TestPostgres server) {
        List<Row> rows = engine.query("SELECT current_database() AS db, current_setting('server_version_num')::int AS v")
                .join();
        assertThat(rows.get(0).getString("db")).isEqualTo(server.database());
        assertThat(rows.get(0).getInt("v")).isGreaterThanOrEqualTo(140000);
        assertThat(engine.poolStats()).isNotNull();
        FIRST.set(engine);
        System.out.println("[pgengine-testing] " + server.source() + " at " + server.host() + ":" + server.port()
                + ", server_version_num " + rows.get(0).getInt("v"));
    }

    @Test
    @Order(2)
    void theClassSharesOneEngine(PostgresEngine engine) {
        assertThat(engine).isSameAs(FIRST.get());
        assertThat(engine.query("SELECT 1 AS one").join().get(0).getInt("one")).isEqualTo(1);
    }

    @Test
    void theServerIsOnePerJvm(TestPostgres server) {
        assertThat(server).isSameAs(TestPostgres.get());
        assertThat(server.url()).startsWith("postgresql://");
    }
}
