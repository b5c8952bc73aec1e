package io.github.pgengine

import java.math.BigDecimal
import java.time.Duration
import java.time.Instant
import java.time.LocalDate
import java.time.LocalDateTime
import java.time.LocalTime
import java.time.OffsetDateTime
import java.util.UUID
import java.util.concurrent.CompletableFuture
import java.util.concurrent.Flow
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.Test

/**
 * The whole public Java API as Kotlin sees it with `-Xjspecify-annotations=strict`: every
 * declaration below states the type Kotlin must infer, so a nullability mistake in the Java API (a
 * nullable value typed non-null, or the reverse) fails the build. Nothing here touches a database.
 */
class JavaApiFromKotlinUnitTest {

    @Suppress("UNUSED_VARIABLE")
    private fun signatures(
        engine: PostgresEngine,
        crdb: CockroachEngine,
        tx: Transaction,
        row: Row,
        batch: Batch,
    ) {
        val q: CompletableFuture<List<Row>> = engine.query("SELECT \$1", null)
        val e: CompletableFuture<Long> = engine.execute("SELECT 1")
        val d: CompletableFuture<List<Row>> = engine.runDdl("SELECT 1")
        val v: CompletableFuture<Double> = engine.getVersion()
        val c: CompletableFuture<Void?> = engine.checkVersion()
        val p: CompletableFuture<Void?> = engine.prepDatabase()
        val s: CompletableFuture<Void?> = engine.startConnectionPool()
        val s2: CompletableFuture<Void?> = engine.startConnectionPool(PoolOptions.defaults())
        val cp: CompletableFuture<Void?> = engine.closeConnectionPool()
        val cl: CompletableFuture<Void?> = engine.close()
        val stats: PoolStats = engine.poolStats()
        val t: CompletableFuture<Long?> =
            engine.transaction { x -> x.query("SELECT 1").thenApply { it[0].getLong("n") } }
        val t2: CompletableFuture<String> =
            engine.transaction(TransactionOptions.defaults()) {
                CompletableFuture.completedFuture("x")
            }
        val b: CompletableFuture<Batch> = engine.batch("SELECT 1", listOf(), 10)
        val b2: CompletableFuture<Batch> = engine.batch("SELECT 1", listOf(1, null), 10, "replica")
        val st: Flow.Publisher<Row> = engine.stream("SELECT 1", listOf(), 10)
        val a: CompletableFuture<Void?> = engine.atomic().add("SELECT \$1", null).run()
        val n: PostgresEngine = engine.node("replica")
        val nodes: Map<String, PostgresEngine> = engine.extraNodes()
        val name: String = engine.name()
        val type: String = engine.engineType()
        val closed: Boolean = engine.isClosed
        val policy: RetryPolicy = engine.retryPolicy()
        val ext: List<String> = engine.extensions()
        val li: Flow.Publisher<ListenEvent> = engine.listen("a", "b")
        val li2: Flow.Publisher<ListenEvent> = engine.listen(ListenOptions.defaults(), "a")
        val nt: CompletableFuture<Void?> = engine.notify("a", null)
        val lo: ListenOptions =
            ListenOptions.builder()
                .bufferSize(1)
                .overflow(ListenOptions.Overflow.DROP_OLDEST)
                .reconnectInitialDelay(Duration.ofMillis(1))
                .reconnectMaxDelay(Duration.ofSeconds(1))
                .build()
        val event: ListenEvent = ListenEvent.Notification("a", "", 1)
        val described: String =
            when (event) {
                is ListenEvent.Notification -> event.channel() + event.payload() + event.processId()
                is ListenEvent.MissedNotifications ->
                    event.reason().name +
                        event.since() +
                        event.until() +
                        event.dropped().orElse(0) +
                        event.detail()
            }
        val overflowAt: Int = ListenOverflowException("x", 1).bufferSize()

        val cn: CockroachEngine = crdb.node("n2")
        val settings: Map<String, String> = crdb.clusterSettings()
        val ca: Atomic = crdb.atomic(false)

        val tq: CompletableFuture<List<Row>> = tx.query("SELECT 1")
        val te: CompletableFuture<Long> = tx.execute("SELECT 1")
        val nested: CompletableFuture<Int?> =
            tx.transaction { CompletableFuture.completedFuture(null) }
        val sp: CompletableFuture<Savepoint> = tx.savepoint()
        val rb: CompletableFuture<Void?> = tx.rollbackTo("x")
        val cm: CompletableFuture<Void?> = tx.commit()
        val rl: CompletableFuture<Void?> = tx.rollback()
        val active: Boolean = tx.isActive

        val o: Any? = row.getObject("x")
        val str: String? = row.getString("x")
        val i: Int? = row.getInt("x")
        val l: Long? = row.getLong("x")
        val dbl: Double? = row.getDouble("x")
        val bo: Boolean? = row.getBoolean("x")
        val bd: BigDecimal? = row.getBigDecimal("x")
        val u: UUID? = row.getUuid("x")
        val odt: OffsetDateTime? = row.getOffsetDateTime("x")
        val ins: Instant? = row.getInstant("x")
        val ld: LocalDate? = row.getLocalDate("x")
        val ldt: LocalDateTime? = row.getLocalDateTime("x")
        val lt: LocalTime? = row.getLocalTime("x")
        val bytes: ByteArray? = row.getBytes("x")
        val list: List<Any?>? = row.getList("x")
        val typed: Long? = row.get("x", Long::class.javaObjectType)
        val byIndex: Any? = row.get(0)
        val columns: List<String> = row.columnNames()

        val next: CompletableFuture<List<Row>> = batch.next()
        val bc: CompletableFuture<Void?> = batch.close()

        val ex = EngineException("x", null)
        val state: String? = ex.sqlState()
        val msg: String? = ex.serverMessage()
        val leak: Duration? = PoolOptions.defaults().leakDetectionThreshold()
        val autocommit: Boolean? = TransactionOptions.defaults().autocommitBeforeDdl()
        val iso: IsolationLevel? = TransactionOptions.defaults().isolation()
    }

    @Test
    fun theSignaturesAboveCompile() {
        assertThat(this::signatures).isNotNull
    }
}
