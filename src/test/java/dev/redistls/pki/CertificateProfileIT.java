package dev.redistls.pki;

import dev.redistls.testing.Cli;
import dev.redistls.testing.Processes;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code certs} writes, for every key type, judged by OpenSSL rather than by our own parser: the chain
 * verifies, and the root, node and client certificates carry exactly the extensions PRODUCT.md promises.
 * One keys dir per key type is made once and shared by the checks (RSA-4096 keys take seconds).
 */
class CertificateProfileIT {
    static final String HOST = "node-a.example";
    static final String GROUP = "orders";
    static final String EXTRA_IP = "10.9.8.7";
    static final String EXTRA_DNS = "redis.internal";

    @TempDir
    static Path work;

    private static final Map<KeyType, KeysDir> ISSUED = new ConcurrentHashMap<>();

    /** A keys dir written by the CLI with a fresh CA home, so root and leaves all have {@code type}. */
    static KeysDir keysDir(KeyType type) {
        return ISSUED.computeIfAbsent(type, t -> {
            Path keys = work.resolve(t.label() + "/keys");
            Cli.Result r = Cli.run("certs", "--keys-dir", keys.toString(), "--ca-home", work.resolve(t.label() + "/" + GROUP).toString(),
                    "--hostname", HOST, "--san", EXTRA_IP, "--san", EXTRA_DNS, "--key-type", t.label(), "--owner", "root");
            assertThat(r.exitCode()).as(r.toString()).isZero();
            return KeysDir.local(keys);
        });
    }

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void nodeAndClientCertificatesVerifyAgainstTheRoot(KeyType type) {
        KeysDir k = keysDir(type);
        for (Path root : new Path[] {k.serverRoot(), k.clientRoot()}) {
            Processes.Output out = openssl("verify", "-CAfile", root.toString(), k.serverCert().toString(), k.clientCert().toString());
            assertThat(out.exitCode()).as(out.out()).isZero();
            assertThat(out.out()).contains(k.serverCert() + ": OK", k.clientCert() + ": OK");
        }
    }

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void rootIsAConstrainedCaThatOnlySignsCertificates(KeyType type) {
        String text = x509Text(keysDir(type).serverRoot());
        assertThat(text).contains("Version: 3 (0x2)");
        assertThat(extension(text, "Basic Constraints")).isEqualTo("critical\nCA:TRUE, pathlen:0");
        assertThat(extension(text, "Key Usage")).isEqualTo("critical\nCertificate Sign, CRL Sign");
        assertThat(extension(text, "Subject Key Identifier")).matches("[0-9A-F:]{59}");
        assertThat(text).doesNotContain("Extended Key Usage");
        // The root names the group (the CA home's folder name), not the first node's host.
        assertThat(text).contains("Subject: O = redis-tls, OU = " + GROUP + ", CN = redis-tls root CA " + GROUP);
        assertKeyType(text, type);
    }

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void nodeCertificateServesAndClientsForEveryNameOfTheNode(KeyType type) {
        KeysDir k = keysDir(type);
        String text = x509Text(k.serverCert());
        assertThat(text).contains("Version: 3 (0x2)", "Subject: O = redis-tls, CN = " + HOST);
        assertThat(extension(text, "Basic Constraints")).isEqualTo("critical\nCA:FALSE");
        assertThat(extension(text, "Key Usage")).isEqualTo(type.isRsa()
                ? "critical\nDigital Signature, Key Encipherment" : "critical\nDigital Signature");
        assertThat(extension(text, "Extended Key Usage"))
                .isEqualTo("TLS Web Server Authentication, TLS Web Client Authentication");
        assertThat(extension(text, "Subject Alternative Name").split(", "))
                .contains("DNS:" + HOST, "DNS:localhost", "DNS:" + EXTRA_DNS,
                        "IP Address:127.0.0.1", "IP Address:0:0:0:0:0:0:0:1", "IP Address:" + EXTRA_IP);
        assertIdentifiesItsIssuer(text, k);
        assertKeyType(text, type);
    }

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void clientCertificateOnlyClients(KeyType type) {
        KeysDir k = keysDir(type);
        String text = x509Text(k.clientCert());
        assertThat(text).contains("Version: 3 (0x2)", "Subject: O = redis-tls, CN = client");
        assertThat(extension(text, "Basic Constraints")).isEqualTo("critical\nCA:FALSE");
        assertThat(extension(text, "Extended Key Usage")).isEqualTo("TLS Web Client Authentication");
        assertThat(text).doesNotContain("Subject Alternative Name");
        assertIdentifiesItsIssuer(text, k);
        assertKeyType(text, type);
    }

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void serialsAreRandomAndAtLeast128Bits(KeyType type) {
        KeysDir k = keysDir(type);
        BigInteger root = serial(k.serverRoot());
        BigInteger server = serial(k.serverCert());
        BigInteger client = serial(k.clientCert());
        for (BigInteger s : new BigInteger[] {root, server, client}) {
            assertThat(s.bitLength()).isBetween(128, 159);
        }
        assertThat(server).isNotEqualTo(client).isNotEqualTo(root);
    }

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void keysArePkcs8AndBelongToTheirCertificates(KeyType type) throws Exception {
        KeysDir k = keysDir(type);
        for (Path[] pair : new Path[][] {{k.serverCert(), k.serverKey()}, {k.clientCert(), k.clientKey()}}) {
            assertThat(Files.readString(pair[1])).startsWith("-----BEGIN PRIVATE KEY-----\n");
            Processes.Output fromKey = openssl("pkey", "-in", pair[1].toString(), "-pubout");
            Processes.Output fromCert = openssl("x509", "-in", pair[0].toString(), "-pubkey", "-noout");
            assertThat(fromKey.exitCode()).as(fromKey.out()).isZero();
            assertThat(fromKey.out()).isEqualTo(fromCert.out());
        }
    }

