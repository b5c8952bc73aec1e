package consumer

import org.springframework.boot.health.actuate.endpoint.HealthEndpoint
import org.springframework.boot.health.actuate.endpoint.IndicatedHealthDescriptor
import org.springframework.context.ApplicationContext

/**
 * The `pgengine` component of Boot 4.0's health endpoint: spring-boot-health's (the endpoint moved there from
 * spring-boot-actuator, and answers with a descriptor instead of a Health): its status and details.
 */
fun pgengineHealth(context: ApplicationContext): Pair<String, Map<String, Any?>> {
    val health = context.getBean(HealthEndpoint::class.java).healthForPath("pgengine")
    check(health is IndicatedHealthDescriptor) { "the health endpoint has no indicator pgengine (got $health)" }
    return health.status.code to health.details
}
