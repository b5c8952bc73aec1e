package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.TestPostgres;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * COPY that moves data through the client (FROM STDIN, TO STDOUT) is refused before anything is sent, in every
 * spelling, with a message that points to executeBatch and stream; the connection stays usable; COPY that the
 * server runs on its own files, and text that only mentions COPY, goes through.
 */
class CopyRefusalTest {
    private static TestPostgres pg;
    private static PostgresEngine live;
    /** An engine whose server does not exist: a refusal before sending is the only way not to fail connecting. */
    private static PostgresEngine nowhere;

    @BeforeContainer
    static void engines() {
        pg = TestPostgres.get();
        live = new PostgresEngine(pg.config());
        Await.result(live.startConnectionPool(PoolOptions.builder().maxSize(1).build()));
        Await.result(live.runDdl("CREATE TABLE IF NOT EXISTS copy_refusal (a int, b text)"));
        Map<String, Object> config = new HashMap<>(pg.config());
        config.put("port", 1);
        nowhere = new PostgresEngine(config);
    }

    @AfterContainer
    static void close() {
        Await.result(live.runDdl("DROP TABLE IF EXISTS copy_refusal"));
        Await.result(live.close());
        Await.result(nowhere.close());
    }

    @Property(tries = 150)
    void everySpellingOfCopyThroughTheClientIsRefusedBeforeSending(@ForAll("copies") String sql) {
        Throwable error = Await.failure(nowhere.query(sql));
        assertThat(error).isInstanceOf(IllegalArgumentException.class);
        if (sql.toLowerCase(Locale.ROOT).contains("stdin")) {
            assertThat(error)
                    .hasMessageContaining("COPY ... FROM STDIN is not supported")
                    .hasMessageContaining("executeBatch");
        } else {
            assertThat(error)
                    .hasMessageContaining("COPY ... TO STDOUT is not supported")
                    .hasMessageContaining("stream()");
        }
    }

    @Property(tries = 30)
    void theConnectionStaysUsableAfterARefusal(@ForAll("copies") String sql) {
        Object pid = Await.result(live.query("SELECT pg_backend_pid() AS pid"))
                .get(0)
                .get("pid");
        Await.failure(live.query(sql));
        assertThat(Await.result(live.query("SELECT pg_backend_pid() AS pid"))
                        .get(0)
                        .get("pid"))
                .isEqualTo(pid);
        assertThat(live.poolStats().inUse()).isZero();
    }

    @Property(tries = 1)
    void aRefusalInsideATransactionFailsItsStatementClearly() {
        Throwable error = Await.failure(live.transaction(tx -> tx.execute("COPY copy_refusal FROM STDIN")));
        assertThat(error).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("executeBatch");
        assertThat(Await.result(live.query("SELECT 1 AS one"))).hasSize(1);
    }

    @Property(tries = 1)
    void textThatOnlyMentionsCopyOrStdinIsSent() {
        assertThat(Await.result(live.query("SELECT 'COPY t FROM STDIN' AS s"))
                        .get(0)
                        .get("s"))
                .isEqualTo("COPY t FROM STDIN");
        assertThat(Await.result(live.query("SELECT stdin FROM (SELECT 1 AS stdin) AS x"))
                        .get(0)
                        .get("stdin"))
                .isEqualTo(1);
        assertThat(Await.result(live.query("SELECT 1 AS \"copy\" -- COPY t TO STDOUT"))
                        .get(0)
                        .get("copy"))
                .isEqualTo(1);
        // a COPY the server runs on its own file is sent: the server's own error comes back
        Throwable error = Await.failure(live.execute("COPY copy_refusal FROM '/nonexistent/pgengine-copy'"));
        assertThat(error).isInstanceOf(EngineException.class);
        assertThat(((EngineException) error).sqlState()).isEqualTo("58P01");
    }

    @Provide
    Arbitrary<String> copies() {
        Arbitrary<String> gap = Arbitraries.of(" ", "  ", "\n", "\t", " /* c */ ", " -- c\n", "\r\n");
        Arbitrary<String> table = Arbitraries.of(
                "copy_refusal", "public.copy_refusal", "\"copy_refusal\"", "copy_refusal (a, b)", "copy_refusal(a)");
        Arbitrary<String> direction = Arbitraries.of("from stdin", "to stdout");
        Arbitrary<String> options =
                Arbitraries.of("", " with (format csv)", " (format binary)", " csv header", " with delimiter ';'");
        Arbitrary<String> query = Arbitraries.of("(select 1)", "(select a, ';' from copy_refusal)");
        Arbitrary<String> plain = Combinators.combine(gap, table, gap, direction, options)
                .as((g1, t, g2, d, o) -> "copy" + g1 + t + g2 + d.replace(" ", g2) + o);
        Arbitrary<String> fromQuery = Combinators.combine(gap, query, gap, options)
                .as((g1, q, g2, o) -> "copy" + g1 + q + g2 + "to" + g2 + "stdout" + o);
        return Combinators.combine(Arbitraries.oneOf(plain, fromQuery), Arbitraries.of(List.of("", ";", " ;  ")))
                .as((sql, end) -> randomCase(sql) + end);
    }

    private static String randomCase(String sql) {
        StringBuilder out = new StringBuilder(sql.length());
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            out.append((i * 7 + sql.length()) % 3 == 0 ? Character.toUpperCase(c) : c);
        }
        return out.toString();
    }
}
