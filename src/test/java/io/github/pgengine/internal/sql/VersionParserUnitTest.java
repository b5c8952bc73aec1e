package io.github.pgengine.internal.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VersionParserUnitTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "9.4 | 9.4",
                "9.4.1 | 9.4",
                "12.4 (Ubuntu 12.4-0ubuntu0.20.04.1) | 12.4",
                "17beta1 | 17.0",
                "15.18 (Debian 15.18-0+deb12u1) | 15.18",
                "13.0.0 | 13.0",
                "10.23 | 10.23",
            })
    void readsPostgresVersions(String text, double expected) {
        assertThat(VersionParser.postgres(text)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "CockroachDB CCL v24.1.0 (x86_64-pc-linux-gnu, built 2024/05/15 17:04:09, go1.22.2) | 24.1",
                "CockroachDB CCL v23.1.2 (x86_64-apple-darwin19, built 2023/05/25 16:10:39, go1.19.4) | 23.1",
                "CockroachDB CCL v24.3.0 (aarch64-unknown-linux-gnu, built 2024/11/21 17:04:09, go1.22.8 X:nocoverageredesign) | 24.3",
                "CockroachDB CCL v25.4.0-alpha.2-dev-5f5c6a65 (x86_64-pc-linux-gnu, built 2025/09/17 06:08:24, go1.23.12) | 25.4",
                "CockroachDB OSS v21.1.0 (x86_64-unknown-linux-gnu, built 2021/05/17 13:49:40, go1.15.11) | 21.1",
            })
    void readsCockroachVersions(String text, double expected) {
        assertThat(VersionParser.cockroach(text)).isEqualTo(expected);
    }

    @Test
    void rejectsTextWithoutAVersion() {
        assertThatThrownBy(() -> VersionParser.postgres("devel")).hasMessageContaining("'devel'");
        assertThatThrownBy(() -> VersionParser.cockroach("PostgreSQL 15.4")).hasMessageContaining("CockroachDB");
    }
}
