package io.github.pgengine.coroutines

import io.github.pgengine.ListenEvent
import io.github.pgengine.ListenOptions
import io.github.pgengine.ListenOverflowException
import io.github.pgengine.PoolOptions
import io.github.pgengine.PostgresEngine
import io.github.pgengine.testing.Await
import io.github.pgengine.testing.TestPostgres
import java.util.concurrent.atomic.AtomicInteger
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import org.assertj.core.api.Assertions.assertThat
import org.assertj.core.api.Assertions.assertThatThrownBy
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Test

/**
 * `listenFlow` and `awaitNotify`: the flow asks for one event at a time, so a slow collector meets
 * the engine's buffer and its overflow policy, and the dedicated connection closes whenever the
 * collection ends.
 */
class ListenFlowTest {
    private val pg = TestPostgres.get()
    private val engine = PostgresEngine(pg.config())
    private val channel = "listen_flow_" + COUNTER.incrementAndGet()

    companion object {
        private val COUNTER = AtomicInteger()
    }

    @AfterEach fun close() = runBlocking { engine.awaitClose() }

    private fun listeners(): Int =
        pg.admin(
                "SELECT count(*) FROM pg_stat_activity WHERE starts_with(query, 'LISTEN \"$channel\"') AND state = 'idle'"
            )[0][0]
            .toString()
            .toInt()

    private fun awaitListening() = Await.until("a backend listens to $channel") { listeners() == 1 }

    private fun awaitClosed() =
        Await.until("the listener's connection is closed") { listeners() == 0 }

    private fun payload(e: ListenEvent): String = (e as ListenEvent.Notification).payload()

    @Test
    fun takeReceivesNotificationsAndClosesTheConnection(): Unit = runBlocking {
        engine.awaitStartConnectionPool(PoolOptions.builder().maxSize(2).build())
        val events = async(Dispatchers.Default) { engine.listenFlow(channel).take(2).toList() }
        awaitListening()

        engine.awaitNotify(channel, "one")
        engine.awaitNotify(channel, null)

        assertThat(events.await().map(::payload)).containsExactly("one", "")
        awaitClosed()
        assertThat(engine.poolStats().inUse).isZero()
    }

    @Test
    fun aThrowingCollectorClosesTheConnection(): Unit = runBlocking {
        val collecting =
            async(Dispatchers.Default) {
                runCatching {
                    engine.listenFlow(channel, "listen_flow_other").collect {
                        throw IllegalStateException("collector failed on ${payload(it)}")
                    }
                }
            }
        awaitListening()
        engine.awaitNotify(channel, "x")

        assertThat(collecting.await().exceptionOrNull())
            .isInstanceOf(IllegalStateException::class.java)
            .hasMessage("collector failed on x")
        awaitClosed()
    }

    @Test
    fun cancellingTheCollectorClosesTheConnection(): Unit = runBlocking {
        val job = launch(Dispatchers.Default) { engine.listenFlow(channel).collect {} }
        awaitListening()

        job.cancel()

        awaitClosed()
        assertThat(job.isCancelled).isTrue()
    }

    @Test
    fun aSlowCollectorMeetsTheOverflowPolicy(): Unit = runBlocking {
        val gate = CompletableDeferred<Unit>()
        val collected = mutableListOf<String>()
        val options = ListenOptions.builder().bufferSize(2).build()
        val collecting =
            async(Dispatchers.Default) {
                runCatching {
                    engine.listenFlow(channel, options = options).collect {
                        collected += payload(it)
                        gate.await()
                    }
                }
            }
        awaitListening()

        engine.awaitQuery(
            "SELECT pg_notify(\$1, '1'), pg_notify(\$1, '2'), pg_notify(\$1, '3'), pg_notify(\$1, '4')",
            channel,
        )
        awaitClosed() // the fourth overflowed the engine's buffer of 2 while the collector held the
        // first
        gate.complete(Unit)

        assertThat(collecting.await().exceptionOrNull())
            .isInstanceOf(ListenOverflowException::class.java)
            .hasMessageContaining("buffer of 2 notifications")
        assertThat(collected).containsExactly("1")
    }

    @Test
    fun aBadChannelNameThrowsBeforeAnyConnection(): Unit = runBlocking {
        assertThatThrownBy { runBlocking { engine.listenFlow("a; DROP TABLE x").collect {} } }
            .isInstanceOf(IllegalArgumentException::class.java)
            .hasMessageStartingWith("channel name may contain only")
        assertThatThrownBy { runBlocking { engine.awaitNotify("bad name", "x") } }
            .isInstanceOf(IllegalArgumentException::class.java)
    }

    @Test
    fun closingTheEngineEndsTheFlowNormally(): Unit = runBlocking {
        val received = java.util.concurrent.CopyOnWriteArrayList<String>()
        val collecting =
            async(Dispatchers.Default) {
                runCatching { engine.listenFlow(channel).collect { received += payload(it) } }
            }
        awaitListening()
        engine.awaitNotify(channel, "last")
        Await.until("the notification arrived") { received.size == 1 }

        engine.awaitClose()

        assertThat(collecting.await().isSuccess).isTrue()
        assertThat(received).containsExactly("last")
        awaitClosed()
    }
}
