package io.github.pgengine.spring.boot.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.PostgresEngine;
import io.github.pgengine.spring.boot.PgEngineAutoConfiguration;
import io.github.pgengine.testing.DocSamples;
import io.github.pgengine.testing.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Every Java and Kotlin block of docs/spring-boot.md is a region of {@link BootJavaSamples} or BootKotlinSamples,
 * word for word: the Markdown names it in a {@code <!-- spring-boot sample: File#region -->} line above the block,
 * whose fence reads {@code ```java spring-boot} (so that the core's DocsSamplesTest, which looks for the core's
 * samples, leaves these to this test). The samples compile with this project; the ones that can run here run.
 */
class BootDocsSamplesTest {
    private static final Path DOC = Path.of("../docs/spring-boot.md");
    private static final Pattern BLOCK = Pattern.compile(
            "(?m)^(<!-- spring-boot sample: (\\w+)#([\\w-]+) -->\\n)?```(java|kotlin)( spring-boot)?\\n(.*?)^```",
            Pattern.DOTALL);

    private static Path source(String file) {
        return file.equals("BootJavaSamples")
                ? Path.of("src/test/java/io/github/pgengine/spring/boot/docs/BootJavaSamples.java")
                : Path.of("src/test/kotlin/io/github/pgengine/spring/boot/docs/" + file + ".kt");
    }

    @Test
    void everyCodeSampleOfTheSpringBootPageIsACompiledRegionWordForWord() throws IOException {
        List<String> problems = new ArrayList<>();
        int samples = 0;
        Matcher m = BLOCK.matcher(Files.readString(DOC));
        while (m.find()) {
            samples++;
            String where = DOC + " (" + m.group(4) + " block " + samples + ")";
            if (m.group(1) == null || m.group(5) == null) {
                problems.add(where + ": needs a <!-- spring-boot sample: File#region --> line and a ```"
                        + m.group(4) + " spring-boot fence");
                continue;
            }
            DocSamples.difference(m.group(6), Files.readString(source(m.group(2))), m.group(3))
                    .ifPresent(d -> problems.add(where + " differs from " + m.group(2) + "#" + m.group(3) + ":\n" + d));
        }
        assertThat(problems).as("docs samples").isEmpty();
        assertThat(samples).as("samples found").isGreaterThanOrEqualTo(3);
    }

    @Test
    void theJavaServiceRunsOnTheAutoConfiguredEngine() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(PgEngineAutoConfiguration.class))
                .withPropertyValues("pgengine.url=" + TestPostgres.get().url(), "pgengine.ssl-mode=disable")
                .withBean("applicationTaskExecutor", Executor.class, () -> Runnable::run)
                .withUserConfiguration(BootJavaSamples.Customized.class)
                .withBean(BootJavaSamples.BandService.class)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    PostgresEngine engine = context.getBean(PostgresEngine.class);
                    engine.runDdl("DROP TABLE IF EXISTS band").get(20, TimeUnit.SECONDS);
                    engine.runDdl("CREATE TABLE band (name text PRIMARY KEY, popularity int)")
                            .get(20, TimeUnit.SECONDS);
                    engine.execute("INSERT INTO band VALUES ('Pythonistas', 1000), ('Rustaceans', 800)")
                            .get(20, TimeUnit.SECONDS);
                    try {
                        BootJavaSamples.BandService bands = context.getBean(BootJavaSamples.BandService.class);
                        assertThat(bands.popular(900).get(20, TimeUnit.SECONDS)).containsExactly("Pythonistas");
                        assertThat(bands.vote("Rustaceans").get(20, TimeUnit.SECONDS)).isEqualTo(1L);
                        assertThat(bands.popular(800).get(20, TimeUnit.SECONDS))
                                .containsExactly("Pythonistas", "Rustaceans");
                    } finally {
                        engine.runDdl("DROP TABLE IF EXISTS band").get(20, TimeUnit.SECONDS);
                    }
                });
    }
}
