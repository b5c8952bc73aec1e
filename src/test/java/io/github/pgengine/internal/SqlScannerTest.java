package io.github.pgengine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SqlScannerTest {

    @Test
    void countsQuestionMarkParametersInOrder() {
        ParsedSql p = SqlScanner.parse("select * from t where a = ? and b = ?");

        assertThat(p.parameterCount()).isEqualTo(2);
        assertThat(p.driverSql()).isEqualTo("select * from t where a = ? and b = ?");
        assertThat(p.valueOrder()).containsExactly(0, 1);
    }

    @Test
    void mapsDollarParametersToDriverPlaceholdersInOccurrenceOrder() {
        ParsedSql p = SqlScanner.parse("select $2, $1, $2");

        assertThat(p.parameterCount()).isEqualTo(2);
        assertThat(p.driverSql()).isEqualTo("select ?, ?, ?");
        assertThat(p.valueOrder()).containsExactly(1, 0, 1);
        assertThat(p.simpleSql()).isEqualTo("select $2, $1, $2");
    }

    @Test
    void leavesPlaceholdersInsideLiteralsAndCommentsAlone() {
        ParsedSql p = SqlScanner.parse("select '?', 'it''s ?', E'\\'?', \"a?b\", $$ ? $1 $$, $tag$ ? $tag$ -- ?\n"
                + "/* ? /* nested ? */ ? */ , ?");

        assertThat(p.parameterCount()).isEqualTo(1);
        assertThat(p.driverSql()).isEqualTo("select '??', 'it''s ??', E'\\'??', \"a??b\", $$ ?? $1 $$, $tag$ ?? $tag$ -- ??\n"
                + "/* ?? /* nested ?? */ ?? */ , ?");
    }

    @Test
    void treatsBareQuestionMarksAsTextInDollarStyle() {
        ParsedSql p = SqlScanner.parse("select data ? 'a', data ?| array['b'], $1");

        assertThat(p.parameterCount()).isEqualTo(1);
        assertThat(p.driverSql()).isEqualTo("select data ?? 'a', data ??| array['b'], ?");
    }

    @Test
    void unescapesDoubledQuestionMarksInQuestionStyle() {
        ParsedSql p = SqlScanner.parse("select data ?? 'a', ?");

        assertThat(p.parameterCount()).isEqualTo(1);
        assertThat(p.driverSql()).isEqualTo("select data ?? 'a', ?");
        assertThat(SqlScanner.parse("select '{}'::jsonb ?? 'a'").simpleSql()).isEqualTo("select '{}'::jsonb ? 'a'");
    }

    @Test
    void doesNotTakeIdentifiersWithDollarsOrCastsForParameters() {
        ParsedSql p = SqlScanner.parse("select foo$1, x::int from t$2");

        assertThat(p.parameterCount()).isZero();
        assertThat(p.driverSql()).isEqualTo("select foo$1, x::int from t$2");
    }

    @Test
    void rejectsGapsAndOutOfRangeNumbers() {
        assertThatThrownBy(() -> SqlScanner.parse("select $1, $3")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("parameter $2 is not used in the SQL");
        assertThatThrownBy(() -> SqlScanner.parse("select $70000")).hasMessageContaining("out of range");
        assertThatThrownBy(() -> SqlScanner.parse("select $0")).hasMessageContaining("out of range");
    }

    @Test
    void rejectsNulCharacters() {
        assertThatThrownBy(() -> SqlScanner.parse("select 'a\0b'"))
                .hasMessage("SQL text contains a NUL character at offset 9; PostgreSQL cannot accept it");
    }

    @Test
    void countsStatements() {
        assertThat(SqlScanner.parse("select 1; select 2").statementCount()).isEqualTo(2);
        assertThat(SqlScanner.parse("select ';'").statementCount()).isEqualTo(1);
        assertThat(SqlScanner.parse("select 1;").statementCount()).isEqualTo(1);
        assertThat(SqlScanner.parse("select 1;;  ").statementCount()).isEqualTo(1);
        assertThat(SqlScanner.parse("").statementCount()).isZero();
        assertThat(SqlScanner.parse("-- only a comment").statementCount()).isZero();
        assertThat(SqlScanner.parse("/* c */ ;").isEmpty()).isTrue();
        assertThat(SqlScanner.parse("do $$ begin perform 1; perform 2; end $$").statementCount()).isEqualTo(1);
        assertThat(SqlScanner.parse("select 1 -- ; select 2").statementCount()).isEqualTo(1);
    }

    @Test
    void survivesUnterminatedLiterals() {
        ParsedSql p = SqlScanner.parse("select 'open ? ");

        assertThat(p.parameterCount()).isZero();
        assertThat(p.driverSql()).isEqualTo("select 'open ?? ");
    }
}
