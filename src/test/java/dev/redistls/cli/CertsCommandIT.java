package dev.redistls.cli;

import dev.redistls.pki.KeyType;
import dev.redistls.pki.KeysDir;
import dev.redistls.testing.Cli;
import dev.redistls.testing.Processes;
import dev.redistls.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A keys dir written by {@code certs} secures a real redis-server with mutual TLS, and three independent
 * clients (redis-cli, openssl s_client, the JDK's own TLS with HTTPS host name checks) accept it for the
 * node's name and refuse it for another.
 */
class CertsCommandIT {
    static final String HOST = "redis-node.test";

    @TempDir
    static Path work;
    static KeysDir keys;
    static RedisServer redis;
    static int tlsPort;

    @BeforeAll
    static void securedRedis() {
        keys = certs(work.resolve("keys"), KeyType.DEFAULT);
        tlsPort = RedisServer.freePort();
        redis = RedisServer.start(RedisServer.mutualTls(keys, tlsPort));
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void redisCliWithTheClientCertificateGetsPong() {
        Processes.Output out = redisCli(keys, tlsPort, true);
        assertThat(out.out().trim()).as(redis.log()).isEqualTo("PONG");
        assertThat(out.exitCode()).isZero();
    }

    @Test
    void redisCliWithoutAClientCertificateIsRefused() {
        Processes.Output out = redisCli(keys, tlsPort, false);
        assertThat(out.out()).doesNotContain("PONG");
        assertThat(out.exitCode()).isNotZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"-verify_hostname=" + HOST, "-verify_hostname=localhost", "-verify_ip=127.0.0.1", "-verify_ip=::1"})
    void opensslAcceptsTheNodeForEachOfItsNames(String check) {
        Processes.Output out = sClient(check.split("=", 2));
        assertThat(out.exitCode()).as(out.out()).isZero();
        assertThat(out.out()).contains("Verification: OK");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-verify_hostname=other-node.test", "-verify_hostname=redis-node", "-verify_ip=10.255.0.1"})
    void opensslRefusesTheNodeForAnotherName(String check) {
        Processes.Output out = sClient(check.split("=", 2));
        assertThat(out.exitCode()).as(out.out()).isNotZero();
        assertThat(out.out()).containsAnyOf("hostname mismatch", "IP address mismatch");
    }

    @Test
    void javaWithHttpsEndpointIdentificationAcceptsTheNodeName() throws Exception {
        try (SSLSocket s = javaTls(HOST)) {
            s.startHandshake();
            Certificate served = s.getSession().getPeerCertificates()[0];
            assertThat(served).isEqualTo(readCertificate(keys.serverCert()));
            assertThat(ping(s)).isEqualTo("+PONG");
        }
    }

    @Test
    void javaWithHttpsEndpointIdentificationAcceptsTheLoopbackAddress() throws Exception {
        try (SSLSocket s = javaTls("127.0.0.1")) {
            s.startHandshake();
            assertThat(ping(s)).isEqualTo("+PONG");
        }
    }

    @Test
    void javaWithHttpsEndpointIdentificationRefusesAnotherName() {
        assertThatThrownBy(() -> {
            try (SSLSocket s = javaTls("other-node.test")) {
                s.startHandshake();
            }
        }).isInstanceOf(SSLHandshakeException.class).hasMessageContaining("other-node.test");
    }

    /** Every key type makes a keys dir that Redis loads and serves. */
    @ParameterizedTest
    @EnumSource(KeyType.class)
    void redisServesCertificatesOfEveryKeyType(KeyType type) {
        KeysDir k = certs(work.resolve("keys-" + type.label()), type);
        int port = RedisServer.freePort();
        try (RedisServer r = RedisServer.start(RedisServer.mutualTls(k, port))) {
            Processes.Output out = redisCli(k, port, true);
            assertThat(out.out().trim()).as(r.log()).isEqualTo("PONG");
        }
    }

    static KeysDir certs(Path dir, KeyType type) {
        Cli.Result r = Cli.run("certs", "--keys-dir", dir.toString(), "--ca-home", dir.resolveSibling(dir.getFileName() + "-ca").toString(),
                "--hostname", HOST, "--key-type", type.label());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return KeysDir.local(dir);
    }

    static Processes.Output redisCli(KeysDir k, int port, boolean withClientCertificate) {
        return withClientCertificate
                ? Processes.run(null, List.of("redis-cli", "--tls", "--cacert", k.clientRoot().toString(), "--cert", k.clientCert().toString(),
                        "--key", k.clientKey().toString(), "-h", "127.0.0.1", "-p", String.valueOf(port), "PING"))
                : Processes.run(null, List.of("redis-cli", "--tls", "--cacert", k.clientRoot().toString(),
                        "-h", "127.0.0.1", "-p", String.valueOf(port), "PING"));
    }

    /** s_client as a strict client: the chain and the given name are checked, and any failure ends the handshake. */
    static Processes.Output sClient(String... nameCheck) {
        return Processes.run("", List.of("openssl", "s_client", "-connect", "127.0.0.1:" + tlsPort, "-brief",
                "-CAfile", keys.clientRoot().toString(), nameCheck[0], nameCheck[1], "-verify_return_error",
                "-cert", keys.clientCert().toString(), "-key", keys.clientKey().toString()));
    }

    /** A JDK TLS socket to the node that trusts only the root and checks {@code peerHost} as HTTPS clients do. */
    static SSLSocket javaTls(String peerHost) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("root", readCertificate(keys.clientRoot()));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);

        char[] password = "in-memory".toCharArray();
        KeyStore identity = KeyStore.getInstance("PKCS12");
        identity.load(null, null);
        identity.setKeyEntry("client", readPkcs8Key(keys.clientKey()), password,
                new Certificate[] {readCertificate(keys.clientCert())});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(identity, password);

        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        Socket plain = new Socket("127.0.0.1", tlsPort);
        plain.setSoTimeout(10_000);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(plain, peerHost, tlsPort, true);
        SSLParameters params = s.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        s.setSSLParameters(params);
        return s;
    }

    static String ping(SSLSocket s) throws Exception {
        s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        byte[] buf = new byte[64];
        int n = s.getInputStream().read(buf);
        return new String(buf, 0, Math.max(n, 0), StandardCharsets.US_ASCII).trim();
    }

    static Certificate readCertificate(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    /** Reads the PEM key with the JDK alone (not our Pem class): PKCS#8 is what the keys dir promises. */
    static PrivateKey readPkcs8Key(Path pem) throws Exception {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        assertThat(text).startsWith("-----BEGIN PRIVATE KEY-----");
        byte[] der = Base64.getMimeDecoder().decode(text.replaceAll("-----[A-Z ]+-----", ""));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        try {
            return KeyFactory.getInstance("EC").generatePrivate(spec);
        } catch (java.security.spec.InvalidKeySpecException notEc) {
            return KeyFactory.getInstance("RSA").generatePrivate(spec);
        }
    }
}
