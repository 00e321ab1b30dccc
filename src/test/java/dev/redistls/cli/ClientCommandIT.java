package dev.redistls.cli;

import dev.redistls.pki.KeysDir;
import dev.redistls.pki.Pem;
import dev.redistls.testing.Cli;
import dev.redistls.testing.JavaSnippet;
import dev.redistls.testing.PrintedSnippets;
import dev.redistls.testing.Processes;
import dev.redistls.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * client issue/export, judged by the libraries applications use: Jedis, Lettuce, redis-py, redis-cli, keytool and
 * openssl read the exported files unchanged and connect with host name verification on. The printed redis-cli,
 * redis-py, Jedis and Lettuce snippets run as printed (the Java ones as a source file, {@link JavaSnippet}), against a
 * server that requires client certificates; redis-cli reads back what the Java clients wrote.
 */
class ClientCommandIT {
    static final String PASSWORD = "bundle-test-password";
    static final String STORE_PASSWORD = "store-pass-123";

    @TempDir static Path tmp;
    static KeysDir keys;
    static Path caHome;
    static RedisServer redis;
    static int tlsPort;
    static Path passwordFile;

    @BeforeAll
    static void start() throws Exception {
        keys = KeysDir.local(tmp.resolve("keys"));
        caHome = tmp.resolve("ca");
        Cli.Result made = Cli.run("certs", "--keys-dir", keys.dir().toString(), "--ca-home", caHome.toString(),
                "--hostname", "node1.redis-tls.test");
        assertThat(made.exitCode()).as(made.toString()).isZero();
        Cli.Result issued = Cli.run("client", "issue", "billing", "--keys-dir", keys.dir().toString(),
                "--ca-home", caHome.toString());
        assertThat(issued.exitCode()).as(issued.toString()).isZero();
        passwordFile = tmp.resolve("store.pass");
        Files.writeString(passwordFile, STORE_PASSWORD + "\n");
        tlsPort = RedisServer.freePort();
        redis = RedisServer.start(RedisServer.mutualTls(keys, tlsPort) + "requirepass " + PASSWORD + "\n");
        RedisServer.awaitListening(tlsPort);
    }

