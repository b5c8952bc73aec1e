package io.github.pgengine.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DocSamples without a server: regions, blocks and the comparison of the two. */
class DocSamplesUnitTest {
    private static final String SOURCE = String.join(
            "\n",
            "class Samples {",
            "    void connect() {",
            "        // region connect",
            "        PostgresEngine engine = new PostgresEngine(config);   ",
            "",
            "        if (ready) {",
            "            engine.startConnectionPool();",
            "        }",
            "        // endregion",
            "    }",
            "    // region open",
            "    void unfinished() {}",
            "}");

    @Test
    void aRegionLosesItsCommonIndentationAndTrailingWhitespace() {
        assertThat(DocSamples.region(SOURCE, "connect"))
                .contains("PostgresEngine engine = new PostgresEngine(config);\n"
                        + "\n"
                        + "if (ready) {\n"
                        + "    engine.startConnectionPool();\n"
                        + "}\n");
    }

    @Test
    void aMissingOrUnendedRegionIsEmpty() {
        assertThat(DocSamples.region(SOURCE, "nowhere")).isEmpty();
        assertThat(DocSamples.region(SOURCE, "open")).isEmpty();
        assertThat(DocSamples.region(SOURCE, "conn")).isEmpty();
    }

    @Test
    void aRegionIsReadFromAFile(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("Samples.java"), SOURCE);
        assertThat(DocSamples.region(file, "connect")).isEqualTo(DocSamples.region(SOURCE, "connect"));
    }

    @Test
    void aBlockEqualToItsRegionHasNoDifference() {
        String body = "PostgresEngine engine = new PostgresEngine(config);\n\nif (ready) {  \n"
                + "    engine.startConnectionPool();\n}\n";
        assertThat(DocSamples.block(body)).isEqualTo(DocSamples.region(SOURCE, "connect").orElseThrow());
        assertThat(DocSamples.difference(body, SOURCE, "connect")).isEmpty();
    }

    @Test
    void aDriftedBlockShowsBothSides() {
        String body = "PostgresEngine engine = new PostgresEngine(settings);\n";
        assertThat(DocSamples.difference(body, SOURCE, "connect"))
                .hasValueSatisfying(d -> assertThat(d)
                        .startsWith("--- docs\n" + body + "--- source\n")
                        .endsWith("    engine.startConnectionPool();\n}\n"));
    }

    @Test
    void aBlockWithoutItsRegionSaysSo() {
        assertThat(DocSamples.difference("anything\n", SOURCE, "nowhere"))
                .hasValueSatisfying(d -> assertThat(d).contains("no region nowhere"));
    }
}
