package io.github.pgengine.spring.boot.docs

import io.github.pgengine.PostgresEngine
import io.github.pgengine.spring.boot.PgEngineAutoConfiguration
import io.github.pgengine.testing.TestPostgres
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.Test
import org.springframework.boot.autoconfigure.AutoConfigurations
import org.springframework.boot.test.context.runner.ApplicationContextRunner

/** The Kotlin sample runs on the auto-configured engine bean with nothing else configured (docs/spring-boot.md). */
class BootKotlinSamplesTest {
    @Test
    fun aCoroutineServiceUsesTheEngineBeanAsItIs() {
        ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(PgEngineAutoConfiguration::class.java))
            .withPropertyValues("pgengine.url=" + TestPostgres.get().url(), "pgengine.ssl-mode=disable")
            .withBean(BandRepository::class.java)
            .run { context ->
                val engine = context.getBean(PostgresEngine::class.java)
                engine.runDdl("DROP TABLE IF EXISTS band").join()
                engine.runDdl("CREATE TABLE band (name text PRIMARY KEY, popularity int)").join()
                engine.execute("INSERT INTO band VALUES ('Pythonistas', 1000), ('Rustaceans', 800)").join()
                try {
                    val bands = context.getBean(BandRepository::class.java)
                    runBlocking {
                        assertThat(bands.popular(900)).containsExactly("Pythonistas")
                        assertThat(bands.vote("Rustaceans")).isEqualTo(1L)
                        assertThat(bands.popular(800)).containsExactly("Pythonistas", "Rustaceans")
                        assertThat(bands.all().toList()).containsExactly("Pythonistas", "Rustaceans")
                    }
                } finally {
                    engine.runDdl("DROP TABLE IF EXISTS band").join()
                }
            }
    }
}
