package io.github.pgengine.internal.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigParserUnitTest {
    private static final ConfigParser NO_ENV = new ConfigParser(k -> null, 5432);

    @Test
    void readsTheBasicKeys() {
        ConnectionSettings s = NO_ENV.parse(
                Map.of("host", "db1", "port", 6543, "user", "app", "password", "pw", "database", "shop"), null);

        assertThat(s.host()).isEqualTo("db1");
        assertThat(s.port()).isEqualTo(6543);
        assertThat(s.user()).isEqualTo("app");
        assertThat(s.password()).isEqualTo("pw");
        assertThat(s.database()).isEqualTo("shop");
        assertThat(s.queryTimeout()).isEqualTo(ConnectionSettings.DEFAULT_QUERY_TIMEOUT);
        assertThat(s.queryTimeout()).isZero();
        assertThat(s.statementTimeout()).isNull();
        assertThat(s.keepalives()).isTrue();
        assertThat(s.keepalivesIdle()).isEqualTo(ConnectionSettings.DEFAULT_KEEPALIVES_IDLE);
        assertThat(s.sslMode()).isEqualTo(ConnectionSettings.SslMode.PREFER);
        assertThat(s.applicationName()).isEqualTo("pgengine");
    }

    @Test
    void readsTheBatchRewriteSwitchFromTheMapOrTheUrl() {
        assertThat(NO_ENV.parse(Map.of(), null).rewriteBatchedInserts()).isTrue();
        assertThat(NO_ENV.parse(Map.of("rewrite_batched_inserts", false), null).rewriteBatchedInserts())
                .isFalse();
        assertThat(NO_ENV.parse(Map.of("rewrite_batched_inserts", "0"), null).rewriteBatchedInserts())
                .isFalse();
        assertThat(NO_ENV.parse(Map.of(), "jdbc:postgresql://db/app?reWriteBatchedInserts=false")
                        .rewriteBatchedInserts())
                .isFalse();
        assertThat(NO_ENV.parse(Map.of(), "postgresql://db/app?rewrite_batched_inserts=off")
                        .rewriteBatchedInserts())
                .isFalse();
        assertThatThrownBy(() -> NO_ENV.parse(Map.of("rewrite_batched_inserts", "maybe"), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("rewrite_batched_inserts must be 1 or 0");
    }

    @Test
    void fallsBackToTheLibpqEnvironmentThenToDefaults() {
        Map<String, String> env = Map.of(
                "PGHOST",
                "envhost",
                "PGPORT",
                "7777",
                "PGUSER",
                "envuser",
                "PGPASSWORD",
                "envpw",
                "PGSSLMODE",
                "disable");
        ConnectionSettings s = new ConfigParser(env::get, 5432).parse(Map.of("host", "explicit"), null);

        assertThat(s.host()).isEqualTo("explicit");
        assertThat(s.port()).isEqualTo(7777);
        assertThat(s.user()).isEqualTo("envuser");
        assertThat(s.password()).isEqualTo("envpw");
        assertThat(s.database()).isEqualTo("envuser");
        assertThat(s.sslMode()).isEqualTo(ConnectionSettings.SslMode.DISABLE);

        ConnectionSettings d = new ConfigParser(k -> null, 26257).parse(Map.of(), null);
        assertThat(d.host()).isEqualTo("localhost");
        assertThat(d.port()).isEqualTo(26257);
        assertThat(d.user()).isEqualTo(System.getProperty("user.name"));
    }

    @Test
    void acceptsConnectionUrls() {
        ConnectionSettings a = NO_ENV.parse(
                Map.of(),
                "postgresql://u%40x:p%3Aw@db.example:6000/shop?sslmode=require"
                        + "&application_name=billing&connect_timeout=5");
        assertThat(a.user()).isEqualTo("u@x");
        assertThat(a.password()).isEqualTo("p:w");
        assertThat(a.host()).isEqualTo("db.example");
        assertThat(a.port()).isEqualTo(6000);
        assertThat(a.database()).isEqualTo("shop");
        assertThat(a.sslMode()).isEqualTo(ConnectionSettings.SslMode.REQUIRE);
        assertThat(a.applicationName()).isEqualTo("billing");
        assertThat(a.connectTimeout()).isEqualTo(Duration.ofSeconds(5));

        ConnectionSettings b = NO_ENV.parse(Map.of("dsn", "jdbc:postgresql://[::1]:5433/db?user=j&password=s"), null);
        assertThat(b.host()).isEqualTo("::1");
        assertThat(b.port()).isEqualTo(5433);
        assertThat(b.user()).isEqualTo("j");

        ConnectionSettings c = NO_ENV.parse(Map.of("database", "override"), "postgres://h/db");
        assertThat(c.database()).isEqualTo("override");
        assertThat(c.host()).isEqualTo("h");
    }

    @Test
    void rejectsUnknownKeysListingTheKnownOnes() {
        assertThatThrownBy(() -> NO_ENV.parse(Map.of("hostname", "x"), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "unknown configuration key 'hostname'; known keys are " + String.join(", ", ConfigParser.KEYS));
    }

    @Test
    void rejectsWrongTypesNamingKeyAndExpectedType() {
        assertThatThrownBy(() -> NO_ENV.parse(Map.of("port", "abc"), null))
                .hasMessage("port must be a whole number between 1 and 65535 (was \"abc\")");
        assertThatThrownBy(() -> NO_ENV.parse(Map.of("port", 70000), null))
                .hasMessage("port must be between 1 and 65535 (was 70000)");
        assertThatThrownBy(() -> NO_ENV.parse(Map.of("host", 42), null))
                .hasMessageStartingWith(
                        "configuration key 'host' must be a String (was Integer 42); known keys are host");
        assertThatThrownBy(() -> NO_ENV.parse(Map.of("password", 1234), null))
                .hasMessageStartingWith("configuration key 'password' must be a String (was Integer); known keys")
                .hasMessageNotContaining("1234");
        assertThatThrownBy(() -> NO_ENV.parse(Map.of("query_timeout", "soon"), null))
                .hasMessageStartingWith("query_timeout must be a duration");
        assertThatThrownBy(() -> NO_ENV.parse(Map.of("query_timeout", -1), null))
                .hasMessage("query_timeout must be zero or positive (was -1)");
        assertThat(NO_ENV.parse(Map.of("query_timeout", 0), null).queryTimeout())
                .isZero();
        assertThatThrownBy(() -> NO_ENV.parse(Map.of("keepalives_count", 0), null))
                .hasMessage("keepalives_count must be between 1 and 1000 (was 0)");
        assertThatThrownBy(() -> NO_ENV.parse(Map.of("keepalives", "maybe"), null))
                .hasMessage("keepalives must be 1 or 0 (or true or false) (was \"maybe\")");
        assertThatThrownBy(() -> NO_ENV.parse(Map.of("sslmode", "allow"), null))
                .hasMessageContaining("'allow' is not supported");
        assertThatThrownBy(() -> NO_ENV.parse(Map.of(), "mysql://x/y"))
                .hasMessageStartingWith("connection URL must start with postgresql://");
        assertThatThrownBy(() -> NO_ENV.parse(Map.of(), "postgresql://h/db?foo=1"))
                .hasMessageStartingWith("connection URL parameter 'foo' is not supported");
        assertThatThrownBy(() -> NO_ENV.parse(Map.of(), "jdbc:postgresql://h/db?SSL=true"))
                .hasMessage("connection URL parameter ssl=true is pgjdbc's; use sslmode=verify-full (what pgjdbc's "
                        + "ssl=true does: encrypt and check the server's certificate and host name) or "
                        + "sslmode=require (encrypt only)");
        assertThatThrownBy(() -> NO_ENV.parse(Map.of(), "postgresql://h/db?ssl"))
                .hasMessageContaining("ssl=true is pgjdbc's; use sslmode=verify-full");
        assertThatThrownBy(() -> NO_ENV.parse(Map.of(), "host=h ssl=false"))
                .hasMessage("connection string keyword ssl=false is pgjdbc's; use sslmode=disable");
        assertThatThrownBy(() -> NO_ENV.parse(Map.of("ssl", false), null))
                .hasMessageStartingWith("unknown configuration key 'ssl': ssl=false is pgjdbc's; use sslmode=disable;"
                        + " known keys are host,");
        Map<String, Object> withNull = new HashMap<>();
        withNull.put("user", null);
        assertThatThrownBy(() -> NO_ENV.parse(withNull, null)).hasMessageContaining("'user' has a null value");
    }

    @Test
    void readsDurationsInTheirDocumentedUnits() {
        ConnectionSettings s =
                NO_ENV.parse(Map.of("connect_timeout", 3, "statement_timeout", 1500, "query_timeout", "2min"), null);

        assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(s.statementTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(s.queryTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(NO_ENV.parse(Map.of("query_timeout", Duration.ofMillis(250)), null)
                        .queryTimeout())
                .isEqualTo(Duration.ofMillis(250));
        assertThat(NO_ENV.parse(Map.of("statement_timeout", "PT1S"), null).statementTimeout())
                .isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void keepsThePasswordOutOfTextAndMessages() {
        ConnectionSettings s = NO_ENV.parse(Map.of("user", "u", "password", "S3cret!"), null);

        assertThat(s.toString()).doesNotContain("S3cret!").contains("password=<hidden>");
        assertThat(s.describe()).doesNotContain("S3cret!");
        assertThatThrownBy(() -> NO_ENV.parse(Map.of(), "mysql://u:S3cret!@h/db"))
                .hasMessageNotContaining("S3cret!");
    }
}
