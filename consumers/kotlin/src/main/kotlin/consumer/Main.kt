package consumer

import io.github.pgengine.PostgresEngine
import io.github.pgengine.coroutines.awaitClose
import io.github.pgengine.coroutines.awaitExecute
import io.github.pgengine.coroutines.awaitQuery
import io.github.pgengine.coroutines.awaitStartConnectionPool
import io.github.pgengine.coroutines.long
import io.github.pgengine.coroutines.queryFlow
import io.github.pgengine.coroutines.string
import io.github.pgengine.coroutines.suspendTransaction
import io.github.pgengine.micrometer.PgEngineMetrics
import io.github.pgengine.testing.TestPostgres
import io.micrometer.core.instrument.Tags
import io.micrometer.core.instrument.simple.SimpleMeterRegistry
import io.github.pgengine.ListenEvent
import io.github.pgengine.coroutines.awaitExecuteBatch
import io.github.pgengine.coroutines.awaitNotify
import io.github.pgengine.coroutines.listenFlow
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeoutOrNull
import kotlinx.coroutines.flow.count
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout

/** A Kotlin 1.9 service's first day with pgengine: every line printed is a promise checked. */
fun main() = runBlocking {
    val kotlin = System.getProperty("expected.kotlin", "1.9.25")
    check(KotlinVersion.CURRENT.toString() == kotlin) { "stdlib is ${KotlinVersion.CURRENT}, not $kotlin" }
    val coroutines = kotlinx.coroutines.Job::class.java.protectionDomain.codeSource.location.path.substringAfterLast('/')
    check(coroutines.contains(System.getProperty("expected.coroutines", "1.8.1"))) { "kotlinx-coroutines is $coroutines" }
    println("consumer-kotlin: Kotlin stdlib ${KotlinVersion.CURRENT}, $coroutines")

    val server = TestPostgres.get()
    val engine = PostgresEngine.builder().url(server.url()).build()
    val registry = SimpleMeterRegistry()
    val metrics = PgEngineMetrics(engine, Tags.of("app", "consumer-kotlin"))
    metrics.bindTo(registry)
    engine.awaitStartConnectionPool()
    try {
        engine.awaitExecute("DROP TABLE IF EXISTS account")
        engine.awaitExecute("CREATE TABLE account (name text PRIMARY KEY, balance bigint NOT NULL)")
        engine.awaitExecute("INSERT INTO account VALUES (\$1, \$2), (\$3, \$4)", "ann", 100L, "bob", 0L)

        val rows = engine.awaitQuery("SELECT name, balance FROM account ORDER BY name")
        check(rows.map { it.string("name") } == listOf("ann", "bob"))
        println("ok  query: ${rows.size} rows read with the coroutine API")

        val moved =
            engine.suspendTransaction { tx ->
                tx.execute("UPDATE account SET balance = balance - 40 WHERE name = \$1", "ann")
                tx.execute("UPDATE account SET balance = balance + 40 WHERE name = \$1", "bob")
                tx.query("SELECT balance FROM account WHERE name = \$1", "bob").single().long("balance")
            }
        check(moved == 40L) { "bob has $moved" }
        println("ok  transaction: suspendTransaction committed a transfer (bob has $moved)")

        val started = System.nanoTime()
        try {
            withTimeout(300) { engine.awaitQuery("SELECT pg_sleep(30)") }
            error("the statement was not cancelled")
        } catch (expected: TimeoutCancellationException) {
            // the caller gave up; the server must stop the statement too
        }
        awaitNoSleeper(engine)
        val cancelMs = (System.nanoTime() - started) / 1_000_000
        check(cancelMs < 10_000) { "the cancelled statement ran for $cancelMs ms" }
        println("ok  cancellation: withTimeout stopped pg_sleep(30) on the server after $cancelMs ms")

        try {
            engine.suspendTransaction { tx ->
                tx.execute("UPDATE account SET balance = 0 WHERE name = \$1", "ann")
                withTimeout(300) { tx.query("SELECT pg_sleep(30)") }
            }
            error("the transaction did not fail")
        } catch (expected: TimeoutCancellationException) {
            // the block failed with the timeout: the UPDATE must be rolled back
        }
        val ann = engine.awaitQuery("SELECT balance FROM account WHERE name = \$1", "ann").single().long("balance")
        check(ann == 60L) { "ann has $ann: the cancelled transaction committed" }
        awaitNoSleeper(engine)
        println("ok  cancellation in a transaction: nothing committed, the statement stopped on the server")

        val streamed = engine.queryFlow("SELECT g FROM generate_series(1, 2500) g").count()
        check(streamed == 2500) { "streamed $streamed" }
        println("ok  flow: queryFlow streamed $streamed rows")

        val counts = engine.awaitExecuteBatch("INSERT INTO account VALUES (\$1, \$2)", (1..50).map { listOf("c$it", it.toLong()) })
        check(counts.size == 50 && counts.all { it == 1L }) { "batch counts ${counts.toList()}" }
        println("ok  batch: awaitExecuteBatch wrote ${counts.size} rows in one round trip")

        val heard = CompletableDeferred<String>()
        val listening = launch {
            engine.listenFlow("consumer_events").collect { event ->
                if (event is ListenEvent.Notification) heard.complete(event.payload())
            }
        }
        val listenDeadline = System.nanoTime() + 10_000_000_000L
        while (!heard.isCompleted) {
            check(System.nanoTime() < listenDeadline) { "no notification arrived" }
            engine.awaitNotify("consumer_events", "hello from Kotlin ${KotlinVersion.CURRENT}")
            withTimeoutOrNull(100) { heard.await() }
        }
        listening.cancelAndJoin()
        println("ok  listen: listenFlow received \"${heard.await()}\", and cancelling it closed the listener")

        val statements = registry.find("pgengine.statements").timers().sumOf { it.count() }
        check(statements > 0) { "no statement was counted" }
        check(registry.find("pgengine.connections.max").gauge()?.value() ?: 0.0 > 0.0)
        println("ok  metrics: PgEngineMetrics on Micrometer ${io.micrometer.core.instrument.Meter::class.java.`package`.implementationVersion} counted $statements statements")
    } finally {
        metrics.close()
        engine.awaitClose(java.time.Duration.ofSeconds(5)) // graceful: running work may finish within 5 s
    }
    val stats = engine.poolStats()
    println("ok  closed: $stats")
    println("consumer-kotlin: all checks passed")
}

private suspend fun awaitNoSleeper(engine: PostgresEngine) {
    val deadline = System.nanoTime() + 10_000_000_000L
    while (true) {
        val running =
            engine.awaitQuery(
                    "SELECT count(*) AS n FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)' AND state = 'active'"
                )
                .single()
                .long("n")
        if (running == 0L) return
        check(System.nanoTime() < deadline) { "pg_sleep(30) still runs on the server" }
        kotlinx.coroutines.delay(20)
    }
}
