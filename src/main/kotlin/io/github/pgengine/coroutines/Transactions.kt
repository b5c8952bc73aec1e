@file:JvmName("CoroutineTransactions")

package io.github.pgengine.coroutines

import io.github.pgengine.BatchOptions
import io.github.pgengine.PostgresEngine
import io.github.pgengine.Row
import io.github.pgengine.Savepoint
import io.github.pgengine.Transaction
import io.github.pgengine.TransactionOptions
import io.github.pgengine.internal.tx.StepFuture
import java.util.concurrent.CompletableFuture
import java.util.concurrent.CompletionException
import kotlin.coroutines.resumeWithException
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.future.await
import kotlinx.coroutines.suspendCancellableCoroutine

/**
 * Runs [block] in a transaction, in the calling coroutine (no `future { }`, no other scope): BEGIN,
 * the block, then COMMIT when it returns, ROLLBACK when it throws. The block's value is returned
 * after COMMIT; an exception it throws is rethrown unchanged after ROLLBACK. A statement that
 * failed inside the block fails the commit with [io.github.pgengine.TransactionRolledBackException]
 * even if the block caught it, unless it was undone by a nested [CoroutineTransaction.transaction]
 * (or a rollback to a savepoint made before it).
 *
 * Cancelling the calling coroutine rolls the transaction back (a running statement is cancelled on
 * the server), gives the connection back and surfaces as [CancellationException]. On CockroachDB
 * (or with a retry policy in [options]) a serialization failure (40001) runs [block] again, in the
 * same coroutine, after the policy's backoff: keep side effects outside the database idempotent.
 */
public suspend fun <T> PostgresEngine.suspendTransaction(
    options: TransactionOptions = TransactionOptions.defaults(),
    block: suspend (tx: CoroutineTransaction) -> T,
): T {
    val attempts = Channel<Attempt<T>>(Channel.UNLIMITED)
    val outcome: CompletableFuture<T> =
        transaction(options) { tx ->
            val stage = CompletableFuture<T>()
            attempts.trySend(Attempt(tx, stage))
            stage
        }
    outcome.whenComplete { _, _ -> attempts.close() }
    try {
        for (attempt in attempts) {
            runAttempt(attempt.stage) { block(CoroutineTransaction(attempt.tx)) }
        }
        return outcome.await()
    } catch (e: CancellationException) {
        outcome.cancel(false)
        throw e
    }
}

/** One run of the block, handed from the engine's callback to the caller's coroutine. */
private class Attempt<T>(val tx: Transaction, val stage: CompletableFuture<T>)

/**
 * Runs the block and completes the engine's stage with its value or exception; rethrows
 * cancellation.
 */
private suspend inline fun <T> runAttempt(stage: CompletableFuture<T>, block: () -> T) {
    try {
        stage.complete(block())
    } catch (e: Throwable) {
        stage.completeExceptionally(e)
        if (e is CancellationException) {
            throw e
        }
    }
}

/**
 * A transaction seen from a coroutine: statements suspend until they are done. Statements run one
 * at a time in the order they are called, on the transaction's connection.
 */
public class CoroutineTransaction internal constructor(private val tx: Transaction) {

    /** Runs one statement and returns its rows. */
    public suspend fun query(sql: String, vararg params: Any?): List<Row> =
        tx.query(sql, *params).awaitStep()

    /** Runs one statement and returns the rows it affected. */
    public suspend fun execute(sql: String, vararg params: Any?): Long =
        tx.execute(sql, *params).awaitStep()

    /** Runs one DDL statement. */
    public suspend fun runDdl(ddl: String): List<Row> = tx.runDdl(ddl).awaitStep()

    /** Runs one statement once per row in one round trip; see [Transaction.executeBatch]. */
    public suspend fun executeBatch(sql: String, rows: List<List<Any?>>): LongArray =
        tx.executeBatch(sql, rows).awaitStep()

