package dev.redistls.install;

import dev.redistls.pki.CertificateAuthority;
import dev.redistls.pki.IssuedCertificate;
import dev.redistls.pki.KeyType;
import dev.redistls.pki.Pem;
import dev.redistls.testing.Cli;
import dev.redistls.testing.Processes;
import dev.redistls.testing.RedisServer;
import dev.redistls.testing.SClient;
import dev.redistls.testing.StockRedis;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import javax.security.auth.x500.X500Principal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.redistls.install.MutualTlsMatrixIT.Client.EXPIRED;
import static dev.redistls.install.MutualTlsMatrixIT.Client.FOREIGN;
import static dev.redistls.install.MutualTlsMatrixIT.Client.NONE;
import static dev.redistls.install.MutualTlsMatrixIT.Client.VALID;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who gets in under each {@code tls-auth-clients} setting, judged by the real redis-cli and by openssl s_client:
 * {no client certificate, one from another root, an expired one, a valid one} x {no, optional, yes}.
 * One redis-server for the whole table; the setting changes live with {@code configure --auth-clients}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MutualTlsMatrixIT {
    static final String PASSWORD = "s3cret-matrix";

    enum Client { NONE, FOREIGN, EXPIRED, VALID }

    /** The alert a refused client reads: it names why, so a refusal for another reason fails the cell. */
    static final Map<Client, String> REFUSAL = Map.of(
            NONE, "alert certificate required", FOREIGN, "alert unknown ca", EXPIRED, "alert certificate expired");

    @TempDir static Path tmp;
    RedisServer redis;
    Path keys;
    Path ca;
    int tlsPort;
    String auth;
    final Map<Client, Path[]> certs = new java.util.EnumMap<>(Client.class);
    X509Certificate expired;

    @BeforeAll
    void installAndMakeTheBadCertificates() throws Exception {
        redis = StockRedis.prepare(PASSWORD).start();
        keys = tmp.resolve("tls");
        ca = tmp.resolve("ca");
        tlsPort = RedisServer.freePort();
        Cli.Result install = Cli.run("install", "--conf", redis.conf().toString(), "--keys-dir", keys.toString(),
                "--ca-home", ca.toString(), "--tls-port", "" + tlsPort, "--auth-clients", "no", "--firewall", "none");
        assertThat(install.exitCode()).as(install.toString()).isZero();
        auth = "no";

        certs.put(VALID, new Path[] {keys.resolve("client/client.crt"), keys.resolve("client/client.key")});
        IssuedCertificate foreign = CertificateAuthority.createRoot("other", KeyType.EC_P256, 30)
                .issueClient("intruder", KeyType.EC_P256, 30);
        certs.put(FOREIGN, write("foreign", foreign.certificate(), foreign.privateKey()));
        KeyPair pair = KeyType.EC_P256.generate();
        expired = expiredClient(Pem.readCertificate(ca.resolve("root.crt")), Pem.readPrivateKey(ca.resolve("root.key")), pair);
        certs.put(EXPIRED, write("expired", expired, pair.getPrivate()));
    }

    @AfterAll
    void stop() {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    @Order(1)
    void eachBadCertificateHasExactlyOneFault() {
        Path root = keys.resolve("client/root.crt");
        assertThat(verify(root, VALID)).endsWith(": OK\n");
        assertThat(verify(root, FOREIGN)).contains("unable to get local issuer certificate");
        assertThat(verify(root, EXPIRED)).contains("certificate has expired");
        // Within its validity the expired certificate is a good client certificate of our root: only time refuses it.
        long midLife = (expired.getNotBefore().getTime() + expired.getNotAfter().getTime()) / 2000;
        assertThat(verify(root, EXPIRED, "-attime", "" + midLife)).endsWith(": OK\n");
    }

    static Stream<Arguments> everyClientUnderEverySetting() {
        return Stream.of(
                Arguments.of("no", NONE, true),
                Arguments.of("no", FOREIGN, true),
                Arguments.of("no", EXPIRED, true),
                Arguments.of("no", VALID, true),
                Arguments.of("optional", NONE, true),
                Arguments.of("optional", FOREIGN, false),
                Arguments.of("optional", EXPIRED, false),
                Arguments.of("optional", VALID, true),
                Arguments.of("yes", NONE, false),
                Arguments.of("yes", FOREIGN, false),
                Arguments.of("yes", EXPIRED, false),
                Arguments.of("yes", VALID, true));
    }

    @Order(2)
    @ParameterizedTest(name = "tls-auth-clients {0}, client certificate {1}: accepted {2}")
    @MethodSource("everyClientUnderEverySetting")
    void exactlyTheExpectedClientsGetIn(String setting, Client client, boolean accepted) {
        if (!setting.equals(auth)) {
            Cli.Result r = Cli.run("configure", "--conf", redis.conf().toString(), "--keys-dir", keys.toString(),
                    "--auth-clients", setting, "--firewall", "none");
            assertThat(r.exitCode()).as(r.toString()).isZero();
            auth = setting;
        }

        Processes.Output cli = Processes.run(null, Map.of("REDISCLI_AUTH", PASSWORD), redisCli(client));
        assertThat(cli.out().strip().equals("PONG")).as("redis-cli: %s", cli.out()).isEqualTo(accepted);

        List<String> options = new ArrayList<>(List.of("-CAfile", keys.resolve("client/root.crt").toString(), "-verify_return_error"));
        if (client != NONE) {
            options.addAll(List.of("-cert", certs.get(client)[0].toString(), "-key", certs.get(client)[1].toString()));
        }
        // The password goes in through stdin, never argv.
        SClient.Session s = SClient.talk(tlsPort, "AUTH " + PASSWORD + "\r\nPING\r\nQUIT\r\n", options);
        assertThat(s.pong()).as("s_client:\n%s", s.summary()).isEqualTo(accepted);
        assertThat(s.certificateRequested()).as("server asks for a certificate:\n%s", s.summary())
                .isEqualTo(!"no".equals(setting));
        if (!accepted) {
            assertThat(s.output()).as(s.summary()).contains(REFUSAL.get(client));
        }
    }

    private List<String> redisCli(Client client) {
        List<String> c = new ArrayList<>(List.of("redis-cli", "--tls", "-h", "127.0.0.1", "-p", "" + tlsPort,
                "--cacert", keys.resolve("client/root.crt").toString()));
        if (client != NONE) {
            c.addAll(List.of("--cert", certs.get(client)[0].toString(), "--key", certs.get(client)[1].toString()));
        }
        c.add("PING");
        return c;
    }

    private String verify(Path root, Client client, String... more) {
        List<String> c = new ArrayList<>(List.of("openssl", "verify", "-CAfile", root.toString(), "-purpose", "sslclient"));
        c.addAll(List.of(more));
        c.add(certs.get(client)[0].toString());
        return Processes.run(null, c).out();
    }

    private Path[] write(String name, X509Certificate cert, PrivateKey key) throws Exception {
        Path crt = Files.writeString(tmp.resolve(name + ".crt"), Pem.encode(cert));
        Path k = tmp.resolve(name + ".key");
        Files.createFile(k, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(k, Pem.encode(key));
        return new Path[] {crt, k};
    }

    /**
     * A client certificate of our own root with the client profile's extensions, expired a minute ago. It starts after
     * the root does (the root was made an hour back-dated, moments ago), so that expiry is its only fault.
     * {@link CertificateAuthority} refuses to issue into the past, so it is signed here.
     */
    private static X509Certificate expiredClient(X509Certificate root, PrivateKey rootKey, KeyPair pair) throws Exception {
        Instant now = Instant.now();
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        var builder = new JcaX509v3CertificateBuilder(root, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(root.getNotBefore().toInstant().plus(Duration.ofMinutes(1))), Date.from(now.minus(Duration.ofMinutes(1))),
                new X500Principal("O=redis-tls,CN=expired"), pair.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
        builder.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
        builder.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(root));
        return new JcaX509CertificateConverter().getCertificate(builder.build(
                new JcaContentSignerBuilder(KeyType.of(rootKey).signatureAlgorithm()).build(rootKey)));
    }
}