    @AfterAll
    static void stop() {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void issueMakesAClientAuthCertificateNamedForTheApplication() throws Exception {
        X509Certificate cert = Pem.readCertificate(keys.clientCert("billing"));
        assertThat(cert.getSubjectX500Principal().getName()).contains("CN=billing");
        assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        assertThat(cert.getIssuerX500Principal()).isEqualTo(Pem.readCertificate(keys.clientRoot()).getSubjectX500Principal());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.clientKey("billing")))).isEqualTo("rw-------");
        // the server accepts it
        Console withPassword = Console.SYSTEM.withTerminal(false).withEnv(n -> n.equals("REDISCLI_AUTH") ? PASSWORD : null);
        Cli.Result ping = Cli.run(withPassword, "cli", "--tls", "-h", "localhost", "-p", String.valueOf(tlsPort),
                "--cacert", keys.clientRoot().toString(), "--cert", keys.clientCert("billing").toString(),
                "--key", keys.clientKey("billing").toString(), "PING");
        assertThat(ping.out()).as(ping.toString()).isEqualTo("PONG\n");
    }

    @Test
    void issueRefusesExistingUnlessForcedBadNamesAndAForeignRoot() {
        String kd = keys.dir().toString();
        Cli.Result again = Cli.run("client", "issue", "billing", "--keys-dir", kd, "--ca-home", caHome.toString());
        assertThat(again.exitCode()).isEqualTo(2);
        assertThat(again.err()).contains("already exists: pass --force to re-issue it");
        Cli.Result forced = Cli.run("client", "issue", "reissued", "--keys-dir", kd, "--ca-home", caHome.toString());
        assertThat(forced.exitCode()).isZero();
        assertThat(Cli.run("client", "issue", "reissued", "--keys-dir", kd, "--ca-home", caHome.toString(), "--force")
                .exitCode()).isZero();
        for (String bad : List.of("../evil", "a/b", "root", ".hidden", "")) {
            Cli.Result r = Cli.run("client", "issue", bad, "--keys-dir", kd, "--ca-home", caHome.toString());
            assertThat(r.exitCode()).as(bad).isEqualTo(2);
        }
        Cli.Result foreign = Cli.run("client", "issue", "other", "--keys-dir", kd, "--ca-home", tmp.resolve("other-ca").toString());
        assertThat(foreign.exitCode()).isEqualTo(2);
        Cli.run("ca", "init", "--ca-home", tmp.resolve("other-ca2").toString());
        Cli.Result otherRoot = Cli.run("client", "issue", "other", "--keys-dir", kd, "--ca-home", tmp.resolve("other-ca2").toString());
        assertThat(otherRoot.exitCode()).isEqualTo(2);
        assertThat(otherRoot.err()).contains("trusts another root");
        assertThat(Files.exists(keys.clientCert("other"))).isFalse();
    }

    @Test
    void pkcs12ExportWorksWithJedisLettuceKeytoolAndOpenssl() throws Exception {
        Path out = tmp.resolve("p12");
        Cli.Result r = Cli.run("client", "export", "billing", "--format", "pkcs12", "--out", out.toString(),
                "--password-file", passwordFile.toString(), "--keys-dir", keys.dir().toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("billing.p12", "truststore.p12", "Jedis:", "Lettuce:", "Spring Boot", "Redisson",
                "redis-py:", "node-redis", "ioredis", "redis-cli:");
        Path p12 = out.resolve("billing.p12");
        Path trust = out.resolve("truststore.p12");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p12))).isEqualTo("rw-------");

        // The printed Jedis and Lettuce snippets, run unchanged; what each made writes a key that redis-cli reads back.
        Map<String, String> env = new HashMap<>(snippetEnv());
        env.put("REDIS_STORE_PASSWORD", STORE_PASSWORD);
        Processes.Output jedis = JavaSnippet.run(tmp.resolve("java"), "jedis-p12", PrintedSnippets.section(r.out(), "Jedis:"),
                jedisSetGet("p12:jedis"), env);
        assertThat(jedis.exitCode()).as(jedis.out()).isZero();
        assertThat(jedis.out()).contains("GET p12:jedis = set by jedis");
        assertThat(redisCliGet("p12:jedis")).isEqualTo("set by jedis");
        Processes.Output lettuce = JavaSnippet.run(tmp.resolve("java"), "lettuce-p12", PrintedSnippets.section(r.out(), "Lettuce:"),
                lettuceSetGet("p12:lettuce"), env);
        assertThat(lettuce.exitCode()).as(lettuce.out()).isZero();
        assertThat(lettuce.out()).contains("GET p12:lettuce = set by lettuce");
        assertThat(redisCliGet("p12:lettuce")).isEqualTo("set by lettuce");

        for (Path store : List.of(p12, trust)) {
            Processes.Output kt = judge("keytool", "-list", "-keystore", store.toString(), "-storetype", "PKCS12",
                    "-storepass:file", passwordFile.toString());
            assertThat(kt.exitCode()).as(kt.out()).isZero();
            assertThat(kt.out()).contains(store == p12 ? "PrivateKeyEntry" : "trustedCertEntry");
            Processes.Output ossl = judge("openssl", "pkcs12", "-in", store.toString(), "-passin",
                    "file:" + passwordFile, "-nokeys");
            assertThat(ossl.exitCode()).as(ossl.out()).isZero();
            assertThat(ossl.out()).contains("BEGIN CERTIFICATE");
        }
        Processes.Output key = judge("openssl", "pkcs12", "-in", p12.toString(), "-passin",
                "file:" + passwordFile, "-nocerts", "-nodes");
        assertThat(key.exitCode()).as(key.out()).isZero();
        assertThat(key.out()).contains("BEGIN PRIVATE KEY");
    }

    @Test
    void pkcs12NeedsAPasswordFile() {
        Cli.Result r = Cli.run("client", "export", "billing", "--format", "pkcs12", "--out", tmp.resolve("nopw").toString(),
                "--keys-dir", keys.dir().toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: --password-file is required\n");
    }

    /** The Lettuce snippet without its key store line: the server, which requires a client certificate, refuses it and says why. */
    @Test
    void withoutItsKeyStoreTheLettuceSnippetIsRefused() {
        Path out = tmp.resolve("p12-no-keystore");
        Cli.Result r = Cli.run("client", "export", "billing", "--format", "pkcs12", "--out", out.toString(),
                "--password-file", passwordFile.toString(), "--keys-dir", keys.dir().toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        Map<String, String> env = new HashMap<>(snippetEnv());
        env.put("REDIS_STORE_PASSWORD", STORE_PASSWORD);
        long refusedBefore = refusedWithoutCertificate();
        Processes.Output run = JavaSnippet.run(tmp.resolve("java"), "lettuce-no-keystore",
                PrintedSnippets.without(PrintedSnippets.section(r.out(), "Lettuce:"), ".keystore("), lettuceSetGet("never:lettuce"), env);
        assertThat(run.exitCode()).as(run.out()).isNotZero();
        assertThat(run.out()).contains("RedisConnectionException").doesNotContain(" GET ")
                .doesNotContain(PASSWORD).doesNotContain(STORE_PASSWORD);
        assertThat(refusedWithoutCertificate()).as("refused for want of a client certificate").isGreaterThan(refusedBefore);
        assertThat(redisCliGet("never:lettuce")).isEmpty();
    }

    @Test
    void pemExportWorksWithRedisCliPythonLettuceAndPlainJdkJedis() throws Exception {
        Path out = tmp.resolve("pem");
        Cli.Result r = Cli.run("client", "export", "billing", "--format", "pem", "--out", out.toString(),
                "--keys-dir", keys.dir().toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        Path root = out.resolve("root.crt");
        Path crt = out.resolve("billing.crt");
        Path key = out.resolve("billing.key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(r.out()).contains("redis-cli --tls -h \"$REDIS_HOST\" -p \"$REDIS_PORT\" --cacert " + root + " --cert " + crt
                + " --key " + key);

        // The printed redis-cli and redis-py snippets, run as printed with the endpoint in the environment.
        Processes.Output cli = Processes.run(null, snippetEnv(),
                List.of("sh", "-c", PrintedSnippets.section(r.out(), "redis-cli:")));
        assertThat(cli.out()).as(cli.out()).isEqualTo("PONG\n");
        Processes.Output py = Processes.run(null, snippetEnv(), List.of("/usr/bin/python3", "-c",
                "import os, redis\n" + PrintedSnippets.section(r.out(), "redis-py:") + "print(r.ping())\n"));
        assertThat(py.out()).as(py.out()).isEqualTo("True\n");

        Processes.Output lettuce = JavaSnippet.run(tmp.resolve("java"), "lettuce-pem", PrintedSnippets.section(r.out(), "Lettuce:"),
                lettuceSetGet("pem:lettuce"), snippetEnv());
        assertThat(lettuce.exitCode()).as(lettuce.out()).isZero();
        assertThat(lettuce.out()).contains("GET pem:lettuce = set by lettuce");
        assertThat(redisCliGet("pem:lettuce")).isEqualTo("set by lettuce");

        assertThat(PrintedSnippets.section(r.out(), "Jedis:")).isEqualTo(
                "(reads PKCS#12: redis-tls client export billing --format pkcs12 --out DIR --password-file FILE)\n");
        // Jedis has no PEM reader (its section points to PKCS#12), but an application that builds its own SSLContext
        // can: plain JDK classes, not Netty's PEM reader as in Lettuce, read the files as they are (PKCS#8 key, X.509).
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(jdkKeyManagers(crt, key), jdkTrustManagers(root), null);
        SSLParameters params = new SSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        try (Jedis jedis = new Jedis(new HostAndPort("localhost", tlsPort), DefaultJedisClientConfig.builder()
                .ssl(true).sslSocketFactory(ctx.getSocketFactory()).sslParameters(params).password(PASSWORD).build())) {
            assertThat(jedis.ping()).isEqualTo("PONG");
        }
    }

    @Test
    void springExportWritesAPemSslBundle() throws Exception {
        Path out = tmp.resolve("spring");
        Cli.Result r = Cli.run("client", "export", "billing", "--format", "spring", "--out", out.toString(),
                "--keys-dir", keys.dir().toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        String props = Files.readString(out.resolve("application-redis-tls.properties"));
        assertThat(props).contains(
                "spring.ssl.bundle.pem.redis-tls.keystore.certificate=file:" + out.resolve("billing.crt") + "\n",
                "spring.ssl.bundle.pem.redis-tls.keystore.private-key=file:" + out.resolve("billing.key") + "\n",
                "spring.ssl.bundle.pem.redis-tls.truststore.certificate=file:" + out.resolve("root.crt") + "\n",
                "spring.data.redis.ssl.enabled=true\n",
                "spring.data.redis.ssl.bundle=redis-tls\n",
                "spring.data.redis.host=${REDIS_HOST:localhost}\n");
        for (String f : List.of("billing.crt", "billing.key", "root.crt")) {
            assertThat(out.resolve(f)).exists();
        }
    }

    @Test
    void exportOfAnUnknownNameNamesTheFile() {
        Cli.Result r = Cli.run("client", "export", "nobody", "--format", "pem", "--out", tmp.resolve("x").toString(),
                "--keys-dir", keys.dir().toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: certificate file not found: " + keys.clientCert("nobody") + "\n");
    }

    /** The environment every printed snippet reads the endpoint and the password from. */
    private static Map<String, String> snippetEnv() {
        return Map.of("REDIS_HOST", "localhost", "REDIS_PORT", String.valueOf(tlsPort), "REDIS_PASSWORD", PASSWORD);
    }

    /** An independent client; the password reaches it in its environment, never in argv. */
    private static Processes.Output judge(String... command) {
        return Processes.run(null, Map.of("REDISCLI_AUTH", PASSWORD), List.of(command));
    }

    /** Statements after the Jedis snippet: SET and GET through its {@code jedis}. */
    private static String jedisSetGet(String key) {
        return "jedis.set(\"" + key + "\", \"set by jedis\");\n"
                + "System.out.println(\"GET " + key + " = \" + jedis.get(\"" + key + "\"));\n"
                + "jedis.close();\n";
    }

    /** After a Lettuce snippet: a connection from its {@code client}, SET and GET. */
    private static String lettuceSetGet(String key) {
        return "var redis = client.connect().sync();\n"
                + "redis.set(\"" + key + "\", \"set by lettuce\");\n"
                + "System.out.println(\"GET " + key + " = \" + redis.get(\"" + key + "\"));\n"
                + "client.shutdown();\n";
    }

    /** The value of {@code key}, read by redis-cli over TLS with the issued files (not the exported ones). */
    private static String redisCliGet(String key) {
        Processes.Output get = judge("redis-cli", "--tls", "-h", "localhost", "-p", String.valueOf(tlsPort),
                "--cacert", keys.clientRoot().toString(), "--cert", keys.clientCert("billing").toString(),
                "--key", keys.clientKey("billing").toString(), "GET", key);
        assertThat(get.exitCode()).as(get.out()).isZero();
        return get.out().strip();
    }

    /** Connections the server refused for coming without a client certificate, from its log. */
    private static long refusedWithoutCertificate() {
        return redis.log().lines().filter(l -> l.contains("peer did not return a certificate")).count();
    }

    private static javax.net.ssl.KeyManager[] jdkKeyManagers(Path crt, Path key) throws Exception {
        Certificate[] chain = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(crt))).toArray(new Certificate[0]);
        String pem = Files.readString(key).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PrivateKey pk = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("k", pk, new char[0], chain);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        return kmf.getKeyManagers();
    }

    private static javax.net.ssl.TrustManager[] jdkTrustManagers(Path root) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("root", CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(root))));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        return tmf.getTrustManagers();
    }

}
