/**
 * Suspend functions and flows for [PostgresEngine] and [io.github.pgengine.CockroachEngine], for
 * callers in Kotlin coroutines.
 *
 * Each function suspends until the engine's future completes and never blocks a thread. Cancelling
 * the calling coroutine cancels the work: a call waiting for a pool connection leaves the queue, a
 * running statement is cancelled on the server, a transaction rolls back; the connection always
 * goes back to the pool, and the caller sees [kotlinx.coroutines.CancellationException]. Errors are
 * the engine's own [io.github.pgengine.EngineException]s (and [IllegalArgumentException] for bad
 * arguments), thrown unchanged.
 *
 * The names differ from the Java members on purpose (`awaitQuery` beside `query`): a Kotlin lambda
 * converts to `java.util.function.Function`, so a member of the same name would always win over an
 * extension.
 */
@file:JvmName("Coroutines")

package io.github.pgengine.coroutines

import io.github.pgengine.Atomic
import io.github.pgengine.Batch
import io.github.pgengine.BatchOptions
import io.github.pgengine.Health
import io.github.pgengine.PoolOptions
import io.github.pgengine.PostgresEngine
import io.github.pgengine.Row
import kotlinx.coroutines.NonCancellable
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.future.await
import kotlinx.coroutines.withContext

/** Runs one statement and returns its rows; see [PostgresEngine.query]. */
public suspend fun PostgresEngine.awaitQuery(sql: String, vararg params: Any?): List<Row> =
    query(sql, *params).await()

/** Runs one statement and returns the rows it affected; see [PostgresEngine.execute]. */
public suspend fun PostgresEngine.awaitExecute(sql: String, vararg params: Any?): Long =
    execute(sql, *params).await()

/**
 * Runs one statement once per row in one round trip, all or nothing; see
 * [PostgresEngine.executeBatch].
 */
public suspend fun PostgresEngine.awaitExecuteBatch(
    sql: String,
    rows: List<List<Any?>>,
): LongArray = executeBatch(sql, rows).await()

/**
 * Runs one statement once per row, all or nothing ([BatchOptions.atomic]) or each row committing on
 * its own ([BatchOptions.independent]: when some row failed, throws
 * [io.github.pgengine.BatchPartiallyFailedException] with every row's count and each failed row's
 * error); see [PostgresEngine.executeBatch].
 */
public suspend fun PostgresEngine.awaitExecuteBatch(
    sql: String,
    rows: List<List<Any?>>,
    options: BatchOptions,
): LongArray = executeBatch(sql, rows, options).await()

/** Runs one DDL statement; see [PostgresEngine.runDdl]. */
public suspend fun PostgresEngine.awaitRunDdl(ddl: String): List<Row> = runDdl(ddl).await()

/** The server's version as `major.minor`; see [PostgresEngine.getVersion]. */
public suspend fun PostgresEngine.awaitVersion(): Double = getVersion().await()

/** Checks that the server answers and times the round trip; see [PostgresEngine.ping]. */
public suspend fun PostgresEngine.awaitPing(): Health = ping().await()

/** Suspends until [PostgresEngine.currentLsn] answers: the server's WAL position after a write. */
public suspend fun PostgresEngine.awaitCurrentLsn(): String = currentLsn().await()

/**
 * Suspends until this engine's server has replayed [lsn] (read-your-writes on a replica); see
 * [PostgresEngine.waitForLsn].
 */
public suspend fun PostgresEngine.awaitLsn(lsn: String, timeout: java.time.Duration) {
    waitForLsn(lsn, timeout).await()
}

/**
 * Logs a warning when the server is too old or cannot be reached; see
 * [PostgresEngine.checkVersion].
 */
public suspend fun PostgresEngine.awaitCheckVersion() {
    checkVersion().await()
}

/**
 * Creates the configured extensions (and on CockroachDB applies the cluster settings); see
 * [PostgresEngine.prepDatabase].
 */
public suspend fun PostgresEngine.awaitPrepDatabase() {
    prepDatabase().await()
}

/** Starts the connection pool; see [PostgresEngine.startConnectionPool]. */
public suspend fun PostgresEngine.awaitStartConnectionPool(
    options: PoolOptions = PoolOptions.defaults()
) {
    startConnectionPool(options).await()
}

/** Closes the connection pool; see [PostgresEngine.closeConnectionPool]. */
public suspend fun PostgresEngine.awaitCloseConnectionPool() {
    closeConnectionPool().await()
}

/** Closes the engine and its pool; see [PostgresEngine.close]. */
public suspend fun PostgresEngine.awaitClose() {
    close().await()
}

/**
 * Closes the engine gracefully: running work may finish within [grace], then it is cancelled on the
 * server; see [PostgresEngine.close] with a grace period.
 */
public suspend fun PostgresEngine.awaitClose(grace: java.time.Duration) {
    close(grace).await()
}

/** Runs the queued statements in one transaction; see [Atomic.run]. */
public suspend fun Atomic.awaitRun() {
    run().await()
}

/**
 * Opens a server-side cursor over a query and reads it in batches; see [PostgresEngine.batch].
 * Close the batch (or read it to the end) to give its connection back; [queryFlow] does that for
 * you.
 */
public suspend fun PostgresEngine.awaitBatch(
    sql: String,
    params: List<Any?> = emptyList(),
    batchSize: Int = DEFAULT_FETCH_SIZE,
    node: String? = null,
): CoroutineBatch =
    CoroutineBatch(
        (if (node == null) batch(sql, params, batchSize) else batch(sql, params, batchSize, node))
            .await()
    )

/**
 * A query's rows as a cold [Flow] over a server-side cursor: each collection opens its own cursor
 * on its own connection, fetches [fetchSize] rows at a time and only when the collector wants more
 * (so at most one batch is held in memory), and closes the cursor and gives the connection back as
 * soon as the rows run out, the collector stops early (`take`, `first`, an exception) or its
 * coroutine is cancelled. [node] reads from an extra node.
 */
public fun PostgresEngine.queryFlow(
    sql: String,
    params: List<Any?> = emptyList(),
    fetchSize: Int = DEFAULT_FETCH_SIZE,
    node: String? = null,
): Flow<Row> = flow {
    val batch =
        (if (node == null) batch(sql, params, fetchSize) else batch(sql, params, fetchSize, node))
            .await()
    try {
        while (true) {
            val rows = batch.next().await()
            if (rows.isEmpty()) {
                break
            }
            for (row in rows) {
                emit(row)
            }
        }
    } finally {
        withContext(NonCancellable) { batch.close().await() }
    }
}

/** Rows per FETCH when none is given. */
public const val DEFAULT_FETCH_SIZE: Int = 1_000

/** A [Batch] read from a coroutine. */
public class CoroutineBatch internal constructor(private val batch: Batch) {
    /** @return the next rows, or an empty list at the end (the cursor has then closed itself) */
    public suspend fun next(): List<Row> = batch.next().await()

    /** @return true once exhausted or closed */
    public val isClosed: Boolean
        get() = batch.isClosed

    /**
     * Closes the cursor and gives its connection back; idempotent. Runs to its end even when
     * cancelled.
     */
    public suspend fun close() {
        withContext(NonCancellable) { batch.close().await() }
    }

    /** @return the Java batch */
    public fun asJava(): Batch = batch
}
