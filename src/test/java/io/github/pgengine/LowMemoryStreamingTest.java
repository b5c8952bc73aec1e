package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.testing.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Reading 1,000,000 rows works in a JVM with a 64 MB heap: memory is bounded by the fetch size. */
class LowMemoryStreamingTest {

    @Test
    void streamsAMillionRowsIn64MegabytesOfHeap() throws Exception {
        TestPostgres pg = TestPostgres.get();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(
                        java,
                        "-Xmx64m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        StreamMillionRows.class.getName(),
                        "1000000",
                        "1000")
                .redirectErrorStream(true);
        pb.environment().put("PGENGINE_TEST_POSTGRES_URL", pg.url());
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        boolean finished = p.waitFor(5, TimeUnit.MINUTES);
        String text = new String(out, StandardCharsets.UTF_8);
        System.out.println("[pgengine-test] "
                + text.lines().filter(l -> l.startsWith("streamed")).findFirst().orElse(text));

        assertThat(finished).as("finished within 5 minutes").isTrue();
        assertThat(p.exitValue()).as(text).isZero();
        assertThat(text).contains("streamed rows=1000000").contains("max heap");
        assertThat(List.of(text.split("\n"))).noneMatch(l -> l.contains("OutOfMemoryError"));
    }
}
