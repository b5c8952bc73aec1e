@file:Suppress("UNUSED_VARIABLE", "unused")

package io.github.pgengine.docs

import io.github.pgengine.CockroachEngine
import io.github.pgengine.IntegrityViolationException
import io.github.pgengine.ListenEvent
import io.github.pgengine.ListenOptions
import io.github.pgengine.PoolOptions
import io.github.pgengine.PostgresEngine
import io.github.pgengine.RetryPolicy
import io.github.pgengine.Row
import io.github.pgengine.coroutines.awaitExecute
import io.github.pgengine.coroutines.awaitNotify
import io.github.pgengine.coroutines.awaitPrepDatabase
import io.github.pgengine.coroutines.awaitQuery
import io.github.pgengine.coroutines.awaitStartConnectionPool
import io.github.pgengine.coroutines.awaitVersion
import io.github.pgengine.coroutines.getOrNull
import io.github.pgengine.coroutines.listenFlow
import io.github.pgengine.coroutines.long
import io.github.pgengine.coroutines.queryFlow
import io.github.pgengine.coroutines.string
import io.github.pgengine.coroutines.suspendTransaction
import io.github.pgengine.testing.PostgresExtension
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.extension.ExtendWith
import kotlinx.coroutines.future.await
import kotlinx.coroutines.withTimeoutOrNull

/**
 * The Kotlin code samples of README.md and docs/, each between `// region name` and `// endregion`; checked word
 * for word against the Markdown by `DocsSamplesTest`, and run against the test PostgreSQL where they can run.
 */
object KotlinSamples {

    suspend fun readme(url: String): PostgresEngine {
        // region readme-kotlin
        val engine = PostgresEngine.builder().url(url).build()
        engine.awaitStartConnectionPool()

        val rows: List<Row> = engine.awaitQuery("SELECT name, popularity FROM band WHERE popularity > \$1", 100)
        val name: String = rows.first().string("name")               // non-null; getOrNull<String>() for NULLs

        val total: Long = engine.suspendTransaction { tx ->           // runs in this coroutine
            tx.execute("UPDATE band SET popularity = popularity + 1 WHERE name = \$1", name)
            tx.query("SELECT sum(popularity) AS total FROM band")[0].long("total")
        }

        engine.queryFlow("SELECT name FROM band ORDER BY name").take(2).collect { println(it.string("name")) }
        withTimeoutOrNull(500) { engine.awaitQuery("SELECT pg_sleep(10)") } // cancelled on the server; nothing leaks
        // endregion
        return engine
    }

    suspend fun readmeCockroach() {
        // region readme-cockroach-kotlin
        val crdb = CockroachEngine.builder()
            .url("postgresql://root@localhost:26257/defaultdb?sslmode=disable")
            .retryPolicy(RetryPolicy.builder().maxAttempts(5).build())
            .build()
        crdb.awaitPrepDatabase()
        val total: Long? = crdb.suspendTransaction { tx ->            // a 40001 runs the block again
            tx.query("SELECT sum(balance) AS s FROM account")[0].getOrNull<Long>("s")
        }
        // endregion
    }

    suspend fun cockroach() {
        // region cockroach-kotlin
        val engine = CockroachEngine.builder().url("postgresql://root@localhost:26257/defaultdb?sslmode=disable").build()
        engine.awaitPrepDatabase()
        val version: Double = engine.awaitVersion()      // 24.1, not the PostgreSQL version 13.0
        // endregion
    }

    suspend fun gettingStarted(engine: PostgresEngine) {
        // region getting-started-kotlin
        val rows = engine.awaitQuery("SELECT name FROM band")             // suspends; never blocks a thread
        engine.suspendTransaction { tx -> tx.execute("UPDATE band SET popularity = 0"); tx.query("SELECT 1") }
        // endregion
    }

    suspend fun kotlinGuide(url: String): Long? {
        // region kotlin-guide
        val engine = PostgresEngine.builder().url(url).build()
        engine.awaitStartConnectionPool(PoolOptions.builder().maxSize(8).build())

        val rows: List<Row> = engine.awaitQuery("SELECT name, popularity FROM band WHERE popularity > \$1", 100)
        val name: String? = rows.firstOrNull()?.getOrNull<String>("name")

        val total: Long? = engine.suspendTransaction { tx ->
            tx.execute("UPDATE band SET popularity = popularity + 1 WHERE name = \$1", "Pythonistas")
            try {
                tx.transaction { inner ->                               // a savepoint; its failure is caught here
                    inner.execute("INSERT INTO band (id, name) VALUES (1, 'clash')")
                }
            } catch (e: IntegrityViolationException) {
                // rolled back to the savepoint; the outer transaction goes on
            }
            tx.query("SELECT sum(popularity) AS total FROM band")[0].getOrNull<Long>("total")
        }
        // endregion
        engine.close().await()
        return total
    }

    suspend fun transactions(engine: PostgresEngine): Long {
        // region transactions-kotlin
        val count: Long = engine.suspendTransaction { tx ->
            tx.execute("INSERT INTO band (name) VALUES (\$1)", "Pythonistas")
            tx.query("SELECT count(*) AS n FROM band")[0].long("n")
        }
        // endregion
        return count
    }

    suspend fun futures(engine: PostgresEngine): List<Row> {
        // region kotlin-futures
        val rows: List<Row> = engine.query("SELECT name FROM band").await()   // kotlinx.coroutines.future.await
        // endregion
        engine.awaitExecute("SELECT 1")
        return rows
    }

    /** Collects notifications of "orders" and "refunds" until cancelled. */
    suspend fun listen(engine: PostgresEngine, handle: (String) -> Unit, reloadOrders: () -> Unit) {
        // region listen-kotlin
        engine.listenFlow("orders", "refunds", options = ListenOptions.builder().bufferSize(10_000).build())
            .collect { event ->
                when (event) {
                    is ListenEvent.Notification -> handle(event.payload())      // channel(), processId() too
                    is ListenEvent.MissedNotifications -> reloadOrders()        // a gap: re-read the state
                }
            }                                   // cancelling the coroutine (or take(n), an exception) closes the connection
        // endregion
    }

    suspend fun notifyKotlin(engine: PostgresEngine) {
        // region notify-kotlin
        engine.awaitNotify("orders", "order 42 shipped")
        engine.suspendTransaction { tx ->
            tx.execute("UPDATE band SET popularity = popularity + 1 WHERE name = \$1", "Pythonistas")
            tx.execute("SELECT pg_notify(\$1, \$2)", "orders", "Pythonistas")   // delivered at COMMIT
        }
        // endregion
    }
}

// The Kotlin test sample of docs/getting-started.md: a real test, run by the build.
// region testing-kotlin
@ExtendWith(PostgresExtension::class)
class GigFlowTest {
    @Test
    fun streamsGigs(engine: PostgresEngine) {                     // a pooled engine on a throwaway PostgreSQL
        runBlocking {
            engine.awaitExecute("CREATE TABLE IF NOT EXISTS gig (city text, crowd int)")
            engine.awaitExecute("INSERT INTO gig VALUES (\$1, \$2), (\$3, \$4)", "Oslo", 900, "Lima", 1200)

            val cities = engine.queryFlow("SELECT city FROM gig WHERE crowd > \$1", listOf(1000)).map { it.string("city") }.toList()
            assertThat(cities).contains("Lima").doesNotContain("Oslo")
        }
    }
}
// endregion
