package io.github.pgengine.internal.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.PostgresEngine;
import io.github.pgengine.Row;
import io.github.pgengine.internal.connect.ConfigParser;
import io.github.pgengine.internal.connect.ConnectionFactory;
import io.github.pgengine.internal.wire.DbConnection;
import io.github.pgengine.internal.wire.Result;
import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.TestPostgres;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The scanner against PostgreSQL's own lexer, over generated SQL built from the lexical corners of scan.l:
 * every kind of string literal and escape, quoted and dollar-bearing identifiers, dollar quotes, nested comments,
 * line comments ended by {@code \r} or {@code \n}, numbers followed by dollar quotes, parentheses. The server is the
 * oracle: it says how many statements a text holds (simple protocol, counting what it completed), how many
 * parameters a text has (Describe), and what the string literals of a {@code ?}-style text contain after the
 * scanner rewrote its placeholders.
 */
class SqlScannerOracleTest {
    private static DbConnection connection;
    private static PostgresEngine engine;

    /** One generated statement: its text, the literal values it selects, and whether it has placeholders. */
    record Fragment(String sql, List<String> literalValues, int placeholders) {}

    @BeforeContainer
    static void start() {
        TestPostgres pg = TestPostgres.get();
        connection = Await.result(
                new ConnectionFactory(ConfigParser.fromEnvironment(5432).parse(pg.config(), null), c -> {}).open());
        engine = new PostgresEngine(pg.config());
        Await.result(engine.startConnectionPool());
    }

    @AfterContainer
    static void stop() {
        Await.result(connection.close());
        Await.result(engine.close());
    }

    @Property(tries = 400)
    void countsStatementsAsTheServerDoes(
            @ForAll("scripts") List<Fragment> statements, @ForAll("separators") List<String> separators) {
        StringBuilder sql = new StringBuilder();
        for (int i = 0; i < statements.size(); i++) {
            if (i > 0) {
                sql.append(separators.get(i % separators.size()));
            }
            sql.append(statements.get(i).sql().replace("?", "1"));
        }
        String text = sql.toString();
        Result server = Await.result(connection.simple(text));
        // a text of only white space and comments gets one EmptyQueryResponse (an empty tag); otherwise one
        // CommandComplete per statement
        int serverCount = server.tag().isEmpty() && server.statements() == 1 ? 0 : server.statements();
        assertThat(SqlScanner.parse(text).statementCount())
                .as("statements in %s", show(text))
                .isEqualTo(serverCount);
    }

    @Property(tries = 400)
    void findsTheParametersTheServerFinds(@ForAll("statements") Fragment fragment) {
        String text = fragment.sql().replace("?", "$1");
        ParsedSql parsed = SqlScanner.parse(text);
        Result described = Await.result(connection.describe(text));
        int[] types = described.parameterTypes();
        assertThat(parsed.parameterCount())
                .as("parameters in %s", show(text))
                .isEqualTo(types == null ? 0 : types.length);
    }

    @Property(tries = 400)
    void rewritesQuestionMarksWithoutTouchingLiterals(@ForAll("statements") Fragment fragment) {
        ParsedSql parsed = SqlScanner.parse(fragment.sql());
        assertThat(parsed.parameterCount())
                .as("placeholders in %s", show(fragment.sql()))
                .isEqualTo(fragment.placeholders());
        Object[] values = new Object[fragment.placeholders()];
        for (int i = 0; i < values.length; i++) {
            values[i] = "param-" + i;
        }
        List<Row> rows = Await.result(engine.query(fragment.sql(), values));
        List<Object> got = new ArrayList<>();
        for (int i = 0; i < rows.get(0).size(); i++) {
            got.add(rows.get(0).get(i));
        }
        List<Object> expected = new ArrayList<>(fragment.literalValues());
        for (int i = 0; i < fragment.placeholders(); i++) {
            expected.add("param-" + i);
        }
        assertThat(got).as("values of %s", show(fragment.sql())).containsExactlyInAnyOrderElementsOf(expected);
    }

