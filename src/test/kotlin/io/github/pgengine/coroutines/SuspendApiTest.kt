package io.github.pgengine.coroutines

import io.github.pgengine.BatchOptions
import io.github.pgengine.BatchPartiallyFailedException
import io.github.pgengine.IntegrityViolationException
import io.github.pgengine.PoolOptions
import io.github.pgengine.PostgresEngine
import io.github.pgengine.Row
import io.github.pgengine.TransactionRolledBackException
import io.github.pgengine.testing.Await
import io.github.pgengine.testing.TestPostgres
import java.util.concurrent.atomic.AtomicInteger
import kotlin.random.Random
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.withTimeoutOrNull
import org.assertj.core.api.Assertions.assertThat
import org.assertj.core.api.Assertions.assertThatThrownBy
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Test

/** The coroutine API: suspend calls, the suspend transaction block, flows, row access. */
class SuspendApiTest {
    private val pg = TestPostgres.get()
    private val engine = PostgresEngine(pg.config())
    private val table = "kt_" + COUNTER.incrementAndGet() + "_" + ProcessHandle.current().pid()

    companion object {
        private val COUNTER = AtomicInteger()
    }

    @AfterEach
    fun close() = runBlocking {
        engine.awaitRunDdl("DROP TABLE IF EXISTS $table")
        engine.awaitClose()
    }

    private suspend fun pooled(size: Int) {
        engine.awaitStartConnectionPool(PoolOptions.builder().maxSize(size).build())
        engine.awaitRunDdl("CREATE TABLE $table (id int PRIMARY KEY, name text)")
    }

    private suspend fun ids(): List<Int> =
        engine.awaitQuery("SELECT id FROM $table ORDER BY id").map { it.int("id") }

    private fun idle() =
        Await.until("pool idle", { engine.poolStats().isIdle }, { engine.poolStats().toString() })

    @Test
    fun suspendCallsReadWellWithoutFuturesOrBangBang(): Unit = runBlocking {
        pooled(2)
        val inserted: Long =
            engine.awaitExecute("INSERT INTO $table VALUES (\$1, \$2), (\$3, \$4)", 1, "a", 2, null)
        val rows: List<Row> = engine.awaitQuery("SELECT id, name FROM $table ORDER BY id")
        val first: String = rows[0].string("name")
        val second: String? = rows[1].getOrNull<String>("name")
        val id: Long = rows[0].get<Long>("id")

        assertThat(inserted).isEqualTo(2)
        assertThat(first).isEqualTo("a")
        assertThat(second).isNull()
        assertThat(id).isEqualTo(1L)
        assertThatThrownBy { rows[1].string("name") }
            .isInstanceOf(IllegalStateException::class.java)
            .hasMessageContaining("column 'name' is NULL")
        assertThat(engine.awaitVersion()).isGreaterThan(10.0)
    }

    @Test
    fun anIndependentBatchThrowsTheRowsItCouldNotCommitAndKeepsTheOthers(): Unit = runBlocking {
        pooled(1)
        val sql = "INSERT INTO $table VALUES (\$1, \$2)"

        val counts: LongArray =
            engine.awaitExecuteBatch(
                sql,
                listOf(listOf(1, "a"), listOf(2, "b")),
                BatchOptions.independent(),
            )
        val partly =
            runCatching {
                    engine.awaitExecuteBatch(
                        sql,
                        listOf(listOf(3, "c"), listOf(1, "again"), listOf(4, null)),
                        BatchOptions.independent(),
                    )
                }
                .exceptionOrNull()

        assertThat(counts).containsExactly(1L, 1L)
        assertThat(partly).isInstanceOf(BatchPartiallyFailedException::class.java)
        partly as BatchPartiallyFailedException
        assertThat(partly.counts()).containsExactly(1L, PostgresEngine.EXECUTE_FAILED, 1L)
        assertThat(partly.errors().keys).containsExactly(1)
        assertThat(partly.errors().getValue(1))
            .isInstanceOf(IntegrityViolationException::class.java)
        assertThat(ids()).containsExactly(1, 2, 3, 4)
        idle()
    }

    @Test
    fun theTransactionBlockCommitsItsValueAndRethrowsUnchanged(): Unit = runBlocking {
        pooled(2)
        val total: Long? =
            engine.suspendTransaction { tx ->
                tx.execute("INSERT INTO $table VALUES (1, 'a')")
                tx.query("SELECT sum(id) AS s FROM $table")[0].getOrNull<Long>("s")
            }
        val boom = IllegalStateException("boom")
        val thrown =
            runCatching {
                    engine.suspendTransaction { tx ->
                        tx.execute("INSERT INTO $table VALUES (2, 'b')")
                        throw boom
                    }
                }
                .exceptionOrNull()

        assertThat(total).isEqualTo(1L)
        assertThat(thrown).isSameAs(boom)
        assertThat(ids()).containsExactly(1)
        idle()
    }

