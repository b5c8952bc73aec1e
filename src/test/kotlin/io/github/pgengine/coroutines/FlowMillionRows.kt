package io.github.pgengine.coroutines

import io.github.pgengine.PoolOptions
import io.github.pgengine.PostgresEngine
import io.github.pgengine.testing.TestPostgres
import java.lang.management.ManagementFactory
import java.lang.management.MemoryType
import kotlin.system.exitProcess
import kotlinx.coroutines.runBlocking

/**
 * Collects 1,000,000 rows through [queryFlow] with a deliberately slow collector and prints the
 * count and the peak heap. Run with `-Xmx64m` by `FlowMemoryTest`; exits non-zero on failure.
 */
public object FlowMillionRows {
    @JvmStatic
    public fun main(args: Array<String>) {
        val rows = args.getOrNull(0)?.toInt() ?: 1_000_000
        val engine = PostgresEngine(TestPostgres.get().config())
        val ok = runBlocking {
            engine.awaitStartConnectionPool(PoolOptions.builder().maxSize(1).build())
            val start = System.nanoTime()
            var count = 0L
            var sum = 0L
            var spin = 0L
            engine
                .queryFlow(
                    "SELECT g AS id, md5(g::text) AS payload FROM generate_series(1, \$1) AS g",
                    listOf(rows),
                    fetchSize = 500,
                )
                .collect { row ->
                    count++
                    sum += row.int("id")
                    repeat(50) { spin += row.string("payload").length } // a slow collector
                }
            val seconds = (System.nanoTime() - start) / 1e9
            val peak =
                ManagementFactory.getMemoryPoolMXBeans()
                    .filter { it.type == MemoryType.HEAP }
                    .sumOf { it.peakUsage.used }
            println(
                "collected rows=$count in %.1f s (%.0f rows/s), peak heap %.1f MB, max heap %.1f MB, spin $spin"
                    .format(
                        seconds,
                        count / seconds,
                        peak / 1048576.0,
                        Runtime.getRuntime().maxMemory() / 1048576.0,
                    )
            )
            val idle = engine.poolStats().isIdle
            engine.awaitClose()
            count == rows.toLong() && sum == rows.toLong() * (rows + 1) / 2 && idle
        }
        exitProcess(if (ok) 0 else 1)
    }
}
