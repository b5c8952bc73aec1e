@file:JvmName("CoroutineListen")

package io.github.pgengine.coroutines

import io.github.pgengine.ListenEvent
import io.github.pgengine.ListenOptions
import io.github.pgengine.PostgresEngine
import java.util.concurrent.Flow as JavaFlow
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.future.await

/**
 * Notifications of [channel] (and [more]) as a cold [Flow]; see [PostgresEngine.listen]. Each
 * collection listens on a dedicated connection of its own (never the pool's), asks the engine for
 * one event at a time as the collector takes them, so a slow collector fills the subscription's
 * buffer ([ListenOptions.bufferSize]) and then meets its [ListenOptions.overflow] policy. The
 * connection is closed as soon as the collection ends: the collector stops early (`take`, `first`,
 * an exception) or its coroutine is cancelled.
 *
 * A lost connection is re-opened and every channel listened to again; a
 * [ListenEvent.MissedNotifications] then marks the gap. Closing the engine ends the flow normally.
 * A bad channel name throws [IllegalArgumentException] before any connection is opened.
 */
public fun PostgresEngine.listenFlow(
    channel: String,
    vararg more: String,
    options: ListenOptions = ListenOptions.defaults(),
): Flow<ListenEvent> = flow {
    val events = OneAtATime<ListenEvent>()
    listen(options, channel, *more).subscribe(events)
    try {
        while (true) {
            val event = events.next() ?: break
            emit(event)
        }
    } finally {
        events.cancel()
    }
}

/**
 * Sends a notification with `pg_notify($1, $2)`; see [PostgresEngine.notify]. Inside
 * [suspendTransaction], run `SELECT pg_notify($1, $2)` with the transaction instead: it is
 * delivered at commit.
 */
public suspend fun PostgresEngine.awaitNotify(channel: String, payload: String?) {
    notify(channel, payload).await()
}

/**
 * A subscriber that requests one element, hands it to the collecting coroutine, and requests the
 * next only when the coroutine asks for it: the publisher's own buffer does the buffering.
 */
private class OneAtATime<T : Any> : JavaFlow.Subscriber<T> {
    private val events = Channel<T>(Channel.UNLIMITED)
    @Volatile private var subscription: JavaFlow.Subscription? = null
    private var taken = false

    override fun onSubscribe(s: JavaFlow.Subscription) {
        if (subscription != null) {
            s.cancel()
            return
        }
        subscription = s
        s.request(1)
    }

    override fun onNext(item: T) {
        events.trySend(item)
    }

    override fun onError(throwable: Throwable) {
        events.close(throwable)
    }

    override fun onComplete() {
        events.close()
    }

    /** @return the next element, or null at the end; throws the publisher's error */
    suspend fun next(): T? {
        if (taken) {
            subscription?.request(1)
        }
        taken = true
        val result = events.receiveCatching()
        result.exceptionOrNull()?.let { throw it }
        return result.getOrNull()
    }

    fun cancel() {
        subscription?.cancel()
        events.close()
    }
}
