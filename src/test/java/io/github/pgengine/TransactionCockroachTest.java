package io.github.pgengine;

import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.TestCockroach;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;

/** The transaction suite on CockroachEngine (savepoint retry protocol) against the CockroachDB backend. */
class TransactionCockroachTest extends TransactionBehaviour {
    private final String applicationName = "pgengine-tx-crdb-" + System.nanoTime();

    @BeforeAll
    static void backend() {
        System.out.println("[pgengine-test] TransactionCockroachTest runs on "
                + TestCockroach.get().backend());
    }

    @Override
    protected PostgresEngine createEngine(boolean logQueries) {
        Map<String, Object> config = new HashMap<>(TestCockroach.get().adminConfig());
        config.put("application_name", applicationName);
        CockroachEngine e = new CockroachEngine(config, List.of(), logQueries, false, Map.of());
        Await.result(e.startConnectionPool(PoolOptions.builder().maxSize(4).build()));
        return e;
    }

    @Override
    protected boolean pooled() {
        return true;
    }

    @Override
    protected long openSessions() {
        return Await.result(engine.query(
                                "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1",
                                applicationName))
                        .get(0)
                        .getLong("n")
                - 1;
    }
}
