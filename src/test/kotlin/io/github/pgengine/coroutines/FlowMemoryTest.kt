package io.github.pgengine.coroutines

import io.github.pgengine.testing.TestPostgres
import java.nio.file.Path
import java.util.concurrent.TimeUnit
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.Test

/** A flow over 1,000,000 rows with a slow collector, in a JVM with a 64 MB heap. */
class FlowMemoryTest {
    @Test
    fun aMillionRowsFlowThroughASlowCollectorIn64MegabytesOfHeap() {
        val pg = TestPostgres.get()
        val java = Path.of(System.getProperty("java.home"), "bin", "java").toString()
        val pb =
            ProcessBuilder(
                    java,
                    "-Xmx64m",
                    "-cp",
                    System.getProperty("java.class.path"),
                    FlowMillionRows::class.java.name,
                    "1000000",
                )
                .redirectErrorStream(true)
        pb.environment()["PGENGINE_TEST_POSTGRES_URL"] = pg.url()
        val p = pb.start()
        p.outputStream.close()
        val text = String(p.inputStream.readAllBytes())
        val finished = p.waitFor(5, TimeUnit.MINUTES)
        println(
            "[pgengine-test] " + (text.lines().firstOrNull { it.startsWith("collected") } ?: text)
        )

        assertThat(finished).isTrue()
        assertThat(p.exitValue()).`as`(text).isZero()
        assertThat(text).contains("collected rows=1000000").doesNotContain("OutOfMemoryError")
    }
}
