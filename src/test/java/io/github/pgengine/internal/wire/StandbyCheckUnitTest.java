package io.github.pgengine.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which statements take the standby check in a round trip of their own: those PostgreSQL runs only alone. */
class StandbyCheckUnitTest {
    @Test
    void discardAndAlterSystemRunAloneWhateverTheirSpellingAndComments() {
        for (String sql : List.of(
                "DISCARD ALL",
                "discard all",
                "  \n\tDiscard ALL",
                "/* note */ DISCARD ALL",
                "/* outer /* nested */ still comment */discard all",
                "-- line comment\nDISCARD ALL",
                "DISCARD PLANS",
                "ALTER SYSTEM SET work_mem = '4MB'",
                "alter /* x */ system reset all",
                "ALTER\n  SYSTEM SET x = 1")) {
            assertThat(StandbyCheck.mustRunAlone(sql)).as(sql).isTrue();
        }
    }

    @Test
    void everythingElseTakesTheCheckInItsOwnRequest() {
        for (String sql : List.of(
                "",
                "   ",
                "-- only a comment",
                "/* unterminated",
                "SELECT 'DISCARD ALL'",
                "ALTER TABLE t ADD c int",
                "ALTER SYSTEMS",
                "ALTERSYSTEM SET x = 1",
                "DISCARDALL",
                "CALL p()",
                "VACUUM",
                "WITH x AS (SELECT 1) SELECT * FROM x")) {
            assertThat(StandbyCheck.mustRunAlone(sql)).as(sql).isFalse();
        }
    }
}