    @Test
    fun aCaughtFailureOfANestedBlockLeavesTheOuterTransactionUsable(): Unit = runBlocking {
        pooled(2)
        engine.suspendTransaction { tx ->
            tx.execute("INSERT INTO $table VALUES (1, 'outer')")
            try {
                tx.transaction { inner ->
                    inner.execute("INSERT INTO $table VALUES (2, 'inner')")
                    inner.execute("INSERT INTO $table VALUES (1, 'clash')")
                }
            } catch (e: IntegrityViolationException) {
                // the nested block rolled back to its savepoint
            }
            tx.execute("INSERT INTO $table VALUES (3, 'after')")
        }

        assertThat(ids()).containsExactly(1, 3)
    }

    @Test
    fun aFailureCaughtWithoutASavepointFailsTheCommit(): Unit = runBlocking {
        pooled(2)
        val error =
            runCatching {
                    engine.suspendTransaction { tx ->
                        tx.execute("INSERT INTO $table VALUES (1, 'a')")
                        runCatching { tx.execute("INSERT INTO $table VALUES (1, 'a')") }
                        "done"
                    }
                }
                .exceptionOrNull()

        assertThat(error).isInstanceOf(TransactionRolledBackException::class.java)
        assertThat(ids()).isEmpty()
    }

    @Test
    fun withTimeoutAroundALongStatementCancelsItOnTheServer(): Unit = runBlocking {
        pooled(1)
        val error =
            runCatching { withTimeout(300) { engine.awaitQuery("SELECT pg_sleep(30)") } }
                .exceptionOrNull()

        assertThat(error).isInstanceOf(CancellationException::class.java)
        idle()
        Await.until(
            "the server stopped the sleep",
            {
                pg.admin(
                        "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)' AND state = 'active'"
                    )[0][0] == 0L
            },
        )
        assertThat(engine.awaitQuery("SELECT 1 AS one")[0].int("one")).isEqualTo(1)
    }

    @Test
    fun cancellingTheParentHalfWayRollsBackAndGivesTheConnectionBack(): Unit = runBlocking {
        pooled(1)
        val inserted = CompletableDeferred<Unit>()
        val job =
            launch(Dispatchers.Default) {
                engine.suspendTransaction { tx ->
                    tx.execute("INSERT INTO $table VALUES (1, 'a')")
                    inserted.complete(Unit)
                    tx.query("SELECT pg_sleep(30)")
                    tx.execute("INSERT INTO $table VALUES (2, 'b')")
                }
            }
        inserted.await()
        Await.until(
            "the sleep runs",
            {
                pg.admin(
                        "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)' AND state = 'active'"
                    )[0][0] == 1L
            },
        )
        job.cancel()
        job.join()

        assertThat(job.isCancelled).isTrue()
        idle()
        assertThat(ids()).isEmpty()
    }

    @Test
    fun aFlowReadsLazilyAndClosesOnTakeOnAThrowingCollectorAndOnCancel(): Unit = runBlocking {
        pooled(1)
        val sql = "SELECT g FROM generate_series(1, 100000) g"

        val firstFive = engine.queryFlow(sql, fetchSize = 10).take(5).toList().map { it.int("g") }
        assertThat(firstFive).containsExactly(1, 2, 3, 4, 5)
        idle()

        val thrown =
            runCatching {
                    engine.queryFlow(sql, fetchSize = 10).collect {
                        if (it.int("g") == 25) throw IllegalArgumentException("collector")
                    }
                }
                .exceptionOrNull()
        assertThat(thrown)
            .isInstanceOf(IllegalArgumentException::class.java)
            .hasMessage("collector")
        idle()

        val none =
            withTimeoutOrNull(200) {
                engine
                    .queryFlow(
                        "SELECT pg_sleep(0.01), g FROM generate_series(1, 1000) g",
                        fetchSize = 5,
                    )
                    .toList()
            }
        assertThat(none).isNull()
        idle()
        assertThat(engine.queryFlow("SELECT \$1::int AS v", listOf(7)).first().int("v"))
            .isEqualTo(7)
        assertThat(engine.queryFlow("SELECT 1 AS v", listOf()).toList()).hasSize(1)
    }

    @Test
    fun aThousandCoroutinesWithRandomCancellationsLeaveEveryCommittedRowOnceAndThePoolIdle(): Unit =
        runBlocking {
            pooled(8)
            val committed = java.util.concurrent.ConcurrentHashMap.newKeySet<Int>()
            val random = Random(42)
            coroutineScope {
                (1..1000)
                    .map { i ->
                        val cancelAfter =
                            if (random.nextInt(4) == 0) random.nextLong(0, 20) else -1L
                        async(Dispatchers.Default) {
                            val work = async {
                                engine.suspendTransaction { tx ->
                                    tx.execute("INSERT INTO $table VALUES (\$1, 'x')", i)
                                    tx.query("SELECT pg_sleep(0.002)")
                                }
                                committed.add(i)
                            }
                            if (cancelAfter >= 0) {
                                delay(cancelAfter)
                                work.cancel()
                            }
                            runCatching { work.await() }
                        }
                    }
                    .awaitAll()
            }
            idle()
            val present = ids()
            assertThat(present).doesNotHaveDuplicates()
            assertThat(present).containsAll(committed)
            assertThat(present.size).isGreaterThan(500)
            assertThat(engine.poolStats().total).isLessThanOrEqualTo(8)
        }
}
