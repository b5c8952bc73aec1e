package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.LogCapture;
import io.github.pgengine.testing.TestPostgres;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * A catalogue of bad inputs: each gets a clear error naming the problem, none hangs, and none reaches the server
 * as SQL (the engines log every statement they send; the log must stay empty).
 */
class BadInputTest {
    private static TestPostgres pg;
    private static PostgresEngine engine;
    private static PostgresEngine closed;

    @BeforeAll
    static void engines() {
        pg = TestPostgres.get();
        engine = PostgresEngine.builder().config(pg.config()).logQueries(true).build();
        closed = PostgresEngine.builder().config(pg.config()).logQueries(true).build();
        Await.result(closed.close());
    }

    @AfterAll
    static void close() {
        Await.result(engine.close());
    }

    private record Case(String name, Class<? extends Throwable> type, String message, Callable<?> action) {}

    private static Map<String, Object> config(Object... kv) {
        Map<String, Object> m = new HashMap<>(pg.config());
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static Case cfg(String name, String message, Object... kv) {
        return new Case(name, IllegalArgumentException.class, message, () -> new PostgresEngine(config(kv)));
    }

    private static Case url(String name, String url, String message) {
        return new Case(
                name,
                IllegalArgumentException.class,
                message,
                () -> PostgresEngine.builder().url(url).build());
    }

    private static Case sql(String name, String message, Callable<CompletableFuture<?>> action) {
        return new Case(name, IllegalArgumentException.class, message, action);
    }

    static List<Case> catalogue() {
        List<Case> c = new ArrayList<>();
        // configuration maps
        c.add(cfg("unknown key", "unknown configuration key 'hots'; known keys are host, port", "hots", "x"));
        c.add(cfg("port as text", "port must be a whole number between 1 and 65535 (was \"abc\")", "port", "abc"));
        c.add(cfg("port zero", "port must be between 1 and 65535 (was 0)", "port", 0));
        c.add(cfg("port too high", "port must be between 1 and 65535 (was 70000)", "port", 70000));
        c.add(cfg(
                "port as double", "'port' must be an Integer between 1 and 65535 (was Double 5432.5)", "port", 5432.5));
        c.add(cfg("host as number", "'host' must be a String (was Integer 42)", "host", 42));
        c.add(cfg("empty user", "user must not be empty", "user", ""));
        c.add(cfg("empty database", "database must not be empty", "database", ""));
        c.add(cfg("password as number", "'password' must be a String (was Integer)", "password", 1234));
        c.add(cfg("sslmode allow", "sslmode 'allow' is not supported by the driver", "sslmode", "allow"));
        c.add(cfg(
                "sslmode unknown",
                "sslmode must be one of disable, prefer, require, verify-ca, verify-full (was 'bogus')",
                "sslmode",
                "bogus"));
        c.add(cfg("query timeout text", "query_timeout must be a duration such as \"30s\"", "query_timeout", "soon"));
        c.add(cfg("query timeout negative", "query_timeout must be zero or positive (was -1)", "query_timeout", -1));
        c.add(cfg("connect timeout negative", "connect_timeout must be positive (was -1)", "connect_timeout", -1));
        c.add(cfg(
                "statement timeout negative",
                "statement_timeout must be zero or positive (was PT-1S)",
                "statement_timeout",
                Duration.ofSeconds(-1)));
        c.add(cfg("more ports than hosts", "port lists 3 ports for 2 hosts", "host", "a,b", "port", "1,2,3"));
        c.add(cfg("empty host in a list", "host lists an empty host name", "host", "a,,b"));
        c.add(cfg(
                "unknown target_session_attrs",
                "target_session_attrs must be one of any, read-write, read-only, primary, standby, prefer-standby",
                "target_session_attrs",
                "writable"));
        c.add(cfg(
                "unknown load_balance_hosts",
                "load_balance_hosts must be disable or random (was 'roundrobin')",
                "load_balance_hosts",
                "roundrobin"));
        c.add(cfg(
                "unix socket host",
                "host is a Unix socket directory (/var/run/postgresql)",
                "host",
                "/var/run/postgresql"));
        c.add(cfg(
                "NUL in application name",
                "application_name must not contain NUL characters",
                "application_name",
                "a\0b"));
        c.add(cfg("NUL in user", "user must not contain NUL characters", "user", "a\0b"));
        c.add(cfg("root certificate as number", "'sslrootcert' must be a String, Path or File", "sslrootcert", 7));
        c.add(cfg("dsn as number", "'dsn' must be a String (was Integer)", "dsn", 5));
        c.add(cfg("timeout as boolean", "'query_timeout' must be a Duration", "query_timeout", true));
        c.add(new Case("null value", IllegalArgumentException.class, "'user' has a null value", () -> {
            Map<String, Object> m = config();
            m.put("user", null);
            return new PostgresEngine(m);
        }));
        // URLs
        c.add(url("wrong scheme", "mysql://u@h/db", "connection URL must start with postgresql://"));
        c.add(url("empty host in URL list", "postgresql://a,,b/db", "connection URL lists an empty host"));
        c.add(url("keyword without value", "host=a port", "connection string has \"port\" without \"=value\""));
        c.add(url("unterminated quoted keyword value", "host='a", "unterminated quoted value for host"));
        c.add(url(
                "unknown URL parameter", "postgresql://h/db?foo=1", "connection URL parameter 'foo' is not supported"));
        c.add(url(
                "pgjdbc's ssl=true",
                "postgresql://h/db?ssl=true",
                "connection URL parameter ssl=true is pgjdbc's; use sslmode=verify-full"));
        c.add(url(
                "pgjdbc's ssl=false",
                "jdbc:postgresql://h/db?ssl=false",
                "connection URL parameter ssl=false is pgjdbc's; use sslmode=disable"));
        c.add(url("pgjdbc's ssl keyword", "host=h ssl=true", "ssl=true is pgjdbc's; use sslmode=verify-full"));
        c.add(cfg("pgjdbc's ssl key", "unknown configuration key 'ssl': ssl=true is pgjdbc's", "ssl", true));
        c.add(url("bad escape", "postgresql://u%zz@h/db", "connection URL has a malformed %-escape in the user"));
        c.add(url("open IPv6", "postgresql://[::1/db", "connection URL has an unterminated IPv6 address"));
        c.add(url("URL port text", "postgresql://h:abc/db", "port must be a whole number between 1 and 65535"));
        c.add(url("password hidden in URL errors", "mysql://u:Hunter2@h/db", "(was mysql://u:****@h/db)"));
        // identifiers
        c.add(new Case(
                "extension injection",
                IllegalArgumentException.class,
                "extension name may contain only ASCII",
                () -> new PostgresEngine(pg.config(), List.of("x\"; DROP TABLE t; --"), false, false, Map.of())));
        c.add(new Case(
                "extension empty",
                IllegalArgumentException.class,
                "extension name may contain only ASCII",
                () -> new PostgresEngine(pg.config(), List.of(""), false, false, Map.of())));
        c.add(new Case(
                "extension too long",
                IllegalArgumentException.class,
                "1 to 63 characters",
                () -> new PostgresEngine(pg.config(), List.of("a".repeat(64)), false, false, Map.of())));
        c.add(new Case(
                "extension with comment dashes",
                IllegalArgumentException.class,
                "no '--'",
                () -> new PostgresEngine(pg.config(), List.of("a--b"), false, false, Map.of())));
        c.add(new Case(
                "extension with NUL",
                IllegalArgumentException.class,
                "extension name may contain only ASCII",
                () -> new PostgresEngine(pg.config(), List.of("a\0"), false, false, Map.of())));
        c.add(sql(
                "savepoint injection",
                "savepoint name may contain only ASCII letters",
                () -> engine.transaction(tx -> tx.savepoint("x; DROP TABLE t"))));
        c.add(sql(
                "savepoint empty",
                "savepoint name may contain only ASCII letters",
                () -> engine.transaction(tx -> tx.savepoint(""))));
        c.add(sql(
                "savepoint too long",
                "(1 to 63 characters)",
                () -> engine.transaction(tx -> tx.savepoint("s".repeat(64)))));
        c.add(sql(
                "savepoint non-ASCII",
                "savepoint name may contain only ASCII letters",
                () -> engine.transaction(tx -> tx.savepoint("sävepoint"))));
        c.add(sql(
                "rollback to hostile savepoint",
                "savepoint name may contain only ASCII letters",
                () -> engine.transaction(tx -> tx.rollbackTo("a\"b"))));
        c.add(new Case(
                "cluster setting injection",
                IllegalArgumentException.class,
                "cluster setting name must be dotted",
                () -> CockroachEngine.builder().clusterSettings(Map.of("x; DROP TABLE t", true))));
        c.add(new Case(
                "cluster setting value type",
                IllegalArgumentException.class,
                "must be a Boolean, Integer, Long or String",
                () -> CockroachEngine.builder().clusterSettings(Map.of("sql.defaults.x", 1.5))));
        // SQL and parameters
        c.add(sql(
                "too few parameters",
                "the SQL expects 2 parameters but 1 was given",
                () -> engine.query("select $1, $2", 1)));
        c.add(sql(
                "too many parameters",
                "the SQL expects 1 parameter but 2 were given",
                () -> engine.query("select ?", 1, 2)));
        c.add(sql(
                "mixed placeholder styles",
                "the SQL mixes placeholder styles: $1 and ?",
                () -> engine.query("select $1::int where 1 = ?", 1, 2)));
        c.add(sql(
                "mixed placeholder styles in a batch",
                "the SQL mixes placeholder styles: $1 and ?",
                () -> engine.executeBatch("insert into x values ($1, ?)", List.of(List.of(1, 2)))));
        c.add(sql(
                "parameters for no placeholder",
                "the SQL expects 0 parameters but 1 was given",
                () -> engine.execute("select 1", 1)));
        c.add(sql(
                "gap in placeholders",
                "parameter $2 is not used in the SQL",
                () -> engine.query("select $1, $3", 1, 2, 3)));
        c.add(sql("placeholder zero", "placeholder $0 is out of range", () -> engine.query("select $0")));
        c.add(sql("placeholder too high", "placeholder $70000 is out of range", () -> engine.query("select $70000")));
        c.add(sql("empty SQL", "SQL text is empty", () -> engine.query("")));
        c.add(sql("only a comment", "SQL text is empty", () -> engine.query("-- nothing")));
        c.add(sql("only semicolons", "SQL text is empty", () -> engine.runDdl(" ; ; ")));
        c.add(sql("two statements", "SQL text holds 2 statements", () -> engine.query("select 1; drop table x")));
        c.add(sql(
                "statement after a comment",
                "SQL text holds 2 statements",
                () -> engine.execute("select 1; -- then\n delete from x")));
        c.add(sql(
                "statements in a transaction",
                "SQL text holds 3 statements",
                () -> engine.transaction(tx -> tx.execute("select 1; select 2; select 3"))));
        c.add(sql(
                "statements in atomic",
                "SQL text holds 2 statements",
                () -> engine.atomic()
                        .add("insert into x values (1); drop table x")
                        .run()));
        c.add(sql("NUL in SQL", "SQL text contains a NUL character at offset 8", () -> engine.query("select '\0'")));
        c.add(sql(
                "NUL in a parameter",
                "parameter $1 cannot be sent: the text contains a NUL character",
                () -> engine.query("select $1::text", "a\0b")));
        c.add(sql(
                "batch size zero",
                "batchSize must be at least 1 (was 0)",
                () -> engine.batch("select 1", List.of(), 0)));
        c.add(sql(
                "batch size negative",
                "batchSize must be at least 1 (was -5)",
                () -> engine.batch("select 1", List.of(), -5)));
        c.add(sql(
                "batch with two statements",
                "SQL text holds 2 statements",
                () -> engine.batch("select 1; select 2", List.of(), 10)));
        c.add(sql(
                "batch on unknown node",
                "no extra node named 'replica'",
                () -> engine.batch("select 1", List.of(), 10, "replica")));
        c.add(new Case(
                "stream fetch size zero",
                IllegalArgumentException.class,
                "fetchSize must be at least 1 (was 0)",
                () -> engine.stream("select 1", List.of(), 0)));
        c.add(new Case(
                "unknown node",
                IllegalArgumentException.class,
                "no extra node named 'nope'; known nodes: (none)",
                () -> engine.node("nope")));
        c.add(new Case("null SQL", NullPointerException.class, "sql", () -> engine.query(null)));
        // use after close
        c.add(new Case("query after close", EngineClosedException.class, "is closed", () -> closed.query("select 1")));
        c.add(new Case(
                "transaction after close",
                EngineClosedException.class,
                "is closed",
                () -> closed.transaction(tx -> tx.query("select 1"))));
        c.add(new Case(
                "pool after close", EngineClosedException.class, "is closed", () -> closed.startConnectionPool()));
        c.add(new Case(
                "batch after close",
                EngineClosedException.class,
                "is closed",
                () -> closed.batch("select 1", List.of(), 1)));
        // transactions misused
        c.add(new Case(
                "nested when not allowed",
                TransactionException.class,
                "allowNested is false",
                () -> engine.transaction(
                        TransactionOptions.builder().allowNested(false).build(),
                        tx -> tx.transaction(inner -> inner.query("select 1")))));
        c.add(new Case(
                "callback returns null",
                NullPointerException.class,
                "returned null instead of a CompletionStage",
                () -> engine.transaction(tx -> null)));
        // options
        c.add(new Case(
                "pool size zero",
                IllegalArgumentException.class,
                "maxSize must be between 1 and 10000 (was 0)",
                () -> PoolOptions.builder().maxSize(0)));
        c.add(new Case(
                "negative minIdle",
                IllegalArgumentException.class,
                "minIdle must be 0 or more (was -1)",
                () -> PoolOptions.builder().minIdle(-1)));
        c.add(new Case(
                "negative acquire timeout",
                IllegalArgumentException.class,
                "acquireTimeout must be positive",
                () -> PoolOptions.builder().acquireTimeout(Duration.ofSeconds(-1))));
        c.add(new Case(
                "no attempts",
                IllegalArgumentException.class,
                "maxAttempts must be between 1 and 1000 (was 0)",
                () -> RetryPolicy.builder().maxAttempts(0)));
        c.add(new Case(
                "jitter above one",
                IllegalArgumentException.class,
                "jitter must be between 0 and 1 (was 2.0)",
                () -> RetryPolicy.builder().jitter(2)));
        c.add(new Case(
                "backoff cap below start",
                IllegalArgumentException.class,
                "must not be below initialBackoff",
                () -> RetryPolicy.builder()
                        .initialBackoff(Duration.ofSeconds(2))
                        .maxBackoff(Duration.ofSeconds(1))
                        .build()));
        c.add(new Case(
                "multiplier below one",
                IllegalArgumentException.class,
                "multiplier must be at least 1 (was 0.5)",
                () -> RetryPolicy.builder().multiplier(0.5)));
        // rows
        c.add(new Case(
                "unknown column",
                IllegalArgumentException.class,
                "no column named 'nope'; the row has [a]",
                () -> Row.of(List.of("a"), List.of(1)).getString("nope")));
        c.add(new Case(
                "number that does not fit",
                IllegalArgumentException.class,
                "column 'a' holds Long 3000000000 which does not fit Integer",
                () -> Row.of(List.of("a"), List.of(3_000_000_000L)).getInt("a")));
        c.add(new Case(
                "text read as number",
                IllegalArgumentException.class,
                "column 'a' holds String which cannot be read as Long",
                () -> Row.of(List.of("a"), List.of("x")).getLong("a")));
        return c;
    }

    @TestFactory
    Stream<DynamicTest> everyBadInputGetsAClearErrorAndSendsNothing() {
        return catalogue().stream()
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> {
                    try (LogCapture log = LogCapture.of("io.github.pgengine.query", Level.INFO)) {
                        Throwable error;
                        try {
                            Object result = c.action().call();
                            if (!(result instanceof CompletableFuture<?> f)) {
                                throw new AssertionError(c.name() + ": no error for " + result);
                            }
                            error = Await.failure(f);
                        } catch (Exception | AssertionError thrown) {
                            if (thrown instanceof AssertionError ae
                                    && ae.getMessage() != null
                                    && ae.getMessage().contains(": no error")) {
                                throw ae;
                            }
                            error = thrown;
                        }
                        assertThat(error).as(c.name()).isInstanceOf(c.type()).hasMessageContaining(c.message());
                        assertThat(log.messages())
                                .as(c.name() + ": SQL sent")
                                .noneMatch(
                                        m -> !m.contains("BEGIN") && !m.contains("ROLLBACK") && !m.contains("COMMIT"));
                    }
                }));
    }

    @Test
    void theCatalogueHasAtLeastSixtyEntries() {
        assertThat(catalogue()).hasSizeGreaterThanOrEqualTo(60);
    }

    @Test
    void hugeSqlIsSentAndAnswered() {
        String padding = "x".repeat(5_000_000);
        Row row = Await.result(engine.query("select length($1::text) as n /* " + padding + " */", padding))
                .get(0);

        assertThat(row.getInt("n")).isEqualTo(5_000_000);
    }
}