    /**
     * Runs one statement once per row as one step; only [BatchOptions.atomic] is possible in a
     * transaction (see [Transaction.executeBatch]).
     */
    public suspend fun executeBatch(
        sql: String,
        rows: List<List<Any?>>,
        options: BatchOptions,
    ): LongArray = tx.executeBatch(sql, rows, options).awaitStep()

    /**
     * Runs [block] as a sub-transaction on a savepoint, in this coroutine: released when it
     * returns, rolled back to when it throws (the exception is rethrown unchanged, and this
     * transaction stays usable if you catch it).
     */
    public suspend fun <T> transaction(block: suspend (tx: CoroutineTransaction) -> T): T {
        val handoff = CompletableDeferred<Transaction>()
        val stage = CompletableFuture<T>()
        val outcome: CompletableFuture<T> =
            tx.transaction { nested ->
                handoff.complete(nested)
                stage
            }
        outcome.whenComplete { _, e ->
            if (e != null) {
                handoff.completeExceptionally(unwrap(e))
            }
        }
        val nested =
            try {
                handoff.await()
            } catch (e: CancellationException) {
                stage.cancel(false)
                throw e
            }
        runAttempt(stage) { block(CoroutineTransaction(nested)) }
        return outcome.await()
    }

    /** Creates a savepoint, named [name] or `savepoint_1`, `savepoint_2`, ... when null. */
    public suspend fun savepoint(name: String? = null): CoroutineSavepoint =
        CoroutineSavepoint((if (name == null) tx.savepoint() else tx.savepoint(name)).await())

    /**
     * Rolls back to the named savepoint; failures after it no longer count against the transaction.
     */
    public suspend fun rollbackTo(name: String) {
        tx.rollbackTo(name).await()
    }

    /** Commits now; the transaction's block may go on only with work outside the transaction. */
    public suspend fun commit() {
        tx.commit().awaitStep()
    }

    /** Rolls back now. */
    public suspend fun rollback() {
        tx.rollback().await()
    }

    /** True until the transaction (or this sub-transaction) ends. */
    public val isActive: Boolean
        get() = tx.isActive

    /** @return the Java transaction, for code that works with futures */
    public fun asJava(): Transaction = tx

    override fun toString(): String = tx.toString()
}

/** A savepoint of a [CoroutineTransaction]. */
public class CoroutineSavepoint internal constructor(private val savepoint: Savepoint) {
    /** The savepoint's name. */
    public val name: String
        get() = savepoint.name()

    /** Undoes everything since the savepoint; the savepoint stays. */
    public suspend fun rollbackTo() {
        savepoint.rollbackTo().await()
    }

    /** Forgets the savepoint, keeping what was done since. */
    public suspend fun release() {
        savepoint.release().await()
    }

    override fun toString(): String = savepoint.toString()
}

/**
 * Awaits a statement of a transaction. Cancelling the coroutine cancels the statement (on the
 * server when it runs); when its result was already settled, the result is not silently dropped: a
 * statement the coroutine never saw succeed counts as failed, so the transaction cannot commit it
 * unless a savepoint rolls it back.
 */
private suspend fun <T> CompletableFuture<T>.awaitStep(): T {
    val step = this
    return suspendCancellableCoroutine { cont ->
        step.whenComplete { value, error ->
            if (error == null) {
                // the older overload: it exists in every kotlinx-coroutines a consumer may bring
                // (1.8 included)
                @Suppress("UNCHECKED_CAST", "DEPRECATION")
                cont.resume(value as T) { _ -> lost(step) }
            } else {
                cont.resumeWithException(unwrap(error))
            }
        }
        cont.invokeOnCancellation {
            if (!step.cancel(false)) {
                lost(step)
            }
        }
    }
}

private fun lost(step: CompletableFuture<*>) {
    (step as? StepFuture<*>)?.lost()
}

private fun unwrap(e: Throwable): Throwable =
    if (e is CompletionException && e.cause != null) e.cause!! else e
