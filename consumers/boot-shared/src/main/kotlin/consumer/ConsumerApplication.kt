package consumer

import io.github.pgengine.PostgresEngine
import io.github.pgengine.testing.TestPostgres
import kotlinx.coroutines.runBlocking
import org.springframework.boot.SpringApplication
import org.springframework.boot.autoconfigure.SpringBootApplication

@SpringBootApplication class ConsumerApplication

/**
 * Starts the application on a throwaway PostgreSQL, checks each promise of pgengine-spring-boot on this Boot line and
 * closes it. A broken promise throws out of main(), which fails `mvn verify`.
 */
fun main(args: Array<String>) {
    val project = System.getProperty("consumer.name") ?: error("run it with mvn verify (consumer.name is not set)")
    val server = TestPostgres.get()
    val application = SpringApplication(ConsumerApplication::class.java)
    application.setDefaultProperties(
        mapOf(
            "pgengine.url" to server.url(),
            "pgengine.username" to server.user(),
            "pgengine.password" to server.password(),
            "pgengine.application-name" to project,
        )
    )
    val context = application.run(*args)
    val engine = context.getBean(PostgresEngine::class.java)
    val checks = Checks(context)
    try {
        runBlocking { checks.whileRunning() }
    } finally {
        context.close()
    }
    checks.afterClose(engine)
    println("$project: all checks passed")
}
