package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PoolOptionsUnitTest {

    @Test
    void copyKeepsEveryField() {
        PoolOptions options = PoolOptions.builder()
                .maxSize(7)
                .minIdle(3)
                .acquireTimeout(Duration.ofSeconds(3))
                .maxWaiters(42)
                .idleTimeout(Duration.ofMinutes(2))
                .maxLifetime(Duration.ofMinutes(9))
                .leakDetectionThreshold(Duration.ofSeconds(20))
                .build();

        PoolOptions copy = options.toBuilder().build();

        assertThat(copy).isEqualTo(options).hasSameHashCodeAs(options);
        assertThat(copy.maxSize()).isEqualTo(7);
        assertThat(copy.minIdle()).isEqualTo(3);
        assertThat(copy.acquireTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(copy.maxWaiters()).isEqualTo(42);
        assertThat(copy.idleTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(copy.maxLifetime()).isEqualTo(Duration.ofMinutes(9));
        assertThat(copy.leakDetectionThreshold()).isEqualTo(Duration.ofSeconds(20));
        assertThat(options).isNotEqualTo(PoolOptions.defaults());
    }

    @Test
    void hasSaneDefaults() {
        PoolOptions d = PoolOptions.defaults();

        assertThat(d.maxSize()).isEqualTo(PoolOptions.DEFAULT_MAX_SIZE);
        assertThat(d.acquireTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(d.leakDetectionThreshold()).isNull();
    }

    @Test
    void rejectsBadValuesNamingTheField() {
        assertThatThrownBy(() -> PoolOptions.builder().maxSize(0))
                .hasMessage("maxSize must be between 1 and 10000 (was 0)");
        assertThatThrownBy(() -> PoolOptions.builder().acquireTimeout(Duration.ZERO))
                .hasMessage("acquireTimeout must be positive (was PT0S)");
        assertThatThrownBy(() -> PoolOptions.builder().maxWaiters(-1))
                .hasMessage("maxWaiters must be 0 or more (was -1)");
    }
}