    private static String show(String sql) {
        return sql.replace("\r", "\\r")
                .replace("\n", "\\n")
                .replace("\t", "\\t")
                .replace("\f", "\\f");
    }

    // ------------------------------------------------------------------ generators

    /** White space and comments between tokens; {@code ;} inside comments is text. */
    @Provide
    Arbitrary<String> gaps() {
        return Arbitraries.of(
                " ",
                "  ",
                "\n",
                "\r",
                "\t",
                "\f",
                " -- x; y\n",
                " --;\r",
                " --\r",
                " /* ; */ ",
                " /* a /* ; */ b; */ ",
                "/**/",
                " /*;*/",
                "\r\n");
    }

    @Provide
    Arbitrary<List<String>> separators() {
        return Arbitraries.of(";", "; ", " ;\n", ";;", "; ;", ";--c\n", ";/* x */")
                .list()
                .ofMinSize(1)
                .ofMaxSize(4);
    }

    /** A value and the text it selects: literals of every kind whose content is full of lexer traps. */
    Arbitrary<Fragment> values() {
        Arbitrary<String> content = Arbitraries.of(
                "", "a", ";", "?", "$1", "--", "/*", "*/", "$$", "$a$", "\"", "''", "x;y", "?;?", "€", "\\", "e",
                "a$b");
        Arbitrary<Fragment> standard = content.map(c -> new Fragment("'" + c.replace("'", "''") + "'", List.of(c), 0));
        Arbitrary<Fragment> extended =
                content.map(c -> new Fragment("E'" + c.replace("\\", "\\\\").replace("'", "\\'") + "'", List.of(c), 0));
        Arbitrary<Fragment> national = content.map(c -> new Fragment("N'" + c.replace("'", "''") + "'", List.of(c), 0));
        Arbitrary<Fragment> dollar = Combinators.combine(
                        content.filter(c -> !c.contains("$")), Arbitraries.of("", "a", "tag", "_x1", "é"))
                .as((c, tag) -> new Fragment("$" + tag + "$" + c + "$" + tag + "$", List.of(c), 0));
        Arbitrary<Fragment> unicode = Arbitraries.of("d\\0061t;", "?", "x")
                .map(c -> new Fragment("U&'" + c + "'", List.of(c.replace("\\0061", "a")), 0));
        Arbitrary<Fragment> placeholder = Arbitraries.just(new Fragment("?::text", List.of(), 1));
        return Arbitraries.oneOf(standard, extended, national, dollar, unicode, placeholder, placeholder);
    }

    /** Column aliases: plain, with dollars and non-ASCII characters (never a dollar quote), quoted. */
    Arbitrary<String> aliases() {
        return Arbitraries.of("a", "a$b", "x€$a$", "y$1", "\"q;?\"", "\"a\"\"b\"", "_t", "é$$", "\"$1\"");
    }

    @Provide
    Arbitrary<Fragment> statements() {
        Arbitrary<Fragment> column = Combinators.combine(values(), aliases(), gaps(), gaps())
                .as((v, alias, g1, g2) ->
                        new Fragment(g1 + v.sql() + g2 + "AS " + alias, v.literalValues(), v.placeholders()));
        return column.list()
                .ofMinSize(1)
                .ofMaxSize(4)
                .uniqueElements(f -> f.sql().substring(f.sql().lastIndexOf("AS ")))
                .flatMap(cols -> gaps().map(g -> {
                    StringBuilder sql = new StringBuilder("SELECT");
                    List<String> literals = new ArrayList<>();
                    int placeholders = 0;
                    for (int i = 0; i < cols.size(); i++) {
                        sql.append(i == 0 ? " " : ",").append(cols.get(i).sql());
                        literals.addAll(cols.get(i).literalValues());
                        placeholders += cols.get(i).placeholders();
                    }
                    sql.append(g);
                    return new Fragment(sql.toString(), literals, placeholders);
                }));
    }

    @Provide
    Arbitrary<List<Fragment>> scripts() {
        return statements().list().ofMinSize(1).ofMaxSize(4);
    }
}
