package io.github.pgengine.coroutines

import io.github.pgengine.CockroachEngine
import io.github.pgengine.RetryPolicy
import io.github.pgengine.testing.Await
import io.github.pgengine.testing.TestCockroach
import java.time.Duration
import java.util.concurrent.atomic.AtomicInteger
import kotlin.coroutines.coroutineContext
import kotlinx.coroutines.CoroutineName
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Test

/**
 * The suspend transaction block on CockroachDB: 40001 re-runs the block in the caller's coroutine.
 */
class SuspendCockroachTest {
    private val crdb = TestCockroach.get()
    private val engine =
        CockroachEngine.builder()
            .config(crdb.adminConfig())
            .retryPolicy(
                RetryPolicy.builder()
                    .maxAttempts(5)
                    .initialBackoff(Duration.ofMillis(5))
                    .maxBackoff(Duration.ofMillis(20))
                    .build()
            )
            .build()

    @AfterEach fun close() = runBlocking { engine.awaitClose() }

    @Test
    fun aSerializationFailureRunsTheBlockAgainInTheCallersCoroutine(): Unit = runBlocking {
        println("[pgengine-test] SuspendCockroachTest runs on ${crdb.backend()}")
        engine.awaitRunDdl("DROP TABLE IF EXISTS kt_crdb_counter")
        engine.awaitRunDdl("CREATE TABLE kt_crdb_counter (id int PRIMARY KEY, n int NOT NULL)")
        engine.awaitExecute("INSERT INTO kt_crdb_counter VALUES (1, 0)")
        val attempts = AtomicInteger()
        val names = mutableListOf<String?>()

        val result =
            withContext(CoroutineName("the-caller")) {
                engine.suspendTransaction { tx ->
                    names.add(coroutineContext[CoroutineName]?.name)
                    val attempt = attempts.incrementAndGet()
                    tx.execute("UPDATE kt_crdb_counter SET n = n + 1 WHERE id = 1")
                    if (attempt <= 2) {
                        tx.query("SELECT crdb_internal.force_retry('1h')")
                    }
                    attempt
                }
            }

        assertThat(result).isEqualTo(3)
        assertThat(names).containsExactly("the-caller", "the-caller", "the-caller")
        assertThat(engine.awaitQuery("SELECT n FROM kt_crdb_counter WHERE id = 1")[0].int("n"))
            .isEqualTo(1)
        Await.until("pool idle", { engine.poolStats().isIdle }, { engine.poolStats().toString() })
        engine.awaitRunDdl("DROP TABLE kt_crdb_counter")
    }
}
