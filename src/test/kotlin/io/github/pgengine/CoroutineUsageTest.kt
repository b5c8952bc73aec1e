package io.github.pgengine

import io.github.pgengine.testing.Await
import io.github.pgengine.testing.TestPostgres
import java.util.concurrent.CancellationException
import java.util.concurrent.atomic.AtomicReference
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.future.await
import kotlinx.coroutines.future.future
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Test

/** The engine used from Kotlin coroutines: await(), cancellation by withTimeout, nullability. */
class CoroutineUsageTest {
    private val pg = TestPostgres.get()
    private val engine = PostgresEngine(pg.config())

    @AfterEach
    fun close() {
        Await.result(engine.close())
    }

    @Test
    fun awaitsQueriesFromACoroutine(): Unit = runBlocking {
        engine.startConnectionPool(PoolOptions.builder().maxSize(4).build()).await()

        val rows: List<Row> =
            engine.query("select \$1::text as name, null::int as missing", "Pythonistas").await()
        val name: String? = rows[0].getString("name")
        val missing: Int? = rows[0].getInt("missing")

        assertThat(name?.length).isEqualTo(11)
        assertThat(missing).isNull()
        assertThat(rows[0]["name"]).isEqualTo("Pythonistas")
    }

    @Test
    fun withTimeoutCancelsWithoutLosingConnections(): Unit = runBlocking {
        engine.startConnectionPool(PoolOptions.builder().maxSize(2).build()).await()

        val outcomes =
            (1..40)
                .map { i ->
                    async {
                        try {
                            withTimeout(20) {
                                engine.query("select pg_sleep(0.05), \$1::int as i", i).await()
                            }
                            "done"
                        } catch (e: TimeoutCancellationException) {
                            "timed out"
                        }
                    }
                }
                .awaitAll()

        assertThat(outcomes).contains("timed out")
        Await.until(
            "pool back to idle",
            { engine.poolStats().isIdle },
            { engine.poolStats().toString() },
        )
        assertThat(engine.query("select 7 as seven").await()[0].getInt("seven")).isEqualTo(7)
        assertThat(engine.poolStats().total).isLessThanOrEqualTo(2)
    }

    @Test
    fun transactionWithACoroutineCallbackCancelledHalfWayRollsBack(): Unit = runBlocking {
        engine.startConnectionPool(PoolOptions.builder().maxSize(2).build()).await()
        engine.runDdl("drop table if exists kotlin_tx").await()
        engine.runDdl("create table kotlin_tx (id int primary key)").await()
        val firstInsertDone = CompletableDeferred<Unit>()

        val job = launch {
            engine
                .transaction { tx ->
                    future {
                        tx.execute("insert into kotlin_tx values (1)").await()
                        firstInsertDone.complete(Unit)
                        tx.query("select pg_sleep(0.3)").await()
                        tx.execute("insert into kotlin_tx values (2)").await()
                    }
                }
                .await()
        }
        firstInsertDone.await()
        job.cancel()
        job.join()

        Await.until(
            "pool back to idle",
            { engine.poolStats().isIdle },
            { engine.poolStats().toString() },
        )
        assertThat(engine.query("select count(*) as n from kotlin_tx").await()[0].getLong("n"))
            .isEqualTo(0L)
        engine.runDdl("drop table kotlin_tx").await()
    }

    @Test
    fun aStatementCancelledWithItsCallerCompletesAsCancelledAndNothingEscapesToTheParent(): Unit =
        runBlocking {
            engine.startConnectionPool(PoolOptions.builder().maxSize(1).build()).await()
            val seenByStatement = AtomicReference<Throwable>()

            repeat(5) { round ->
                // on another thread: the polling below blocks this one
                val job =
                    launch(Dispatchers.Default) {
                        engine
                            .transaction { tx ->
                                future {
                                    try {
                                        tx.query("select pg_sleep(30), \$1::int as round", round)
                                            .await()
                                    } catch (e: Throwable) {
                                        seenByStatement.set(e)
                                        throw e
                                    }
                                }
                            }
                            .await()
                    }
                Await.until(
                    "the sleep runs on the server",
                    {
                        pg.admin(
                                "select count(*) from pg_stat_activity where query like 'select pg_sleep(30)%' " +
                                    "and state = 'active'"
                            )[0][0] == 1L
                    },
                )
                job.cancel()
                job.join()

                assertThat(seenByStatement.get())
                    .isInstanceOf(CancellationException::class.java)
                    .isNotInstanceOf(QueryTimeoutException::class.java)
                Await.until(
                    "pool back to idle",
                    { engine.poolStats().isIdle },
                    { engine.poolStats().toString() },
                )
            }
            assertThat(engine.query("select 1 as one").await()[0].getInt("one")).isEqualTo(1)
        }
}
