package dev.redistls.client;

import dev.redistls.pki.CertProfile;
import dev.redistls.pki.CertificateAuthority;
import dev.redistls.pki.KeyType;
import dev.redistls.pki.TlsContexts;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.KeyPair;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The client's own check that a server certificate is for the name connected to. JSSE's HTTPS endpoint
 * identification is the judge: each case is also a real handshake with it, which must agree.
 */
class ServerNameTest {
    private static final CertificateAuthority CA = CertificateAuthority.createRoot("server-name", KeyType.EC_P256, 30);

    /** A certificate with common name {@code cn} and these subject alternative names (DNS, or IP when numeric). */
    record Cert(String cn, List<String> sans) {
        X509Certificate issue(KeyPair pair) {
            GeneralNames names = sans.isEmpty() ? null : new GeneralNames(sans.stream()
                    .map(s -> new GeneralName(s.matches("[0-9.:]+") ? GeneralName.iPAddress : GeneralName.dNSName, s))
                    .toArray(GeneralName[]::new));
            return CA.issue(CertProfile.NODE, cn, pair.getPublic(), names, 1);
        }
    }

    /** {@code refusal}: null when accepted. {@code jsseAccepts}: JSSE's verdict, the same except where noted. */
    record Case(Cert cert, String name, String refusal, boolean jsseAccepts) {
        Case(Cert cert, String name, String refusal) {
            this(cert, name, refusal, refusal == null);
        }

        @Override
        public String toString() {
            return name + " against CN=" + cert.cn() + " " + cert.sans() + (refusal == null ? ": accepted" : ": refused");
        }
    }

    static Stream<Case> cases() {
        Cert node = new Cert("redis.example.com", List.of("redis.example.com", "*.cache.example.com", "127.0.0.1", "::1"));
        Cert ipOnly = new Cert("redis.example.com", List.of("127.0.0.1"));
        Cert cnOnly = new Cert("node.test", List.of());
        Cert topLevelWildcard = new Cert("x", List.of("*.com"));
        return Stream.of(
                new Case(node, "redis.example.com", null),
                new Case(node, "REDIS.Example.COM", null),
                new Case(node, "a.cache.example.com", null),
                new Case(node, "a.b.cache.example.com", "No subject alternative DNS name matching a.b.cache.example.com found."),
                new Case(node, "cache.example.com", "No subject alternative DNS name matching cache.example.com found."),
                new Case(node, "other.example.com", "No subject alternative DNS name matching other.example.com found."),
                new Case(node, "127.0.0.1", null),
                new Case(node, "::1", null),
                new Case(node, "0:0:0:0:0:0:0:1", null),
                new Case(node, "127.0.0.2", "No subject alternative names matching IP address 127.0.0.2 found"),
                // The DNS name of the certificate's own IP address is not that address.
                new Case(ipOnly, "127.0.0.2", "No subject alternative names matching IP address 127.0.0.2 found"),
                // Without a dNSName, the common name stands in for one (as JSSE does).
                new Case(ipOnly, "redis.example.com", null),
                new Case(cnOnly, "node.test", null),
                new Case(cnOnly, "other.test", "No name matching other.test found"),
                // Stricter than JSSE, which refuses such a wildcard only in a chain to a public root.
                new Case(topLevelWildcard, "example.com", "No subject alternative DNS name matching example.com found.", true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void agreesWithHttpsEndpointIdentification(Case c) throws Exception {
        KeyPair pair = KeyType.EC_P256.generate();
        X509Certificate cert = c.cert().issue(pair);
        if (c.refusal() == null) {
            ServerName.verify(cert, c.name());
        } else {
            assertThatThrownBy(() -> ServerName.verify(cert, c.name())).isInstanceOf(CertificateException.class)
                    .hasMessage(c.refusal());
        }
        assertThat(jsseAccepts(cert, pair, c.name())).as("JSSE's verdict").isEqualTo(c.jsseAccepts());
    }

    /** A handshake on loopback with a server presenting {@code cert}, the client checking it for {@code name}. */
    private static boolean jsseAccepts(X509Certificate cert, KeyPair pair, String name) throws Exception {
        SSLContext server = SSLContext.getInstance("TLS");
        server.init(new javax.net.ssl.KeyManager[] {TlsContexts.keyManager(pair.getPrivate(), new X509Certificate[] {cert})}, null, null);
        SSLContext client = TlsContexts.create(CA.certificate(), null, null);
        try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (SSLSocket s = (SSLSocket) listener.accept()) {
                    s.startHandshake();
                    s.getInputStream().read();
                } catch (IOException ignored) {
                    // the client's verdict is what counts
                }
            });
            try (Socket raw = new Socket()) {
                raw.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()));
                SSLSocket tls = (SSLSocket) client.getSocketFactory().createSocket(raw, name, listener.getLocalPort(), false);
                SSLParameters p = tls.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                tls.setSSLParameters(p);
                try {
                    tls.startHandshake();
                    return true;
                } catch (SSLException refused) {
                    return false;
                } finally {
                    tls.close();
                    served.join();
                }
            }
        }
    }
}
