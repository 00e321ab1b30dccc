package dev.redistls.install;

import dev.redistls.pki.CertProfile;
import dev.redistls.pki.CertificateAuthority;
import dev.redistls.pki.IssuedCertificate;
import dev.redistls.pki.KeyType;
import dev.redistls.pki.Pem;
import dev.redistls.testing.Cli;
import dev.redistls.testing.Processes;
import dev.redistls.testing.RedisServer;
import dev.redistls.testing.SClient;
import dev.redistls.testing.SslScan;
import dev.redistls.testing.StockRedis;
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

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An independent scanner (Debian's sslscan) judges what the TLS port serves after install, for every key type in
 * every mode: TLS 1.2 and 1.3 only (1.3 only for the modern profile), ECDHE with AEAD suites only, nothing NULL,
 * anonymous, export, RC4, DES or CBC. One redis-server for the whole class: key types change with
 * {@code reissue --server --key-type}, modes with {@code configure}, both live. The node starts with a weak TLS policy
 * an operator left in redis.conf, which install must replace and report; at the end the policy is weakened live
 * behind the tool's back, and doctor must say so. The judges are first shown to see weakness on a node configured by
 * hand, so that none of this passes by being blind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TlsScanIT {
    static final String PASSWORD = "s3cret-scan";

    /** Weak settings, each uncommented right under its template in Debian's redis.conf, as an operator would. */
    static final Map<String, String> WEAK = Map.of(
            "# tls-protocols \"TLSv1.2 TLSv1.3\"", "tls-protocols \"TLSv1 TLSv1.1 TLSv1.2\"",
            "# tls-ciphers DEFAULT:!MEDIUM", "tls-ciphers \"ALL:eNULL:@SECLEVEL=0\"",
            "# tls-ciphersuites TLS_CHACHA20_POLY1305_SHA256", "tls-ciphersuites \"TLS_AES_128_CCM_8_SHA256:TLS_AES_128_GCM_SHA256\"",
            "# tls-prefer-server-ciphers yes", "tls-prefer-server-ciphers no");

    /** What a weak policy lets through; every one must get a Redis answer from a weak node and none from ours. */
    static final List<Probe> PROBES = List.of(
            new Probe("NULL cipher", "-tls1_2", "-cipher", "eNULL:@SECLEVEL=0"),
            new Probe("anonymous", "-tls1_2", "-cipher", "aNULL:@SECLEVEL=0"),
            // OpenSSL 3 refuses TLS 1.0/1.1 on its own above security level 0: without it the probe could not succeed.
            new Probe("TLS 1.1", "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"),
            new Probe("TLS 1.0", "-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"),
            new Probe("static RSA key exchange", "-tls1_2", "-cipher", "AES128-GCM-SHA256"),
            new Probe("CBC", "-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA256"),
            new Probe("CBC with SHA-1", "-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA"));

    static final Set<String> TLS13_SUITES = Set.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");
    static final Set<String> TLS12_ECDSA = Set.of("ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305");
    static final Set<String> TLS12_RSA = Set.of("ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-CHACHA20-POLY1305");
    static final Set<String> INTERMEDIATE = Set.of("TLSv1.2", "TLSv1.3");
    static final Set<String> MODERN = Set.of("TLSv1.3");

    record Probe(String what, String... options) {
        @Override
        public String toString() {
            return what + " (" + String.join(" ", options) + ")";
        }
    }

    /** The modes scanned, each as the whole set of configure options that reaches it from any other. */
    enum Mode {
        DUAL("--auth-clients", "optional", "--tls-profile", "intermediate"),
        MUTUAL("--auth-clients", "yes", "--tls-profile", "intermediate"),
        MODERN("--auth-clients", "optional", "--tls-profile", "modern"),
        // TLS then serves on the plain port, and the plain port is gone; leaving it gives both ports back.
        TLS_ONLY("--tls-only", "--auth-clients", "optional", "--tls-profile", "intermediate");

        final List<String> options;

        Mode(String... options) {
            this.options = List.of(options);
        }
    }

    @TempDir static Path tmp;
    RedisServer redis;
    Path keys;
    Path ca;
    int tlsPort;
    Cli.Result install;
    Mode mode = Mode.DUAL;
    KeyType keyType = KeyType.RSA_2048;

    @BeforeAll
    void installOnANodeWithAWeakPolicy() {
        String conf = StockRedis.template(PASSWORD);
        for (Map.Entry<String, String> w : WEAK.entrySet()) {
            String template = "\n" + w.getKey() + "\n";
            assertThat(conf).contains(template);
            conf = conf.replace(template, template + w.getValue() + "\n");
        }
        redis = RedisServer.prepareFromTemplate(conf).start();
        keys = tmp.resolve("tls");
        ca = tmp.resolve("ca");
        tlsPort = RedisServer.freePort();
        // RSA first: with an RSA certificate a weak policy could serve static-RSA and ECDHE-RSA CBC suites, so the
        // probes below can only fail because the policy is strong.
        install = cli("install", "--tls-port", "" + tlsPort, "--key-type", "rsa-2048");
    }

    @AfterAll
    void stop() {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    @Order(1)
    void theScannerAndTheProbesSeeAWeakPolicyOnANodeConfiguredWithoutTheTool() throws Exception {
        CertificateAuthority weakCa = CertificateAuthority.createRoot("weak", KeyType.EC_P256, 2);
        KeyPair serverPair = KeyType.RSA_2048.generate();
        Path dir = Files.createDirectories(tmp.resolve("weak"));
        Path root = write(dir.resolve("root.crt"), Pem.encode(weakCa.certificate()));
        Path serverCrt = write(dir.resolve("server.crt"),
                Pem.encode(weakCa.issue(CertProfile.NODE, "localhost", serverPair.getPublic(), null, 2)));
        Path serverKey = writePrivate(dir.resolve("server.key"), Pem.encode(serverPair.getPrivate()));
        IssuedCertificate client = weakCa.issueClient("client", KeyType.EC_P256, 2);
        Path clientCrt = write(dir.resolve("client.crt"), Pem.encode(client.certificate()));
        Path clientKey = writePrivate(dir.resolve("client.key"), Pem.encode(client.privateKey()));
        int weakTls = RedisServer.freePort();
        try (RedisServer weak = RedisServer.start("tls-port " + weakTls + "\n"
                + "tls-cert-file " + serverCrt + "\n" + "tls-key-file " + serverKey + "\n"
                + "tls-ca-cert-file " + root + "\n" + "tls-auth-clients optional\n"
                + String.join("\n", WEAK.values()) + "\n"
                // the last one counts: TLS 1.3 too, so that its weak suite is served
                + "tls-protocols \"TLSv1 TLSv1.1 TLSv1.2 TLSv1.3\"\n")) {
            SslScan.Result scan = SslScan.scan(weakTls, clientCrt, clientKey);
            List<String> found = scan.weaknesses(INTERMEDIATE);
            for (String kind : List.of("TLSv1.0 enabled", "TLSv1.1 enabled", ": NULL cipher", ": anonymous",
                    ": no ECDHE key exchange", ": not AEAD", ": AEAD with an 8-byte tag")) {
                assertThat(found).as(scan.xml()).anySatisfy(f -> assertThat(f).contains(kind));
            }
            for (Probe p : PROBES) {
                SClient.Session s = SClient.talk(weakTls, "PING\r\nQUIT\r\n", List.of(p.options()));
                assertThat(s.pong()).as("%s on a weak node:\n%s", p, s.summary()).isTrue();
            }

            // Requiring client certificates hides a weak TLS 1.2 list from a scan without one: ours always brings one.
            Processes.Output set = Processes.run(null, List.of("redis-cli", "-p", "" + weak.port(), "CONFIG", "SET", "tls-auth-clients", "yes"));
            assertThat(set.out()).contains("OK");
            assertThat(SslScan.scan(weakTls, null, null).weaknesses(INTERMEDIATE))
                    .anySatisfy(f -> assertThat(f).contains("TLSv1.2 enabled but no suite seen"));
            List<String> mutual = SslScan.scan(weakTls, clientCrt, clientKey).weaknesses(INTERMEDIATE);
            assertThat(mutual).anySatisfy(f -> assertThat(f).contains("TLSv1.0 enabled"))
                    .anySatisfy(f -> assertThat(f).contains("TLSv1.2 DHE-RSA-AES256-GCM-SHA384: no ECDHE key exchange"));
        }
    }

    @Test
    @Order(2)
    void installReplacesAWeakPolicyFoundInTheConfigSaysSoAndServesOnlyTheStrongOne() throws Exception {
        assertThat(install.exitCode()).as(install.toString()).isZero();
        assertThat(install.out()).contains(
                "Replaced a weaker TLS setting: 'tls-protocols \"TLSv1 TLSv1.1 TLSv1.2\"' is now 'tls-protocols \"TLSv1.2 TLSv1.3\"'\n",
                "Replaced a weaker TLS setting: 'tls-ciphers \"ALL:eNULL:@SECLEVEL=0\"' is now 'tls-ciphers "
                        + "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
                        + "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305'\n",
                "Replaced a weaker TLS setting: 'tls-ciphersuites \"TLS_AES_128_CCM_8_SHA256:TLS_AES_128_GCM_SHA256\"' is now "
                        + "'tls-ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256'\n",
                "Replaced a weaker TLS setting: 'tls-prefer-server-ciphers no' is now 'tls-prefer-server-ciphers yes'\n");
        String conf = Files.readString(redis.conf());
        for (String weak : WEAK.values()) {
            assertThat(conf).doesNotContain("\n" + weak + "\n");
        }

        SslScan.Result scan = SslScan.scan(tlsPort, keys.resolve("client/client.crt"), keys.resolve("client/client.key"));
        assertThat(scan.weaknesses(INTERMEDIATE)).as(scan.xml()).isEmpty();
        assertThat(scan.protocols()).as(scan.xml()).isEqualTo(INTERMEDIATE);
        assertThat(scan.suites("TLSv1.2")).as(scan.xml()).isEqualTo(TLS12_RSA);

        for (Probe p : PROBES) {
            SClient.Session s = SClient.talk(tlsPort, "PING\r\nQUIT\r\n", List.of(p.options()));
            assertThat(s.redisAnswered()).as("%s after install:\n%s", p, s.summary()).isFalse();
            assertThat(s.cipher()).as("%s after install:\n%s", p, s.summary()).isEqualTo("(NONE)");
        }
        // The same probe with a suite of the profile gets an answer: the refusals above are the policy's.
        SClient.Session strong = SClient.talk(tlsPort, "PING\r\nQUIT\r\n", List.of("-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"));
        assertThat(strong.redisAnswered()).as(strong.summary()).isTrue();

        assertPolicyHealthy(Cli.run("doctor", "--conf", redis.conf().toString(), "--ca-home", ca.toString()));
    }

    @Test
    @Order(3)
    void aStricterSettingFoundInTheConfigIsReportedAsWidenedNotAsWeaker() throws Exception {
        String conf = StockRedis.template(null)
                .replace("\n# tls-protocols \"TLSv1.2 TLSv1.3\"\n", "\n# tls-protocols \"TLSv1.2 TLSv1.3\"\ntls-protocols \"TLSv1.3\"\n")
                .replace("\n# tls-ciphersuites TLS_CHACHA20_POLY1305_SHA256\n",
                        "\n# tls-ciphersuites TLS_CHACHA20_POLY1305_SHA256\ntls-ciphersuites TLS_AES_256_GCM_SHA384\n");
        // Files only: the report is made before anything goes live, and this class shares one running Redis.
        try (RedisServer stopped = RedisServer.prepareFromTemplate(conf)) {
            assertThat(Files.readString(stopped.conf())).contains("\ntls-protocols \"TLSv1.3\"\n", "\ntls-ciphersuites TLS_AES_256_GCM_SHA384\n");
            Cli.Result r = Cli.run("install", "--conf", stopped.conf().toString(), "--keys-dir", tmp.resolve("stricter-tls").toString(),
                    "--ca-home", ca.toString(), "--firewall", "none", "--no-live");
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(r.out()).doesNotContain("weaker").contains(
                    "Widened a stricter TLS setting to the intermediate profile: 'tls-protocols \"TLSv1.3\"' is now "
                            + "'tls-protocols \"TLSv1.2 TLSv1.3\"' (--tls-profile modern keeps TLS 1.3 only)\n",
                    "Widened a stricter TLS setting to the intermediate profile: 'tls-ciphersuites TLS_AES_256_GCM_SHA384' is now "
                            + "'tls-ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256'\n");
        }
    }

    static Stream<Arguments> everyKeyTypeInEveryMode() {
        List<Arguments> cells = new ArrayList<>();
        // Key types outside: a new RSA-4096 key takes seconds, a mode change well under one.
        for (KeyType k : KeyType.values()) {
            for (Mode m : Mode.values()) {
                cells.add(Arguments.of(m, k));
            }
        }
        return cells.stream();
    }

    @Order(4)
    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("everyKeyTypeInEveryMode")
    void theScannerFindsOnlyTheProfile(Mode wanted, KeyType wantedKey) {
        if (wanted != mode) {
            List<String> args = new ArrayList<>(List.of("configure"));
            args.addAll(wanted.options);
            if (wanted != Mode.TLS_ONLY) {
                args.addAll(List.of("--port", "" + redis.port(), "--tls-port", "" + tlsPort));
            }
            Cli.Result r = cli(args.toArray(new String[0]));
            assertThat(r.exitCode()).as(r.toString()).isZero();
            mode = wanted;
        }
        if (wantedKey != keyType) {
            Cli.Result r = cli("reissue", "--server", "--key-type", wantedKey.label());
            assertThat(r.exitCode()).as(r.toString()).isZero();
            keyType = wantedKey;
        }
        int port = mode == Mode.TLS_ONLY ? redis.port() : tlsPort;

        SslScan.Result scan = SslScan.scan(port, keys.resolve("client/client.crt"), keys.resolve("client/client.key"));

        Set<String> protocols = mode == Mode.MODERN ? MODERN : INTERMEDIATE;
        assertThat(scan.weaknesses(protocols)).as(scan.xml()).isEmpty();
        assertThat(scan.protocols()).as(scan.xml()).isEqualTo(protocols);
        assertThat(scan.suites("TLSv1.3")).as(scan.xml()).isEqualTo(TLS13_SUITES);
        assertThat(scan.suites("TLSv1.2")).as(scan.xml())
                .isEqualTo(mode == Mode.MODERN ? Set.of() : keyType.isRsa() ? TLS12_RSA : TLS12_ECDSA);
    }

    @Test
    @Order(5)
    void aPolicyWeakenedLiveBehindTheToolsBackIsFlaggedByDoctorAndTheScanAndConfigureRestoresIt() {
        int port = mode == Mode.TLS_ONLY ? redis.port() : tlsPort;
        Path crt = keys.resolve("client/client.crt");
        Path key = keys.resolve("client/client.key");
        // redis-cli, not the tool; over TLS, since tls-only mode has closed the plain port
        Processes.Output set = Processes.run(null, Map.of("REDISCLI_AUTH", PASSWORD), List.of("redis-cli", "--tls",
                "-p", "" + port, "--cacert", keys.resolve("client/root.crt").toString(), "--cert", crt.toString(),
                "--key", key.toString(), "CONFIG", "SET", "tls-protocols", "TLSv1 TLSv1.1 TLSv1.2 TLSv1.3",
                "tls-ciphers", "ALL:eNULL:@SECLEVEL=0"));
        assertThat(set.out().strip()).isEqualTo("OK");
        assertThat(SslScan.scan(port, crt, key).weaknesses(INTERMEDIATE))
                .anySatisfy(f -> assertThat(f).contains("TLSv1.0 enabled"))
                .anySatisfy(f -> assertThat(f).contains(": NULL cipher"));

        Cli.Result sick = Cli.run("doctor", "--conf", redis.conf().toString(), "--ca-home", ca.toString());
        assertThat(sick.exitCode()).as(sick.toString()).isEqualTo(1);
        String nodeArgs = "--conf " + redis.conf() + " --keys-dir " + keys;
        assertThat(sick.out()).as(sick.toString()).contains(
                "[FAIL] live config matches the file",
                "[FAIL] TLS 1.2+ with forward-secret AEAD suites only (tls-protocols 'TLSv1 TLSv1.1 TLSv1.2 TLSv1.3', "
                        + "tls-ciphers 'ALL:eNULL:@SECLEVEL=0')\n"
                        + "       fix: redis-tls configure --tls-profile intermediate " + nodeArgs + "\n");

        Cli.Result fix = cli("configure", "--tls-profile", "intermediate");
        assertThat(fix.exitCode()).as(fix.toString()).isZero();
        SslScan.Result scan = SslScan.scan(port, crt, key);
        assertThat(scan.weaknesses(INTERMEDIATE)).as(scan.xml()).isEmpty();
        assertThat(scan.protocols()).as(scan.xml()).isEqualTo(INTERMEDIATE);
        assertPolicyHealthy(Cli.run("doctor", "--conf", redis.conf().toString(), "--ca-home", ca.toString()));
    }

    /**
     * Doctor's verdict on the policy. Not its exit code: other tests on this machine add and remove host addresses
     * (network namespaces), and doctor then rightly says the certificate lacks one.
     */
    private static void assertPolicyHealthy(Cli.Result doctor) {
        assertThat(doctor.out()).as(doctor.toString()).contains("[ok] live config matches the file\n",
                "[ok] TLS 1.2+ with forward-secret AEAD suites only (intermediate)\n");
    }

    /** Runs a command against this node, never touching the host's firewall or default CA home. */
    private Cli.Result cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args[0], "--conf", redis.conf().toString(), "--keys-dir", keys.toString()));
        all.addAll(List.of(args).subList(1, args.length));
        if (Set.of("install", "reissue").contains(args[0])) {
            all.addAll(List.of("--ca-home", ca.toString()));
        }
        if (Set.of("install", "configure").contains(args[0])) {
            all.addAll(List.of("--firewall", "none"));
        }
        return Cli.run(all.toArray(new String[0]));
    }

    private static Path write(Path file, String text) throws Exception {
        return Files.writeString(file, text);
    }

    private static Path writePrivate(Path file, String text) throws Exception {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        return Files.writeString(file, text);
    }
}
