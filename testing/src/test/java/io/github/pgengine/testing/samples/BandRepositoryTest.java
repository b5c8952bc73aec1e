package io.github.pgengine.testing.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.PostgresEngine;
import io.github.pgengine.Row;
import io.github.pgengine.testing.PostgresExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

// The JUnit 5 sample of docs/getting-started.md (checked word for word by the core's DocsSamplesTest).
// region testing-java
@ExtendWith(PostgresExtension.class)
class BandRepositoryTest {
    @Test
    void storesABand(PostgresEngine engine) {                   // a pooled engine on a throwaway PostgreSQL
        engine.runDdl("CREATE TABLE IF NOT EXISTS band (name text PRIMARY KEY, popularity int)").join();
        engine.execute("INSERT INTO band VALUES ($1, $2) ON CONFLICT DO NOTHING", "Pythonistas", 1000).join();

        List<Row> rows = engine.query("SELECT popularity FROM band WHERE name = $1", "Pythonistas").join();
        assertThat(rows.get(0).getInt("popularity")).isEqualTo(1000);
    }
}
// endregion
