package io.github.pgengine.internal.connect;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/configuration.md's table and the one parameter table say the same: keys, order, libpq names, variables. */
class ConnectionParameterUnitTest {
    private static final Pattern CODE = Pattern.compile("`([^`]*)`");

    /** One documented key: the table's first three named columns and the environment column. */
    private record Documented(String key, String libpqName, String environment) {}

    private static List<Documented> documented() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("docs/configuration.md"));
        int header = lines.indexOf("| key | libpq name | type | default | environment | meaning |");
        assertThat(header).as("the table's header in docs/configuration.md").isNotNegative();
        List<Documented> out = new ArrayList<>();
        for (int i = header + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            String[] cells = lines.get(i).split("\\|", -1);
            List<String> keys = codes(cells[1]);
            List<String> libpq = codes(cells[2]);
            List<String> env = codes(cells[5]);
            for (int k = 0; k < keys.size(); k++) {
                out.add(new Documented(
                        keys.get(k),
                        libpq.isEmpty() ? "" : libpq.get(k),
                        env.isEmpty() ? "" : env.get(Math.min(k, env.size() - 1))));
            }
        }
        return out;
    }

    private static List<String> codes(String cell) {
        List<String> out = new ArrayList<>();
        Matcher m = CODE.matcher(cell);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void theDocumentedTableIsTheParameterTable() throws IOException {
        List<Documented> expected = Arrays.stream(ConnectionParameter.values())
                .map(p -> new Documented(
                        p.key(),
                        p.libpqName() == null ? "" : p.libpqName(),
                        p.environment() == null ? "" : p.environment()))
                .toList();
        assertThat(documented()).containsExactlyElementsOf(expected);
    }

    @Test
    void everyNameTheUrlTakesSetsTheKeyOfItsParameter() {
        assertThat(ConnectionParameter.urlParameters())
                .containsEntry("dbname", "database")
                .containsEntry("applicationname", "application_name")
                .containsEntry("currentschema", "search_path")
                .containsEntry("targetservertype", "target_session_attrs")
                .doesNotContainKey("dsn")
                .doesNotContainKey("database");
        assertThat(ServiceFile.PARAMETERS).containsEntry("dbname", "database").doesNotContainKey("service");
        assertThat(ConfigParser.KEYS).containsExactlyElementsOf(ConnectionParameter.KEYS);
    }
}
