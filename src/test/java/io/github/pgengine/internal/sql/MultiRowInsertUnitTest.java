package io.github.pgengine.internal.sql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which statements the batch rewrite takes, decided on tokens, and the multi-row text it builds. */
class MultiRowInsertUnitTest {

    private static MultiRowInsert shape(String sql) {
        MultiRowInsert m = SqlScanner.parse(sql).multiRowInsert();
        assertThat(m).as(sql).isNotNull();
        return m;
    }

    @Test
    void renumbersEachFurtherRowsPlaceholders() {
        MultiRowInsert m = shape("INSERT INTO t (a, b) VALUES ($2::int, lower($1)) ON CONFLICT (a) DO NOTHING");

        assertThat(m.text(1)).isEqualTo("INSERT INTO t (a, b) VALUES ($2::int, lower($1)) ON CONFLICT (a) DO NOTHING");
        assertThat(m.text(4))
                .isEqualTo("INSERT INTO t (a, b) VALUES ($2::int, lower($1)), ($4::int, lower($3)), "
                        + "($6::int, lower($5)), ($8::int, lower($7)) ON CONFLICT (a) DO NOTHING");
        assertThat(m.maxRows()).isEqualTo(MultiRowInsert.MAX_ROWS);
    }

    @Test
    void questionMarksAndTextThatLooksLikeSqlAreHandled() {
        MultiRowInsert m = shape("insert /* VALUES ( */ into \"VALUES (\" (\"a)\", b) -- VALUES (\r"
                + "values (?, E'\\' VALUES ) ?' || $q$ ) $1 $q$ || ?, DEFAULT) ;");

        assertThat(m.text(2))
                .isEqualTo("insert /* VALUES ( */ into \"VALUES (\" (\"a)\", b) -- VALUES (\r"
                        + "values ($1, E'\\' VALUES ) ?' || $q$ ) $1 $q$ || $2, DEFAULT), "
                        + "($3, E'\\' VALUES ) ?' || $q$ ) $1 $q$ || $4, DEFAULT) ;");
    }

    private static String arrayInsert(int parameters) {
        StringBuilder sql = new StringBuilder("INSERT INTO t VALUES (ARRAY[");
        for (int i = 1; i <= parameters; i++) {
            sql.append(i == 1 ? "" : ",").append('$').append(i);
        }
        return sql.append("])").toString();
    }

    @Test
    void chunksStayWithinTheParameterLimit() {
        assertThat(shape("INSERT INTO t VALUES ($1, $2, $3)").maxRows()).isEqualTo(128);
        assertThat(shape(arrayInsert(1_000)).maxRows()).isEqualTo(64); // 64,000 parameters
        assertThat(shape(arrayInsert(32_767)).maxRows()).isEqualTo(2); // 65,534 parameters
        assertThat(shape(arrayInsert(32_768)).maxRows()).isEqualTo(1);
        assertThat(shape(arrayInsert(65_535)).maxRows()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "INSERT INTO t VALUES ($1) RETURNING id",
                "INSERT INTO t VALUES ($1) ON CONFLICT (id) DO UPDATE SET n = $1",
                "INSERT INTO t VALUES ($1) ON CONFLICT (id) DO UPDATE SET n = 1",
                "INSERT INTO t VALUES ($1) ON CONFLICT DO NOTHING RETURNING id",
                "INSERT INTO t SELECT $1",
                "INSERT INTO t SELECT * FROM (VALUES ($1)) v",
                "INSERT INTO t (VALUES ($1))",
                "WITH x AS (SELECT 1) INSERT INTO t VALUES ($1)",
                "INSERT INTO t VALUES ($1), ($2)",
                "INSERT INTO t VALUES ($1) UNION SELECT 2",
                "INSERT INTO t VALUES ($1) ORDER BY 1",
                "INSERT INTO t VALUES (1) ON CONFLICT (id) WHERE id > $1 DO NOTHING",
                "INSERT INTO t DEFAULT VALUES",
                "INSERT INTO t VALUES (1)",
                "UPDATE t SET a = $1",
                "insert into t values",
                "INSERT INTO t VALUES ($1",
                "SELECT 'INSERT INTO t VALUES ($1)', $1",
                "/* INSERT INTO t VALUES ($1) */ SELECT $1"
            })
    void everyOtherShapeRunsOncePerRow(String sql) {
        assertThat(SqlScanner.parse(sql).multiRowInsert()).as(sql).isNull();
    }
}
