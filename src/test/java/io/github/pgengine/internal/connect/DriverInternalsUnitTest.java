package io.github.pgengine.internal.connect;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The canary for jasync upgrades, without a database: every private jasync member pgengine reaches by reflection
 * (the connection handler, its Netty context, the BackendKeyData) must resolve, or opening connections and
 * cancelling statements would degrade.
 */
class DriverInternalsUnitTest {

    @Test
    void everyReflectiveMemberOfJasyncResolves() {
        assertThat(DriverInternals.missing())
                .as("jasync members pgengine cannot reach")
                .isEmpty();
    }
}
