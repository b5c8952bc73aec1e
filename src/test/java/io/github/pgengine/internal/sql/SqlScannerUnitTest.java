package io.github.pgengine.internal.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SqlScannerUnitTest {

    @Test
    void numbersQuestionMarkParametersInOrder() {
        ParsedSql p = SqlScanner.parse("select * from t where a = ? and b = ?");

        assertThat(p.parameterCount()).isEqualTo(2);
        assertThat(p.serverSql()).isEqualTo("select * from t where a = $1 and b = $2");
    }

    @Test
    void sendsDollarParametersAsWrittenSoARepeatedOneIsOneParameter() {
        ParsedSql p = SqlScanner.parse("select $2, $1, $2 where c = $1 or $1 is null");

        assertThat(p.parameterCount()).isEqualTo(2);
        assertThat(p.serverSql()).isEqualTo("select $2, $1, $2 where c = $1 or $1 is null");
    }

    @Test
    void leavesPlaceholdersInsideLiteralsAndCommentsAlone() {
        ParsedSql p = SqlScanner.parse("select '?', 'it''s ?', E'\\'?', \"a?b\", $$ ? $1 $$, $tag$ ? $tag$ -- ?\n"
                + "/* ? /* nested ? */ ? */ , ?, U&'?', B'1', X'?', N'?'");

        assertThat(p.parameterCount()).isEqualTo(1);
        assertThat(p.serverSql())
                .isEqualTo("select '?', 'it''s ?', E'\\'?', \"a?b\", $$ ? $1 $$, $tag$ ? $tag$ -- ?\n"
                        + "/* ? /* nested ? */ ? */ , $1, U&'?', B'1', X'?', N'?'");
    }

    @Test
    void treatsBareQuestionMarksAsTextInDollarStyle() {
        ParsedSql p = SqlScanner.parse("select data ? 'a', data ?| array['b'], $1");

        assertThat(p.parameterCount()).isEqualTo(1);
        assertThat(p.serverSql()).isEqualTo("select data ? 'a', data ?| array['b'], $1");
    }

    @Test
    void namesBothPlaceholderStylesWhenValuesDoNotFitMixedSql() {
        ParsedSql mixed = SqlScanner.parse("select * from t where a = $1 and b = ? and c = $2");
        ParsedSql jsonb = SqlScanner.parse("select data ? 'a', $1");

        assertThat(mixed.countMismatch("the SQL expects 2 parameters but 3 were given"))
                .hasMessageStartingWith("the SQL mixes placeholder styles: $1 to $2 and ?")
                .hasMessageEndingWith("(the SQL expects 2 parameters but 3 were given)");
        assertThat(jsonb.countMismatch("the SQL expects 1 parameter but 2 were given"))
                .hasMessageStartingWith("the SQL mixes placeholder styles: $1 and ?");
        assertThat(SqlScanner.parse("select ?, ?").countMismatch("the SQL expects 2 parameters but 1 was given"))
                .hasMessage("the SQL expects 2 parameters but 1 was given");
    }

    @Test
    void unescapesDoubledQuestionMarksInQuestionStyle() {
        ParsedSql p = SqlScanner.parse("select data ?? 'a', ?");

        assertThat(p.parameterCount()).isEqualTo(1);
        assertThat(p.serverSql()).isEqualTo("select data ? 'a', $1");
    }

    @Test
    void doesNotTakeIdentifiersWithDollarsOrCastsForParameters() {
        ParsedSql p = SqlScanner.parse("select foo$1, x::int from t$2");

        assertThat(p.parameterCount()).isZero();
        assertThat(p.serverSql()).isEqualTo("select foo$1, x::int from t$2");
    }

    @Test
    void endsLineCommentsAtCarriageReturnsToo() {
        assertThat(SqlScanner.parse("SELECT 1 AS one; --\rDROP TABLE victim").statementCount())
                .isEqualTo(2);
        assertThat(SqlScanner.parse("SELECT 1 --\r, ?").parameterCount()).isEqualTo(1);
    }

    @Test
    void doesNotOpenDollarQuotesInsideIdentifiers() {
        assertThat(SqlScanner.parse("SELECT 1 AS x€$a$; DROP TABLE victim; SELECT 2 AS y$a$")
                        .statementCount())
                .isEqualTo(3);
        assertThat(SqlScanner.parse("SELECT 1 AS a$b$; SELECT 2 $b$").statementCount())
                .isEqualTo(2);
        // after a number a dollar quote may start: one statement
        assertThat(SqlScanner.parse("SELECT 1$a$;$a$").statementCount()).isEqualTo(1);
    }

    @Test
    void honoursBackslashEscapesOnlyInEStrings() {
        assertThat(SqlScanner.parse("SELECT 'a\\'; SELECT 2").statementCount()).isEqualTo(2);
        assertThat(SqlScanner.parse("SELECT E'a\\'; SELECT 2'").statementCount())
                .isEqualTo(1);
        assertThat(SqlScanner.parse("SELECT xE'a\\'; SELECT 2").statementCount())
                .isEqualTo(2);
    }

    @Test
    void keepsSemicolonsInsideParenthesesAndFunctionBodiesInOneStatement() {
        assertThat(SqlScanner.parse("CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); "
                                + "INSERT INTO b VALUES (2))")
                        .statementCount())
                .isEqualTo(1);
        assertThat(SqlScanner.parse("CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC "
                                + "SELECT CASE WHEN true THEN 1 END; SELECT 2; END")
                        .statementCount())
                .isEqualTo(1);
        assertThat(SqlScanner.parse("CREATE TABLE begin (x int); SELECT 1").statementCount())
                .isEqualTo(2);
    }

    @Test
    void rejectsGapsAndOutOfRangeNumbers() {
        assertThatThrownBy(() -> SqlScanner.parse("select $1, $3"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("parameter $2 is not used in the SQL");
        assertThatThrownBy(() -> SqlScanner.parse("select $70000")).hasMessageContaining("out of range");
        assertThatThrownBy(() -> SqlScanner.parse("select $0")).hasMessageContaining("out of range");
    }

    @Test
    void rejectsMoreQuestionMarksThanTheProtocolCarries() {
        String sql = "select " + "?,".repeat(70_000) + "1";
        assertThatThrownBy(() -> SqlScanner.parse(sql))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("70000 ? placeholders, more than the 65535");
        assertThat(SqlScanner.parse("select " + "?,".repeat(65_535) + "1").parameterCount())
                .isEqualTo(65_535);
    }

    @Test
    void rejectsNulCharactersAndLoneSurrogates() {
        assertThatThrownBy(() -> SqlScanner.parse("select 'a\0b'"))
                .hasMessage("SQL text contains a NUL character at offset 9; PostgreSQL cannot accept it");
        assertThatThrownBy(() -> SqlScanner.parse("select 'a\ud800b'"))
                .hasMessageContaining("lone UTF-16 surrogate (\\ud800) at offset 9");
        assertThat(SqlScanner.parse("select '\ud83d\ude00'").statementCount()).isEqualTo(1);
    }

    @Test
    void countsStatements() {
        assertThat(SqlScanner.parse("select 1; select 2").statementCount()).isEqualTo(2);
        assertThat(SqlScanner.parse("select ';'").statementCount()).isEqualTo(1);
        assertThat(SqlScanner.parse("select 1;").statementCount()).isEqualTo(1);
        assertThat(SqlScanner.parse("select 1;;  ").statementCount()).isEqualTo(1);
        assertThat(SqlScanner.parse("").statementCount()).isZero();
        assertThat(SqlScanner.parse("-- only a comment").statementCount()).isZero();
        assertThat(SqlScanner.parse("/* c */ ;").statementCount()).isZero();
        assertThat(SqlScanner.parse("do $$ begin perform 1; perform 2; end $$").statementCount())
                .isEqualTo(1);
        assertThat(SqlScanner.parse("select 1 -- ; select 2").statementCount()).isEqualTo(1);
    }

    @Test
    void survivesUnterminatedLiterals() {
        ParsedSql p = SqlScanner.parse("select 'open ? ");

        assertThat(p.parameterCount()).isZero();
        assertThat(p.serverSql()).isEqualTo("select 'open ? ");
    }
}
