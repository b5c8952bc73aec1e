package consumer

import io.github.pgengine.PostgresEngine
import io.micrometer.core.instrument.MeterRegistry
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.async
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.withTimeout
import org.slf4j.LoggerFactory
import org.springframework.boot.SpringBootVersion
import org.springframework.context.ApplicationContext

/** The promises checked on the running application; each prints `ok  ...` or throws. */
class Checks(private val context: ApplicationContext) {
    private val engine = context.getBean(PostgresEngine::class.java)
    private val accounts = context.getBean(AccountService::class.java)
    private val registry = context.getBean(MeterRegistry::class.java)

    suspend fun whileRunning() {
        versions()
        query()
        transaction()
        cancellation()
        cancellationInTransaction()
        metrics()
        health()
    }

    /** The libraries resolved at run time are the ones this Boot line manages, not pgengine's own. */
    private fun versions() {
        val boot = SpringBootVersion.getVersion()
        expect("Spring Boot", boot, "spring-boot")
        val netty = io.netty.util.Version.identify().values.associate { it.artifactId() to it.artifactVersion() }
        check(netty.isNotEmpty()) { "no Netty artifact found" }
        netty.forEach { (artifact, version) -> expect(artifact, version, "netty") }
        val kotlin = KotlinVersion.CURRENT.toString()
        expect("kotlin-stdlib", kotlin, "kotlin")
        val coroutines = jarVersion(kotlinx.coroutines.Job::class.java, "kotlinx-coroutines-core-jvm")
        expect("kotlinx-coroutines", coroutines, "coroutines")
        val micrometer = jarVersion(MeterRegistry::class.java, "micrometer-core")
        expect("micrometer-core", micrometer, "micrometer")
        val slf4j = jarVersion(LoggerFactory::class.java, "slf4j-api")
        expect("slf4j-api", slf4j, "slf4j")
        val logging = LoggerFactory.getILoggerFactory().javaClass.name
        check(logging == "ch.qos.logback.classic.LoggerContext") { "SLF4J logs to $logging, not Boot's Logback" }
        println(
            "ok  versions: Spring Boot $boot, Netty ${netty.values.toSortedSet()} (${netty.size} artifacts), " +
                "Kotlin $kotlin, kotlinx-coroutines $coroutines, Micrometer $micrometer, SLF4J $slf4j (to Logback)"
        )
    }

    private suspend fun query() {
        accounts.open("ann" to 100L, "bob" to 0L)
        val balances = accounts.balances()
        check(balances == mapOf("ann" to 100L, "bob" to 0L)) { "balances are $balances" }
        println("ok  query: awaitQuery on the auto-configured engine read $balances")
    }

    private suspend fun transaction() {
        val updated = accounts.transfer("ann", "bob", 40L)
        check(updated == 2L) { "the transfer updated $updated rows" }
        val balances = accounts.balances()
        check(balances == mapOf("ann" to 60L, "bob" to 40L)) { "after the transfer: $balances" }
        println("ok  transaction: suspendTransaction committed both updates: $balances")
    }

    private suspend fun cancellation() {
        val ms = giveUpOn("slowReport") { accounts.slowReport() }
        println("ok  cancellation: withTimeout(300) stopped ${AccountService.SLOW_REPORT} on the server within $ms ms")
    }

    private suspend fun cancellationInTransaction() {
        val ms = giveUpOn("emptyThenReport") { accounts.emptyThenReport("ann") }
        val balances = accounts.balances()
        check(balances == mapOf("ann" to 60L, "bob" to 40L)) { "the cancelled transaction committed: $balances" }
        println("ok  cancellation in a transaction: the update rolled back ($balances), statement stopped in $ms ms")
    }

    /**
     * Runs [call] under withTimeout(300), sees its statement run on the server, and waits (with a deadline) until the
     * server no longer runs it and its connection is back; returns the milliseconds from the call to that.
     */
    private suspend fun giveUpOn(what: String, call: suspend () -> Unit): Long = coroutineScope {
        val started = System.nanoTime()
        val caller = async { runCatching { withTimeout(300) { call() } } }
        var seen = false
        awaitUntil("$what to be seen on the server") {
            seen = seen || accounts.running(AccountService.SLOW_REPORT) == 1L
            seen || caller.isCompleted
        }
        check(seen) { "$what never showed in pg_stat_activity" }
        val outcome = caller.await().exceptionOrNull()
        check(outcome is TimeoutCancellationException) { "$what ended with $outcome, not the caller's timeout" }
        awaitUntil("$what to stop on the server") { accounts.running(AccountService.SLOW_REPORT) == 0L }
        awaitUntil("$what's connection to come back") { engine.poolStats().inUse == 0 }
        (System.nanoTime() - started) / 1_000_000
    }

    /** The metrics binder serves Boot's registry. */
    private fun metrics() {
        val statements = registry.find("pgengine.statements").timers()
        val count = statements.sumOf { it.count() }
        check(count > 0) { "pgengine.statements counted nothing (${statements.size} timers)" }
        val max = registry.find("pgengine.connections.max").gauge()?.value()
        check(max != null && max > 0) { "pgengine.connections.max is $max" }
        println(
            "ok  metrics: ${registry.javaClass.simpleName} has pgengine.statements ($count statements, " +
                "${statements.size} timers) and pgengine.connections.max = $max"
        )
    }

    /** The health indicator `pgengine` answers UP through Boot's health endpoint. */
    private fun health() {
        val (status, details) = pgengineHealth(context)
        check(status == "UP") { "health pgengine is $status: $details" }
        check(details["engine"] == engine.name()) { "health details name ${details["engine"]}, not ${engine.name()}" }
        println("ok  health: pgengine is $status $details")
    }

    /** The context closed the engine and left nothing in use. */
    fun afterClose(engine: PostgresEngine) {
        check(engine.isClosed()) { "the engine is still open after the context closed" }
        val stats = engine.poolStats()
        check(stats.inUse == 0 && stats.waiting == 0) { "after close: $stats" }
        val left = registry.find("pgengine.statements").timers().size
        check(left == 0) { "$left pgengine.statements timers left in the registry after close" }
        println("ok  closed: the context closed the engine ($stats) and removed its meters")
    }

    private fun expect(what: String, actual: String, key: String) {
        val expected = System.getProperty("expected.$key") ?: error("expected.$key is not set")
        check(actual == expected) { "$what is $actual at run time, but this Boot line manages $expected" }
    }

    /** The version in the file name of the jar [type] was loaded from (`artifact-1.2.3.jar`). */
    private fun jarVersion(type: Class<*>, artifact: String): String {
        val jar = type.protectionDomain.codeSource.location.path.substringAfterLast('/')
        check(jar.startsWith("$artifact-") && jar.endsWith(".jar")) { "${type.name} came from $jar, not $artifact" }
        return jar.removePrefix("$artifact-").removeSuffix(".jar")
    }

    private suspend fun awaitUntil(what: String, condition: suspend () -> Boolean) {
        val deadline = System.nanoTime() + 10_000_000_000L
        while (!condition()) {
            check(System.nanoTime() < deadline) { "gave up waiting for $what after 10 s" }
            delay(20)
        }
    }
}
