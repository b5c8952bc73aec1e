package io.github.pgengine.coroutines

import io.github.pgengine.PoolOptions
import io.github.pgengine.PostgresEngine
import io.github.pgengine.TransactionRolledBackException
import io.github.pgengine.testing.Await
import io.github.pgengine.testing.TestPostgres
import java.time.Duration
import java.util.concurrent.atomic.AtomicInteger
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.async
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.assertj.core.api.Assertions.assertThat
import org.assertj.core.api.Assertions.assertThatThrownBy
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test

/**
 * Cancellation of one statement inside `suspendTransaction`, the way coroutines cancel:
 * `withTimeout`, a failing sibling, a cancelled parent. What the server did is checked: the
 * statement stops there at once, and the transaction cannot commit it unless a nested transaction
 * (a savepoint) undoes it.
 */
class SuspendCancellationTest {
    private val pg = TestPostgres.get()
    private val engine = PostgresEngine(pg.config())
    private val table = "ktc_" + COUNTER.incrementAndGet() + "_" + ProcessHandle.current().pid()

    companion object {
        private val COUNTER = AtomicInteger()
        private val PROMPTLY: Duration = Duration.ofSeconds(5)
    }

    @BeforeEach
    fun start(): Unit = runBlocking {
        engine.awaitStartConnectionPool(PoolOptions.builder().maxSize(4).build())
        engine.awaitRunDdl("CREATE TABLE $table (id int PRIMARY KEY, v int NOT NULL)")
        engine.awaitExecute("INSERT INTO $table VALUES (1, 0)")
    }

    @AfterEach
    fun close(): Unit = runBlocking {
        engine.awaitRunDdl("DROP TABLE IF EXISTS $table")
        engine.awaitClose()
    }

    private suspend fun value(): Int =
        engine.awaitQuery("SELECT v FROM $table WHERE id = 1")[0].int("v")

    private fun running(start: String): Int =
        (pg.admin(
                    "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '" +
                        start.replace("'", "''") +
                        "%'"
                )[0][0]
                as Number)
            .toInt()

    private fun awaitGone(start: String, since: Long): Duration {
        Await.until("$start no longer runs on the server") { running(start) == 0 }
        return Duration.ofNanos(System.nanoTime() - since)
    }

    private fun idle() =
        Await.until("pool idle", { engine.poolStats().isIdle }, { engine.poolStats().toString() })

    @Test
    fun aStatementTimedOutInsideTheBlockIsCancelledOnTheServerAndNotCommitted(): Unit =
        runBlocking {
            var timedOutAt = 0L
            val failure =
                runCatching {
                        engine.suspendTransaction { tx ->
                            try {
                                withTimeout(200) {
                                    tx.execute(
                                        "UPDATE $table SET v = 1 WHERE id = 1 AND (SELECT true FROM pg_sleep(20))"
                                    )
                                }
                            } catch (e: TimeoutCancellationException) {
                                timedOutAt = System.nanoTime()
                            }
                            "caught"
                        }
                    }
                    .exceptionOrNull()
            assertThat(timedOutAt).isNotZero()
            assertThat(awaitGone("UPDATE $table", timedOutAt)).isLessThan(PROMPTLY)
            assertThat(failure).isInstanceOf(TransactionRolledBackException::class.java)
            assertThat(value()).isZero()
            idle()
        }

    @Test
    fun aTimedOutNestedTransactionStopsItsStatementAndRollsBackToItsSavepoint(): Unit =
        runBlocking {
            var timedOutAt = 0L
            engine.suspendTransaction { tx ->
                try {
                    withTimeout(300) {
                        tx.transaction { sub ->
                            sub.execute("INSERT INTO $table VALUES (2, 2)")
                            sub.query("SELECT pg_sleep(20)")
                        }
                    }
                } catch (e: TimeoutCancellationException) {
                    timedOutAt = System.nanoTime()
                }
                tx.execute("INSERT INTO $table VALUES (3, 3)")
            }
            assertThat(awaitGone("SELECT pg_sleep(20)", timedOutAt)).isLessThan(PROMPTLY)
            assertThat(engine.awaitQuery("SELECT id FROM $table ORDER BY id").map { it.int("id") })
                .containsExactly(1, 3)
            idle()
        }

    @Test
    fun aFailingSiblingCancelsTheOtherStatementOnTheServerAtOnce(): Unit = runBlocking {
        val start = System.nanoTime()
        assertThatThrownBy {
                runBlocking {
                    engine.suspendTransaction { tx ->
                        coroutineScope {
                            launch { tx.query("SELECT pg_sleep(20)") }
                            launch(Dispatchers.Default) {
                                Await.until("the sleep runs") {
                                    running("SELECT pg_sleep(20)") == 1
                                }
                                throw IllegalStateException("sibling failed")
                            }
                        }
                    }
                }
            }
            .isInstanceOf(IllegalStateException::class.java)
            .hasMessage("sibling failed")
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(PROMPTLY)
        assertThat(awaitGone("SELECT pg_sleep(20)", start)).isLessThan(PROMPTLY)
        idle()
    }

    @Test
    fun cancellingTheCallerStopsTheStatementAndRollsBack(): Unit = runBlocking {
        val running = CompletableDeferred<Unit>()
        val job =
            async(Dispatchers.Default) {
                engine.suspendTransaction { tx ->
                    tx.execute("UPDATE $table SET v = 8 WHERE id = 1")
                    running.complete(Unit)
                    tx.query("SELECT pg_sleep(20)")
                }
            }
        running.await()
        Await.until("the sleep runs") { running("SELECT pg_sleep(20)") == 1 }
        val at = System.nanoTime()
        job.cancelAndJoin()
        assertThat(awaitGone("SELECT pg_sleep(20)", at)).isLessThan(PROMPTLY)
        assertThatThrownBy { runBlocking { job.await() } }
            .isInstanceOf(CancellationException::class.java)
        assertThat(value()).isZero()
        idle()
    }

    /**
     * A timeout that fires at any moment around a short statement's answer: whenever the block saw
     * the timeout, the statement is not committed; whenever it saw the result, it is.
     */
    @Test
    fun aTimeoutRacingTheAnswerAgreesWithWhatWasCommitted(): Unit = runBlocking {
        val disagreements = mutableListOf<String>()
        for (round in 0 until 150) {
            engine.awaitExecute("UPDATE $table SET v = 0 WHERE id = 1")
            val timeout = 1L + round % 7
            var sawResult = false
            val committed =
                runCatching {
                        engine.suspendTransaction { tx ->
                            try {
                                withTimeout(timeout) {
                                    tx.execute("UPDATE $table SET v = 7 WHERE id = 1")
                                    sawResult = true
                                }
                            } catch (e: TimeoutCancellationException) {
                                // caught: the block goes on
                            }
                        }
                    }
                    .isSuccess
            val v = value()
            if (sawResult != committed || (v == 7) != committed) {
                disagreements.add(
                    "round $round: saw result $sawResult, committed $committed, v = $v"
                )
            }
            delay(0)
        }
        assertThat(disagreements).isEmpty()
        idle()
    }
}
