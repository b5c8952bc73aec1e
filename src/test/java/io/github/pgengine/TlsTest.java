package io.github.pgengine;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.testing.Await;
import io.github.pgengine.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** TLS with sslmode require and verify-full against the local PostgreSQL, with a CA the test generates. */
class TlsTest {
    private static TestPostgres pg;
    private static Path dir;

    @BeforeAll
    static void tls() throws Exception {
        pg = TestPostgres.get();
        Assumptions.assumeTrue(pg.canRestart(), "TLS set-up needs the local cluster; backend is " + pg.source());
        dir = Files.createTempDirectory("pgengine-tls-");
        Files.writeString(dir.resolve("san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
        openssl(
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "ca.key",
                "-out",
                "ca.crt",
                "-days",
                "2",
                "-subj",
                "/CN=pgengine-test-ca");
        openssl(
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "other-ca.key",
                "-out",
                "other-ca.crt",
                "-days",
                "2",
                "-subj",
                "/CN=some-other-ca");
        openssl(
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
                "-subj",
                "/CN=localhost");
        openssl(
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                "server.crt",
                "-days",
                "2",
                "-extfile",
                "san.ext");
        pg.enableTls(dir.resolve("server.crt"), dir.resolve("server.key"));
    }

    private static void openssl(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    private static boolean usesTls(Map<String, Object> overrides) {
        Map<String, Object> config = new HashMap<>(pg.config());
        config.putAll(overrides);
        PostgresEngine e = new PostgresEngine(config);
        try {
            return Await.result(e.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"))
                    .get(0)
                    .getBoolean("ssl");
        } finally {
            Await.result(e.close());
        }
    }

    @Test
    void connectsWithSslmodeRequire() {
        assertThat(usesTls(Map.of("sslmode", "require"))).isTrue();
        assertThat(usesTls(Map.of("sslmode", "disable"))).isFalse();
    }

    @Test
    void verifiesTheServerCertificateWithVerifyFull() {
        assertThat(usesTls(Map.of(
                        "sslmode",
                        "verify-full",
                        "host",
                        "127.0.0.1",
                        "sslrootcert",
                        dir.resolve("ca.crt").toString())))
                .isTrue();
    }

    @Test
    void refusesAServerCertificateFromAnotherAuthority() {
        Map<String, Object> config = new HashMap<>(pg.config());
        config.put("sslmode", "verify-full");
        config.put("sslrootcert", dir.resolve("other-ca.crt").toString());
        PostgresEngine e = new PostgresEngine(config);
        try {
            Throwable error = Await.failure(e.query("select 1"));
            assertThat(error).isInstanceOf(ConnectionException.class).hasMessageNotContaining(pg.password());
        } finally {
            Await.result(e.close());
        }
    }
}
