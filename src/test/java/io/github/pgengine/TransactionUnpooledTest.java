package io.github.pgengine;

import io.github.pgengine.testing.TestPostgres;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The transaction suite without a pool: every call opens and closes its own connection. */
class TransactionUnpooledTest extends TransactionBehaviour {
    private final String applicationName = "pgengine-tx-unpooled-" + System.nanoTime();

    @Override
    protected PostgresEngine createEngine(boolean logQueries) {
        Map<String, Object> config = new HashMap<>(TestPostgres.get().config());
        config.put("application_name", applicationName);
        PostgresEngine e = new PostgresEngine(config, List.of(), logQueries, false, Map.of());
        return e;
    }

    @Override
    protected boolean pooled() {
        return false;
    }

    @Override
    protected long openSessions() {
        return (Long) TestPostgres.get()
                .admin("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + applicationName + "'")
                .get(0)
                .get(0);
    }
}
