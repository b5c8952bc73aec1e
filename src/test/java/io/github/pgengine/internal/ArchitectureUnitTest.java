package io.github.pgengine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/architecture.md's floors hold for the code: every import of an internal package in a main source file points
 * to a lower floor than the file's own package (so no package imports upward and no two import each other); jasync
 * and Netty are reached only where the document says; and no main file is longer than 500 lines, except the one it names.
 */
class ArchitectureUnitTest {
    private static final Path MAIN = Path.of("src/main/java");
    private static final String BASE = "io.github.pgengine";
    private static final Pattern ROW = Pattern.compile("^\\| (\\d+) \\| (.+?) \\|");
    private static final Pattern CODE = Pattern.compile("`([a-z.]+)`");
    private static final Pattern IMPORT =
            Pattern.compile("^import (?:static )?(io\\.github\\.pgengine(?:\\.[a-z]\\w*)*)\\.[A-Z]");

    /** The floor of each package, from the table in docs/architecture.md ({@code internal.tx} → 7). */
    private static Map<String, Integer> floors() throws IOException {
        Map<String, Integer> floors = new HashMap<>();
        for (String line : Files.readAllLines(Path.of("docs/architecture.md"))) {
            Matcher row = ROW.matcher(line);
            if (!row.find()) {
                continue;
            }
            Matcher code = CODE.matcher(row.group(2));
            while (code.find()) {
                String name = code.group(1);
                floors.put(name.equals(BASE) ? BASE : BASE + "." + name, Integer.parseInt(row.group(1)));
            }
        }
        assertThat(floors).as("the floors table of docs/architecture.md").containsKeys(BASE, BASE + ".internal");
        return floors;
    }

    private static List<Path> mainFiles() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN)) {
            return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }

    private static String packageOf(Path file) {
        return MAIN.relativize(file.getParent()).toString().replace('/', '.');
    }

    @Test
    void everyInternalImportPointsToALowerFloor() throws IOException {
        Map<String, Integer> floors = floors();
        List<String> upward = new ArrayList<>();
        for (Path file : mainFiles()) {
            String own = packageOf(file);
            if (!own.startsWith(BASE + ".internal")) {
                continue; // the public packages are the top floor and may use any internal package
            }
            assertThat(floors).as("docs/architecture.md gives %s a floor", own).containsKey(own);
            for (String line : Files.readAllLines(file)) {
                Matcher m = IMPORT.matcher(line);
                if (!m.find()
                        || !m.group(1).startsWith(BASE + ".internal")
                        || m.group(1).equals(own)) {
                    continue;
                }
                Integer target = floors.get(m.group(1));
                if (target == null || target >= floors.get(own)) {
                    upward.add(MAIN.relativize(file) + " (floor " + floors.get(own) + ") imports " + m.group(1)
                            + " (floor " + target + ")");
                }
            }
        }
        assertThat(upward).as("imports that do not point to a lower floor").isEmpty();
    }

    @Test
    void jasyncIsReachedOnlyWhereTheDocumentSays() throws IOException {
        List<String> users = new ArrayList<>();
        for (Path file : mainFiles()) {
            if (Files.readString(file).contains("import com.github.jasync")) {
                users.add(MAIN.relativize(file).toString());
            }
        }
        assertThat(users)
                .allSatisfy(f -> assertThat(f)
                        .matches("io/github/pgengine/internal/connect/.*|.*/wire/DbConnection.java"
                                + "|.*/runtime/EngineThreads.java"));
    }

    @Test
    void nettyIsImportedOnlyWhereTheDocumentSays() throws IOException {
        List<String> users = new ArrayList<>();
        for (Path file : mainFiles()) {
            if (Files.readString(file).contains("import io.netty")) {
                users.add(MAIN.relativize(file).toString());
            }
        }
        assertThat(users)
                .isNotEmpty()
                .allSatisfy(f -> assertThat(f).matches("io/github/pgengine/internal/(connect|wire)/.*"));
    }

    @Test
    void noMainFileIsLongerThan500LinesButThePublicFacade() throws IOException {
        List<String> long_ = new ArrayList<>();
        for (Path file : mainFiles()) {
            int lines = Files.readAllLines(file).size();
            if (lines > 500 && !file.endsWith("io/github/pgengine/PostgresEngine.java")) {
                long_.add(MAIN.relativize(file) + ": " + lines);
            }
        }
        assertThat(long_).isEmpty();
    }
}
