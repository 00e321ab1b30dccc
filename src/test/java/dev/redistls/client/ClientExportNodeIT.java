package dev.redistls.client;

import dev.redistls.testing.ClientExportFixture;
import dev.redistls.testing.NodeClients;
import dev.redistls.testing.PrintedSnippets;
import dev.redistls.testing.Processes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static dev.redistls.testing.ClientExportFixture.HOST;
import static dev.redistls.testing.ClientExportFixture.WRONG_HOST;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The node-redis and ioredis modules that {@code client export --format pem} prints, saved as files unchanged and
 * run by node with the clients pinned in src/test/client-apps/node: they connect with the exported PEM files to a
 * mutual-TLS Redis, verify its host name, SET and GET. A foreign root, a wrong host name and a missing client
 * certificate each fail with their own error.
 */
class ClientExportNodeIT {
    @TempDir static Path tmp;
    static ClientExportFixture fixture;
    static NodeClients node;
    static ClientExportFixture.Export pem;
    static ClientExportFixture.Export foreignRoot;

    @BeforeAll
    static void start() throws Exception {
        fixture = ClientExportFixture.start(tmp);
        node = NodeClients.install();
        pem = fixture.export("pem", "pem");
        foreignRoot = fixture.exportTrustingAForeignRoot("pem", "foreign-root");
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"node-redis", "ioredis"})
    void printedModuleConnectsVerifiesTheHostAndSetsAndGets(String client) {
        String key = "node:" + client;
        Processes.Output run = node.run(client, client, pem.snippet(client), fixture.env(HOST), key, "set by " + client);
        assertThat(run.exitCode()).as(run.out()).isZero();
        assertThat(run.out()).contains(client + " GET " + key + " = set by " + client);
        assertThat(fixture.valueAt(key)).isEqualTo("set by " + client);
    }

    @ParameterizedTest
    @ValueSource(strings = {"node-redis", "ioredis"})
    void aNameTheCertificateDoesNotCarryIsRefused(String client) {
        Processes.Output run = node.run(client, client, pem.snippet(client), fixture.env(WRONG_HOST), "node:never", "x");
        assertFailed(run, "error: ERR_TLS_CERT_ALTNAME_INVALID Hostname/IP does not match certificate's altnames: IP: "
                + WRONG_HOST + " is not in the cert's list");
    }

    @ParameterizedTest
    @ValueSource(strings = {"node-redis", "ioredis"})
    void aForeignRootIsRefused(String client) {
        Processes.Output run = node.run(client, client + "-foreign-root", foreignRoot.snippet(client), fixture.env(HOST),
                "node:never", "x");
        assertFailed(run, "error: SELF_SIGNED_CERT_IN_CHAIN self-signed certificate in certificate chain");
    }

    @ParameterizedTest
    @ValueSource(strings = {"node-redis", "ioredis"})
    void withoutTheClientCertificateTheServerRefuses(String client) {
        String noCert = PrintedSnippets.without(PrintedSnippets.without(pem.snippet(client), "cert:"), "key:");
        long refusedBefore = fixture.refusedWithoutCertificate();
        Processes.Output run = node.run(client, client + "-no-cert", noCert, fixture.env(HOST), "node:never", "x");
        // TLS 1.3: the server refuses after the client's handshake is done, so the client reads either the alert or
        // a reset, whichever comes first; the server's log says which connection it refused and why.
        assertFailed(run, "error: ");
        assertThat(run.out()).containsAnyOf("error: ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED", "error: ECONNRESET");
        assertThat(fixture.refusedWithoutCertificate()).isGreaterThan(refusedBefore);
    }

    private static void assertFailed(Processes.Output run, String error) {
        assertThat(run.exitCode()).as(run.out()).isEqualTo(1);
        assertThat(run.out()).contains(error).doesNotContain(" GET ").doesNotContain(ClientExportFixture.PASSWORD);
    }
}