    private static void assertIdentifiesItsIssuer(String leafText, KeysDir k) {
        String rootSki = extension(x509Text(k.serverRoot()), "Subject Key Identifier");
        assertThat(extension(leafText, "Subject Key Identifier")).matches("[0-9A-F:]{59}").isNotEqualTo(rootSki);
        // The key id only: no issuer name and serial that would tie the leaf to one root certificate.
        assertThat(extension(leafText, "Authority Key Identifier")).isIn(rootSki, "keyid:" + rootSki);
    }

    private static void assertKeyType(String text, KeyType type) {
        String bits = type.label().replaceAll("\\D", "");
        if (type.isRsa()) {
            assertThat(text).contains("Public Key Algorithm: rsaEncryption", "Public-Key: (" + bits + " bit)");
        } else {
            assertThat(text).contains("Public Key Algorithm: id-ecPublicKey", "NIST CURVE: P-" + bits);
        }
    }

    static String x509Text(Path cert) {
        Processes.Output out = openssl("x509", "-in", cert.toString(), "-text", "-noout");
        assertThat(out.exitCode()).as(out.out()).isZero();
        return out.out();
    }

    /** The value of one X509v3 extension as {@code openssl x509 -text} prints it ("critical" on its own line). */
    static String extension(String text, String name) {
        Matcher m = Pattern.compile("X509v3 " + Pattern.quote(name) + ":( critical)?\\s*\\n((?: {16}.*\\n)+)").matcher(text);
        if (!m.find()) {
            return "";
        }
        String value = m.group(2).lines().map(String::trim).reduce((a, b) -> a + "\n" + b).orElse("");
        return m.group(1) != null ? "critical\n" + value : value;
    }

    static BigInteger serial(Path cert) {
        Processes.Output out = openssl("x509", "-in", cert.toString(), "-serial", "-noout");
        assertThat(out.out()).startsWith("serial=");
        return new BigInteger(out.out().trim().substring("serial=".length()), 16);
    }

    static Processes.Output openssl(String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "openssl";
        System.arraycopy(args, 0, cmd, 1, args.length);
        return Processes.run(cmd);
    }
}
