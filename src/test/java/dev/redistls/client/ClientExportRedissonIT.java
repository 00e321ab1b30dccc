package dev.redistls.client;

import dev.redistls.testing.ClientApp;
import dev.redistls.testing.ClientExportFixture;
import dev.redistls.testing.PrintedSnippets;
import dev.redistls.testing.Processes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static dev.redistls.testing.ClientExportFixture.HOST;
import static dev.redistls.testing.ClientExportFixture.WRONG_HOST;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Redisson YAML that {@code client export --format pkcs12} prints, saved unchanged and read by
 * Config.fromYAML in a minimal Redisson application (src/test/client-apps/redisson): it connects with the exported
 * key and trust stores to a mutual-TLS Redis, verifies the host name (STRICT), SETs and GETs. A foreign root, a
 * wrong host name and a missing client certificate each fail with their own error.
 */
class ClientExportRedissonIT {
    @TempDir static Path tmp;
    static ClientExportFixture fixture;
    static ClientApp redisson;
    static String yaml;
    static String foreignRootYaml;

    @BeforeAll
    static void start() throws Exception {
        fixture = ClientExportFixture.start(tmp);
        redisson = ClientApp.build("redisson", "redisson", "dev.redistls.check.RedissonCheck");
        yaml = fixture.export("pkcs12", "pkcs12").snippet("Redisson");
        foreignRootYaml = fixture.exportTrustingAForeignRoot("pkcs12", "foreign-root").snippet("Redisson");
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void thePrintedYamlConnectsVerifiesTheHostAndSetsAndGets() throws IOException {
        Processes.Output run = run("redisson", yaml, fixture.env(HOST), "redisson:set", "set by Redisson");
        assertThat(run.exitCode()).as(run.out()).isZero();
        assertThat(run.out()).contains("Redisson GET redisson:set = set by Redisson");
        assertThat(fixture.valueAt("redisson:set")).isEqualTo("set by Redisson");
    }

    @Test
    void aNameTheCertificateDoesNotCarryIsRefused() throws IOException {
        Processes.Output run = run("redisson", yaml, fixture.env(WRONG_HOST), "redisson:never", "x");
        assertFailed(run, "javax.net.ssl.SSLHandshakeException: No subject alternative names matching IP address "
                + WRONG_HOST + " found");
    }

    @Test
    void aForeignRootIsRefused() throws IOException {
        Processes.Output run = run("foreign-root", foreignRootYaml, fixture.env(HOST), "redisson:never", "x");
        assertFailed(run, "javax.net.ssl.SSLHandshakeException: PKIX path building failed");
    }

    @Test
    void withoutTheClientCertificateTheServerRefuses() throws IOException {
        long refusedBefore = fixture.refusedWithoutCertificate();
        Processes.Output run = run("no-client-certificate", PrintedSnippets.without(yaml, "sslKeystore"),
                fixture.env(HOST), "redisson:never", "x");
        // TLS 1.3: the server refuses once the client's handshake is done; the client reads the alert or a reset.
        assertFailed(run, "Unable to connect to Redis server");
        assertThat(run.out()).containsAnyOf("SSLHandshakeException: Received fatal alert: certificate_required",
                "Connection reset");
        assertThat(fixture.refusedWithoutCertificate()).isGreaterThan(refusedBefore);
    }

    private static Processes.Output run(String name, String config, Map<String, String> env, String key, String value)
            throws IOException {
        Path file = tmp.resolve(name + ".yaml");
        Files.writeString(file, config);
        return redisson.run(env, file.toString(), key, value);
    }

    private static void assertFailed(Processes.Output run, String error) {
        assertThat(run.exitCode()).as(run.out()).isEqualTo(1);
        assertThat(run.out()).contains(error).doesNotContain(" GET ").doesNotContain(ClientExportFixture.PASSWORD)
                .doesNotContain(ClientExportFixture.STORE_PASSWORD);
    }
}
