package io.github.pgengine.spring.boot.docs

import io.github.pgengine.PostgresEngine
import io.github.pgengine.coroutines.awaitQuery
import io.github.pgengine.coroutines.queryFlow
import io.github.pgengine.coroutines.string
import io.github.pgengine.coroutines.suspendTransaction
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.map
import org.springframework.stereotype.Service

// The Kotlin sample of docs/spring-boot.md (BootDocsSamplesTest checks it word for word and runs it).

// region kotlin-service
@Service
class BandRepository(private val engine: PostgresEngine) {   // the same bean; nothing else to configure

    suspend fun popular(min: Int): List<String> =
        engine.awaitQuery("SELECT name FROM band WHERE popularity > \$1 ORDER BY name", min)
            .map { it.string("name") }

    suspend fun vote(name: String): Long = engine.suspendTransaction { tx ->   // runs in this coroutine
        tx.execute("UPDATE band SET popularity = popularity + 1 WHERE name = \$1", name)
    }

    fun all(): Flow<String> = engine.queryFlow("SELECT name FROM band ORDER BY name").map { it.string("name") }
}
// endregion
