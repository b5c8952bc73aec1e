package consumer

import org.springframework.boot.actuate.health.Health
import org.springframework.boot.actuate.health.HealthEndpoint
import org.springframework.context.ApplicationContext

/** The `pgengine` component of Boot 3.5's health endpoint (spring-boot-actuator): its status and details. */
fun pgengineHealth(context: ApplicationContext): Pair<String, Map<String, Any?>> {
    val health = context.getBean(HealthEndpoint::class.java).healthForPath("pgengine")
    check(health is Health) { "the health endpoint has no indicator pgengine (got $health)" }
    return health.status.code to health.details
}
