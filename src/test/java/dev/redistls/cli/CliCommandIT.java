package dev.redistls.cli;

import dev.redistls.pki.CertificateAuthority;
import dev.redistls.pki.KeyType;
import dev.redistls.pki.KeysDir;
import dev.redistls.testing.Cli;
import dev.redistls.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** redis-tls cli against a real redis-server in mutual TLS (plain port kept open for the wrong-port cases). */
class CliCommandIT {
    Console console = Console.SYSTEM.withTerminal(false);
    static final String PASSWORD = "s3cret-for-tests";
    static final String HOST = "node1.redis-tls.test";

    @TempDir static Path tmp;
    static KeysDir keys;
    static Path caHome;
    static RedisServer redis;
    static int tlsPort;

    @BeforeAll
    static void start() {
        keys = KeysDir.local(tmp.resolve("keys"));
        caHome = tmp.resolve("ca");
        Cli.Result made = Cli.run("certs", "--keys-dir", keys.dir().toString(), "--ca-home", caHome.toString(),
                "--hostname", HOST);
        assertThat(made.exitCode()).as(made.toString()).isZero();
        tlsPort = RedisServer.freePort();
        redis = RedisServer.start("bind 127.0.0.1 127.0.0.2\n" + RedisServer.mutualTls(keys, tlsPort) + "requirepass " + PASSWORD + "\n");
        RedisServer.awaitListening(tlsPort);
    }

    @AfterAll
    static void stop() {
        if (redis != null) {
            redis.close();
        }
    }

    @AfterEach
    void resetSeams() {
        console = Console.SYSTEM.withTerminal(false);
    }

    void withPassword() {
        console = console.withEnv(name -> name.equals("REDISCLI_AUTH") ? PASSWORD : null);
    }

    static String[] tlsFlags(String... more) {
        String[] base = {"cli", "--tls", "-h", "127.0.0.1", "-p", String.valueOf(tlsPort),
                "--cacert", keys.clientRoot().toString(), "--cert", keys.clientCert().toString(),
                "--key", keys.clientKey().toString()};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void pingSetGetOverMutualTlsWithFlags() {
        withPassword();
        Cli.Result ping = Cli.run(console, tlsFlags("PING"));
        assertThat(ping.exitCode()).as(ping.toString()).isZero();
        assertThat(ping.out()).isEqualTo("PONG\n");
        assertThat(ping.err()).isEmpty();
        assertThat(Cli.run(console, tlsFlags("SET", "greeting", "hello world")).out()).isEqualTo("OK\n");
        assertThat(Cli.run(console, tlsFlags("GET", "greeting")).out()).isEqualTo("hello world\n");
        assertThat(Cli.run(console, tlsFlags("GET", "no-such-key")).out()).isEqualTo("\n");
        assertThat(Cli.run(console, tlsFlags("--json", "GET", "greeting")).out()).isEqualTo("\"hello world\"\n");
        assertThat(Cli.run(console, tlsFlags("INCRBY", "counter", "-1")).out()).isEqualTo("-1\n");
    }

    @Test
    void humanFormatOnATerminal() {
        withPassword();
        console = console.withTerminal(true);
        assertThat(Cli.run(console, tlsFlags("SET", "h", "v")).out()).isEqualTo("OK\n");
        assertThat(Cli.run(console, tlsFlags("GET", "h")).out()).isEqualTo("\"v\"\n");
        assertThat(Cli.run(console, tlsFlags("DEL", "list")).out()).startsWith("(integer) ");
        Cli.run(console, tlsFlags("RPUSH", "list", "a", "b"));
        assertThat(Cli.run(console, tlsFlags("LRANGE", "list", "0", "-1")).out()).isEqualTo("1) \"a\"\n2) \"b\"\n");
        assertThat(Cli.run(console, tlsFlags("GET", "missing")).out()).isEqualTo("(nil)\n");
        Cli.Result err = Cli.run(console, tlsFlags("NOSUCHCOMMAND"));
        assertThat(err.exitCode()).isZero();
        assertThat(err.out()).startsWith("(error) ERR unknown command 'NOSUCHCOMMAND'");
    }

    @Test
    void rederssUriWithKeysDir() {
        withPassword();
        Cli.Result r = Cli.run(console, "cli", "-u", "rediss://127.0.0.1:" + tlsPort + "/2", "--keys-dir", keys.dir().toString(),
                "SET", "in-db-2", "x");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("OK\n");
        Cli.Result inUri = Cli.run(console, "cli", "-u", "rediss://default:" + PASSWORD + "@localhost:" + tlsPort + "/2",
                "--keys-dir", keys.dir().toString(), "GET", "in-db-2");
        assertThat(inUri.out()).isEqualTo("x\n");
        assertThat(inUri.err()).contains("prefer the REDISCLI_AUTH environment variable").doesNotContain(PASSWORD);
    }

    @Test
    void stdinModeOneCommandPerLine() {
        withPassword();
        console = console.withTerminal(false);
        console = console.withStdin(() -> new ByteArrayInputStream("SET 'two words' \"a\\tb\"\nGET 'two words'\n\nPING\n"
                .getBytes(StandardCharsets.UTF_8)));
        Cli.Result r = Cli.run(console, "cli", "--keys-dir", keys.dir().toString(), "-p", String.valueOf(tlsPort));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("OK\na\tb\nPONG\n");
    }

    @Test
    void hostNameMismatchIsRefusedWithTheFixAndInsecureConnects() {
        withPassword();
        Cli.Result r = Cli.run(console, "cli", "--keys-dir", keys.dir().toString(), "-h", "127.0.0.2", "-p", String.valueOf(tlsPort), "PING");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: server certificate is for " + HOST + ", localhost, 127.0.0.1, ::1,"
                + " not 127.0.0.2: connect by name or add --san 127.0.0.2 and reissue\n");
        assertThat(r.out()).isEmpty();

        Cli.Result insecure = Cli.run(console, "cli", "--keys-dir", keys.dir().toString(), "-h", "127.0.0.2",
                "-p", String.valueOf(tlsPort), "--insecure", "PING");
        assertThat(insecure.exitCode()).as(insecure.toString()).isZero();
        assertThat(insecure.out()).isEqualTo("PONG\n");
        assertThat(insecure.err()).contains("warning: --insecure: the server's certificate is not verified");

        Cli.Result sni = Cli.run(console, "cli", "--keys-dir", keys.dir().toString(), "-h", "127.0.0.2",
                "-p", String.valueOf(tlsPort), "--sni", HOST, "PING");
        assertThat(sni.exitCode()).as(sni.toString()).isZero();
        assertThat(sni.out()).isEqualTo("PONG\n");

        // --sni promises the certificate is checked against that name: a name it does not hold is refused, even
        // when the host connected to (127.0.0.1) is in the certificate.
        Cli.Result wrongSni = Cli.run(console, "cli", "--keys-dir", keys.dir().toString(), "-h", "127.0.0.1",
                "-p", String.valueOf(tlsPort), "--sni", "not-this-node.test", "PING");
        assertThat(wrongSni.exitCode()).as(wrongSni.toString()).isEqualTo(1);
        assertThat(wrongSni.err()).isEqualTo("error: server certificate is for " + HOST + ", localhost, 127.0.0.1, ::1,"
                + " not not-this-node.test: connect by name or add --san not-this-node.test and reissue\n");
        assertThat(wrongSni.out()).isEmpty();
    }

