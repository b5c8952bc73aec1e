package io.github.pgengine.coroutines

import io.github.pgengine.PoolOptions
import io.github.pgengine.PostgresEngine
import io.github.pgengine.TransactionRolledBackException
import io.github.pgengine.testing.Await
import io.github.pgengine.testing.TestPostgres
import java.time.Duration
import java.util.concurrent.atomic.AtomicLong
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.async
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.flow.collect
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.EnumSource

/**
 * Every kind of step inside `suspendTransaction` × every way a coroutine is cancelled. Each case
 * checks what the server did: the running statement stops there at once, the transaction commits
 * only what a savepoint kept apart from the cancelled step, and the pool ends idle.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CancellationMatrixTest {
    private val pg = TestPostgres.get()
    private val engine = PostgresEngine(pg.config())
    private val table = "kt_matrix_" + ProcessHandle.current().pid()

    /** A step that runs until the server cancels it. */
    enum class Step {
        STATEMENT,
        BATCH,
        NESTED_BLOCK,
    }

    /** How the coroutine running it is cancelled. */
    enum class Cancellation {
        TIMEOUT,
        FAILING_SIBLING,
        CANCELLED_PARENT,
    }

    private class Boom : RuntimeException("sibling failed")

    @BeforeAll
    fun start(): Unit = runBlocking {
        engine.awaitStartConnectionPool(PoolOptions.builder().maxSize(4).build())
        engine.awaitRunDdl("DROP TABLE IF EXISTS $table")
        engine.awaitRunDdl("CREATE TABLE $table (id int PRIMARY KEY, v int NOT NULL)")
        engine.awaitExecute("INSERT INTO $table VALUES (1, 0)")
    }

    @AfterAll
    fun stop(): Unit = runBlocking {
        engine.awaitRunDdl("DROP TABLE IF EXISTS $table")
        engine.awaitClose()
    }

    /**
     * How many statements of this test run on the server now (the sleeps, and a cursor's FETCH).
     */
    private fun sleeping(): Int {
        val sql =
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' " +
                "AND (query LIKE '%pg_sleep(%20%' OR query LIKE 'FETCH%') " +
                "AND query NOT LIKE '%pg_stat_activity%'"
        return (pg.admin(sql)[0][0] as Number).toInt()
    }

    private suspend fun step(tx: CoroutineTransaction, step: Step) {
        when (step) {
            Step.STATEMENT -> tx.query("SELECT pg_sleep(20)")
            Step.BATCH -> tx.executeBatch("SELECT pg_sleep(\$1::float8 * 20)", listOf(listOf(1)))
            Step.NESTED_BLOCK ->
                tx.transaction { sub ->
                    sub.execute("UPDATE $table SET v = v + 10 WHERE id = 1")
                    sub.query("SELECT pg_sleep(20)")
                }
        }
    }

    @ParameterizedTest
    @EnumSource(Step::class)
    fun timeout(step: Step) = run(step, Cancellation.TIMEOUT)

    @ParameterizedTest
    @EnumSource(Step::class)
    fun failingSibling(step: Step) = run(step, Cancellation.FAILING_SIBLING)

    @ParameterizedTest
    @EnumSource(Step::class)
    fun cancelledParent(step: Step) = run(step, Cancellation.CANCELLED_PARENT)

    private fun run(step: Step, how: Cancellation): Unit = runBlocking {
        engine.awaitExecute("UPDATE $table SET v = 0 WHERE id = 1")
        val cancelledAt = AtomicLong()
        val job =
            CoroutineScope(SupervisorJob() + Dispatchers.Default).async {
                engine.suspendTransaction { tx ->
                    tx.execute("UPDATE $table SET v = 1 WHERE id = 1")
                    when (how) {
                        Cancellation.TIMEOUT ->
                            try {
                                withTimeout(500) { step(tx, step) }
                            } catch (e: TimeoutCancellationException) {
                                cancelledAt.set(System.nanoTime())
                            }
                        Cancellation.FAILING_SIBLING ->
                            coroutineScope {
                                launch { step(tx, step) }
                                launch {
                                    Await.until("the step runs on the server") { sleeping() == 1 }
                                    cancelledAt.set(System.nanoTime())
                                    throw Boom()
                                }
                            }
                        Cancellation.CANCELLED_PARENT -> step(tx, step)
                    }
                    "returned"
                }
            }
        if (how == Cancellation.CANCELLED_PARENT) {
            Await.until("the step runs on the server") { sleeping() == 1 }
            cancelledAt.set(System.nanoTime())
            job.cancel()
        }
        val outcome = runCatching { job.await() }
        Await.until("the step no longer runs on the server") { sleeping() == 0 }
        assertThat(Duration.ofNanos(System.nanoTime() - cancelledAt.get()))
            .`as`("from the cancellation to the statement's end on the server")
            .isLessThan(Duration.ofSeconds(5))

        val v = engine.awaitQuery("SELECT v FROM $table WHERE id = 1")[0].int("v")
        when (how) {
            Cancellation.TIMEOUT ->
                if (step == Step.NESTED_BLOCK) {
                    // the nested block rolled back to its savepoint; the outer transaction
                    // committed
                    assertThat(outcome.getOrNull()).isEqualTo("returned")
                    assertThat(v).isEqualTo(1)
                } else {
                    assertThat(outcome.exceptionOrNull())
                        .isInstanceOf(TransactionRolledBackException::class.java)
                    assertThat(v).isZero()
                }
            Cancellation.FAILING_SIBLING -> {
                assertThat(outcome.exceptionOrNull()).isInstanceOf(Boom::class.java)
                assertThat(v).isZero()
            }
            Cancellation.CANCELLED_PARENT -> {
                assertThat(outcome.exceptionOrNull())
                    .isInstanceOf(CancellationException::class.java)
                assertThat(v).isZero()
            }
        }
        Await.until("pool idle", { engine.poolStats().isIdle }, { engine.poolStats().toString() })
    }

    @ParameterizedTest
    @EnumSource(Cancellation::class, names = ["TIMEOUT", "CANCELLED_PARENT"])
    fun aFlowsFetchIsCancelledOnTheServer(how: Cancellation): Unit = runBlocking {
        val cancelledAt = AtomicLong()
        val job =
            CoroutineScope(SupervisorJob() + Dispatchers.Default).async {
                if (how == Cancellation.TIMEOUT) {
                    try {
                        withTimeout(500) {
                            engine
                                .queryFlow("SELECT g, pg_sleep(20) FROM generate_series(1, 3) g")
                                .collect {}
                        }
                    } catch (e: TimeoutCancellationException) {
                        cancelledAt.set(System.nanoTime())
                    }
                } else {
                    engine
                        .queryFlow("SELECT g, pg_sleep(20) FROM generate_series(1, 3) g")
                        .collect {}
                }
            }
        if (how == Cancellation.CANCELLED_PARENT) {
            Await.until("the FETCH runs on the server") { sleeping() == 1 }
            cancelledAt.set(System.nanoTime())
            job.cancel()
        }
        runCatching { job.await() }
        Await.until("the FETCH no longer runs on the server") { sleeping() == 0 }
        assertThat(Duration.ofNanos(System.nanoTime() - cancelledAt.get()))
            .isLessThan(Duration.ofSeconds(5))
        Await.until("pool idle", { engine.poolStats().isIdle }, { engine.poolStats().toString() })
    }
}
