package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ListenOptionsUnitTest {

    @Test
    void copyKeepsEveryField() {
        ListenOptions options = ListenOptions.builder()
                .bufferSize(7)
                .overflow(ListenOptions.Overflow.DROP_NEWEST)
                .reconnectInitialDelay(Duration.ofMillis(5))
                .reconnectMaxDelay(Duration.ofSeconds(2))
                .build();

        ListenOptions copy = options.toBuilder().build();

        assertThat(copy).isEqualTo(options).hasSameHashCodeAs(options).hasToString(options.toString());
        assertThat(copy.bufferSize()).isEqualTo(7);
        assertThat(copy.overflow()).isEqualTo(ListenOptions.Overflow.DROP_NEWEST);
        assertThat(copy.reconnectInitialDelay()).isEqualTo(Duration.ofMillis(5));
        assertThat(copy.reconnectMaxDelay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(options).isNotEqualTo(ListenOptions.defaults());
    }

    @Test
    void hasSaneDefaults() {
        ListenOptions d = ListenOptions.defaults();

        assertThat(d.bufferSize()).isEqualTo(1_000);
        assertThat(d.overflow()).isEqualTo(ListenOptions.Overflow.FAIL);
        assertThat(d.reconnectInitialDelay()).isEqualTo(Duration.ofMillis(100));
        assertThat(d.reconnectMaxDelay()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void rejectsBadValuesNamingTheField() {
        assertThatThrownBy(() -> ListenOptions.builder().bufferSize(0))
                .hasMessage("bufferSize must be between 1 and 10000000 (was 0)");
        assertThatThrownBy(() -> ListenOptions.builder().reconnectInitialDelay(Duration.ZERO))
                .hasMessage("reconnectInitialDelay must be positive (was PT0S)");
        assertThatThrownBy(() -> ListenOptions.builder().reconnectMaxDelay(Duration.ofMillis(-1)))
                .hasMessage("reconnectMaxDelay must be positive (was PT-0.001S)");
        assertThatThrownBy(() -> ListenOptions.builder()
                        .reconnectInitialDelay(Duration.ofSeconds(2))
                        .reconnectMaxDelay(Duration.ofSeconds(1))
                        .build())
                .hasMessage("reconnectMaxDelay must be at least reconnectInitialDelay (was PT1S < PT2S)");
        assertThatThrownBy(() -> ListenOptions.builder().overflow(null)).isInstanceOf(NullPointerException.class);
    }
}