    @Test
    void noClientCertificateIsRefusedWithItsMessage() {
        withPassword();
        Cli.Result r = Cli.run(console, "cli", "--tls", "--cacert", keys.clientRoot().toString(), "-p", String.valueOf(tlsPort), "PING");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: server at 127.0.0.1:" + tlsPort
                + " requires a client certificate: pass --cert/--key (or --keys-dir)\n");
    }

    @Test
    void foreignClientCertificateIsRefused() throws Exception {
        withPassword();
        CertificateAuthority other = CertificateAuthority.createRoot("other", KeyType.EC_P256, 30);
        var foreign = other.issueClient("intruder", KeyType.EC_P256, 30);
        Path crt = tmp.resolve("intruder.crt");
        Path key = tmp.resolve("intruder.key");
        java.nio.file.Files.writeString(crt, dev.redistls.pki.Pem.encode(foreign.certificate()));
        java.nio.file.Files.writeString(key, dev.redistls.pki.Pem.encode(foreign.privateKey())); java.nio.file.Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Cli.Result r = Cli.run(console, "cli", "--tls", "--cacert", keys.clientRoot().toString(), "--cert", crt.toString(),
                "--key", key.toString(), "-p", String.valueOf(tlsPort), "PING");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: server at 127.0.0.1:" + tlsPort + " refused client certificate " + crt);
    }

    @Test
    void expiredClientCertificateIsNamedBeforeConnecting() throws Exception {
        withPassword();
        java.security.KeyPair pair = KeyType.EC_P256.generate();
        java.security.PrivateKey caKey = dev.redistls.pki.Pem.readPrivateKey(caHome.resolve("root.key"));
        java.security.cert.X509Certificate root = dev.redistls.pki.Pem.readCertificate(caHome.resolve("root.crt"));
        java.time.Instant now = java.time.Instant.now();
        var builder = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(root, java.math.BigInteger.valueOf(now.toEpochMilli()),
                java.util.Date.from(now.minus(java.time.Duration.ofDays(10))), java.util.Date.from(now.minus(java.time.Duration.ofDays(1))),
                new javax.security.auth.x500.X500Principal("CN=expired"), pair.getPublic());
        var cert = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(builder.build(
                new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA").build(caKey)));
        Path crt = tmp.resolve("expired.crt");
        Path key = tmp.resolve("expired.key");
        java.nio.file.Files.writeString(crt, dev.redistls.pki.Pem.encode(cert));
        java.nio.file.Files.writeString(key, dev.redistls.pki.Pem.encode(pair.getPrivate())); java.nio.file.Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Cli.Result r = Cli.run(console, "cli", "--tls", "--cacert", keys.clientRoot().toString(), "--cert", crt.toString(),
                "--key", key.toString(), "-p", String.valueOf(tlsPort), "PING");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: client certificate " + crt + " expired on "
                + cert.getNotAfter().toInstant().toString().substring(0, 10)
                + ": issue a new one with 'redis-tls client issue NAME --force'\n");
    }

    @Test
    void wrongCaIsNamed() throws java.io.IOException {
        withPassword();
        CertificateAuthority other = CertificateAuthority.createRoot("other", KeyType.EC_P256, 30);
        Path otherRoot = tmp.resolve("other-root.crt");
        java.nio.file.Files.writeString(otherRoot, dev.redistls.pki.Pem.encode(other.certificate()));
        Cli.Result r = Cli.run(console, "cli", "--tls", "--cacert", otherRoot.toString(), "--cert", keys.clientCert().toString(),
                "--key", keys.clientKey().toString(), "-p", String.valueOf(tlsPort), "PING");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: server certificate of 127.0.0.1:" + tlsPort + " (issued by ")
                .contains("is not trusted by CA file " + otherRoot);
    }

    @Test
    void wrongPasswordAndMissingPassword() {
        console = console.withEnv(name -> name.equals("REDISCLI_AUTH") ? "wrong" : null);
        Cli.Result r = Cli.run(console, tlsFlags("PING"));
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: WRONGPASS invalid username-password pair or user is disabled:"
                + " check REDISCLI_AUTH/--user\n");
        console = console.withEnv(name -> null);
        Cli.Result none = Cli.run(console, tlsFlags("PING"));
        assertThat(none.exitCode()).as(none.toString()).isEqualTo(1);
        assertThat(none.err()).isEqualTo("error: server at 127.0.0.1:" + tlsPort
                + " requires a password: set REDISCLI_AUTH (and --user for an ACL user)\n");
    }

    @Test
    void passwordInArgvWorksButWarns() {
        console = console.withEnv(name -> null);
        Cli.Result r = Cli.run(console, tlsFlags("-a", PASSWORD, "PING"));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("PONG\n");
        assertThat(r.err()).contains("prefer the REDISCLI_AUTH environment variable");
    }

    @Test
    void tlsToThePlaintextPort() {
        withPassword();
        Cli.Result r = Cli.run(console, "cli", "--keys-dir", keys.dir().toString(), "-p", String.valueOf(redis.port()), "PING");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: server at 127.0.0.1:" + redis.port()
                + " does not speak TLS (plaintext port?): drop --tls or use the TLS port\n");
    }

    @Test
    void plaintextToTheTlsPort() {
        withPassword();
        Cli.Result r = Cli.run(console, "cli", "-p", String.valueOf(tlsPort), "PING");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: server at 127.0.0.1:" + tlsPort
                + " closed the connection on a plaintext command: it speaks TLS there, add --tls\n");
    }

    @Test
    void refusedPort() {
        int closed = RedisServer.freePort();
        Cli.Result r = Cli.run(console, "cli", "-p", String.valueOf(closed), "PING");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: connection refused at 127.0.0.1:" + closed
                + ": is Redis running and listening on that port?\n");
    }

    @Test
    void unknownHost() {
        Cli.Result r = Cli.run(console, "cli", "-h", "no-such-host.invalid", "PING");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: cannot resolve host no-such-host.invalid: check -h or the URI\n");
    }

    @Test
    void malformedUriNeverEchoesThePassword() {
        Cli.Result r = Cli.run(console, "cli", "-u", "rediss://user:topsecret@host:notaport", "PING");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: invalid URI 'rediss://***@host:notaport': expected redis://")
                .doesNotContain("topsecret");
        assertThat(Cli.run(console, "cli", "-u", "http://localhost", "PING").exitCode()).isEqualTo(2);
    }

    @Test
    void missingCaFileIsNamed() {
        Path missing = tmp.resolve("nope.crt");
        Cli.Result r = Cli.run(console, "cli", "--tls", "--cacert", missing.toString(), "-p", String.valueOf(tlsPort), "PING");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: certificate file not found: " + missing + "\n");
    }

    @Test
    void helpIsLongOptionOnlyBecauseDashHIsTheHost() {
        Cli.Result r = Cli.run(console, "cli", "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("-h=HOST").contains("--insecure").contains("REDISCLI_AUTH");
    }

    @Test
    void dataErrorsAreRepliesNotFailures() {
        withPassword();
        Cli.Result r = Cli.run(console, tlsFlags("NOSUCHCOMMAND", "x"));
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("ERR unknown command 'NOSUCHCOMMAND'");
        assertThat(Files.exists(keys.clientCert())).isTrue();
    }


}
