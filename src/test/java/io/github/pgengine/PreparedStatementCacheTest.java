package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.TestPostgres;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A statement with parameters is prepared once per connection and, after its first execution, runs without Describe:
 * the rows' description comes from that first execution. Whatever changes under a prepared statement (a renamed,
 * added, dropped or retyped column, DISCARD ALL, DEALLOCATE), the rows that come back carry the server's current
 * names, types and values, never the remembered ones. One connection, so every execution reuses the statement.
 */
class PreparedStatementCacheTest {
    private static final AtomicInteger TABLES = new AtomicInteger();
    private PostgresEngine engine;
    private String table;

    @BeforeEach
    void start() {
        engine = new PostgresEngine(TestPostgres.get().config());
        Await.result(engine.startConnectionPool(PoolOptions.builder().maxSize(1).build()));
        table = "prepared_" + TABLES.incrementAndGet() + "_"
                + ProcessHandle.current().pid();
        Await.result(engine.runDdl("CREATE TABLE " + table + " (id int PRIMARY KEY, a int, b text)"));
        Await.result(engine.execute("INSERT INTO " + table + " VALUES (1, 10, 'x'), (2, 20, 'y')"));
    }

    @AfterEach
    void stop() {
        Await.result(engine.close());
    }

    private Row one(String sql, Object... params) {
        List<Row> rows = Await.result(engine.query(sql, params));
        assertThat(rows).hasSize(1);
        return rows.get(0);
    }

    @Test
    void repeatedExecutionsKeepNamesTypesAndValues() {
        String sql = "SELECT id, a, b, a::numeric / 4 AS q, NULL::text AS n FROM " + table + " WHERE id = $1";
        for (int i = 0; i < 5; i++) {
            int id = 1 + i % 2;
            Row r = one(sql, id);
            assertThat(r.columnNames()).containsExactly("id", "a", "b", "q", "n");
            assertThat(r.get("id")).isEqualTo(id);
            assertThat(r.get("a")).isEqualTo(10 * id);
            assertThat(r.get("b")).isEqualTo(id == 1 ? "x" : "y");
            assertThat((java.math.BigDecimal) r.get("q")).isEqualByComparingTo(java.math.BigDecimal.valueOf(2.5 * id));
            assertThat(r.get("n")).isNull();
        }
        // no rows, then rows again
        assertThat(Await.result(engine.query(sql, 99))).isEmpty();
        assertThat(one(sql, 2).get("b")).isEqualTo("y");
    }

    @Test
    void aStatementWithoutRowsAndOneWithReturningStayApart() {
        String update = "UPDATE " + table + " SET a = a + $1 WHERE id = 1";
        String returning = "UPDATE " + table + " SET a = a + $1 WHERE id = 1 RETURNING a";
        for (int i = 0; i < 3; i++) {
            assertThat(Await.result(engine.execute(update, 1))).isEqualTo(1L);
            assertThat(one(returning, 1).get("a")).isEqualTo(10 + 2 * (i + 1));
        }
        // zero columns: rows without values
        String none = "SELECT FROM " + table + " WHERE id <= $1";
        for (int i = 0; i < 3; i++) {
            List<Row> rows = Await.result(engine.query(none, 2));
            assertThat(rows).hasSize(2);
            assertThat(rows.get(0).columnNames()).isEmpty();
        }
    }

    @Test
    void aRenamedColumnComesBackUnderItsNewName() {
        String sql = "SELECT * FROM " + table + " WHERE id = $1";
        assertThat(one(sql, 1).columnNames()).containsExactly("id", "a", "b");
        assertThat(one(sql, 1).columnNames()).containsExactly("id", "a", "b");

        Await.result(engine.runDdl("ALTER TABLE " + table + " RENAME COLUMN a TO renamed"));

        Row r = one(sql, 1);
        assertThat(r.columnNames()).containsExactly("id", "renamed", "b");
        assertThat(r.get("renamed")).isEqualTo(10);
        assertThat(one(sql, 1).columnNames()).containsExactly("id", "renamed", "b");
    }

    @Test
    void addedDroppedAndRetypedColumnsComeBackAsTheServerHasThem() {
        String sql = "SELECT * FROM " + table + " WHERE id = $1";
        one(sql, 1);
        one(sql, 1);

        Await.result(engine.runDdl("ALTER TABLE " + table + " ADD COLUMN c bigint DEFAULT 7"));
        assertThat(one(sql, 1)).containsEntry("c", 7L).containsOnlyKeys("id", "a", "b", "c");

        Await.result(engine.runDdl("ALTER TABLE " + table + " ALTER COLUMN a TYPE text USING a::text || '!'"));
        assertThat(one(sql, 1).get("a")).isEqualTo("10!");
        assertThat(one(sql, 1).get("a")).isEqualTo("10!");

        Await.result(engine.runDdl("ALTER TABLE " + table + " DROP COLUMN b"));
        assertThat(one(sql, 2)).containsOnlyKeys("id", "a", "c").containsEntry("a", "20!");
    }

    @Test
    void discardAllAndDeallocateForgetTheStatements() {
        String sql = "SELECT a FROM " + table + " WHERE id = $1";
        assertThat(one(sql, 1).get("a")).isEqualTo(10);
        assertThat(one(sql, 1).get("a")).isEqualTo(10);

        Await.result(engine.runDdl("DISCARD ALL"));
        assertThat(one(sql, 2).get("a")).isEqualTo(20);
        assertThat(one(sql, 2).get("a")).isEqualTo(20);

        Await.result(engine.runDdl("DEALLOCATE ALL"));
        assertThat(one(sql, 1).get("a")).isEqualTo(10);
    }

    @Test
    void insideATransactionAChangedResultTypeFailsAsThePlanCannotChangeThenRunsAfterwards() {
        String sql = "SELECT * FROM " + table + " WHERE id = $1";
        one(sql, 1);
        one(sql, 1);

        Throwable error =
                Await.failure(engine.transaction(tx -> tx.runDdl("ALTER TABLE " + table + " ADD COLUMN d int DEFAULT 3")
                        .thenCompose(r -> tx.query(sql, 1))));

        // the server refuses a prepared statement whose result changed inside a transaction (pgjdbc sees the same)
        assertThat(error).isInstanceOf(EngineException.class);
        assertThat(((EngineException) error).sqlState()).isEqualTo("0A000");
        assertThat(error.getMessage()).contains("cached plan must not change result type");
        // rolled back: no column d; and the statement runs again with the table as it is
        Row r = one(sql, 1);
        assertThat(r).containsOnlyKeys("id", "a", "b");
        Await.result(engine.runDdl("ALTER TABLE " + table + " ADD COLUMN d int DEFAULT 3"));
        assertThat(one(sql, 1)).containsEntry("d", 3);
        assertThat(Map.copyOf(one(sql, 2))).containsEntry("d", 3).containsEntry("a", 20);
    }
}
