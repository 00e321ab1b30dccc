package dev.redistls.install;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.redistls.pki.CertInfo;
import dev.redistls.pki.KeysDir;
import dev.redistls.pki.Pem;
import dev.redistls.pki.TlsContexts;
import dev.redistls.testing.Cli;
import dev.redistls.testing.Load;
import dev.redistls.testing.Netns;
import dev.redistls.testing.Processes;
import dev.redistls.testing.RedisServer;
import dev.redistls.testing.StockRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The add-on's Install, Re-issue and Uninstall buttons on a real redis-server running Debian's stock config:
 * every step live, no restart, open client connections never fail, and uninstall gives back the exact file.
 */
class NodeLifecycleIT {
    static final String PASSWORD = "s3cret-lifecycle";

    @TempDir Path tmp;
    RedisServer redis;
    Path keys;
    Path ca;
    int tlsPort;

    @BeforeEach
    void start() {
        redis = StockRedis.prepare(PASSWORD).start();
        keys = tmp.resolve("tls");
        ca = tmp.resolve("ca");
        tlsPort = RedisServer.freePort();
    }

    @AfterEach
    void stop() {
        redis.close();
    }

    @Test
    void openConnectionsSurviveEveryStepAndUninstallRestoresTheExactFile() throws Exception {
        String originalSha = sha256(redis.conf());
        long pid = redis.pid();
        try (Load plain = new Load("plain", plainClient())) {
            plain.awaitProgress(20);

            Cli.Result install = cli("install", "--tls-port", "" + tlsPort);
            assertThat(install.exitCode()).as(install.toString()).isZero();
            assertThat(install.out()).contains("Applied live", "[ok] served certificate is the file's");
            // The keys belong to the user the redis-server process runs as (here: whoever runs the tests).
            String redisUser = Files.getOwner(Path.of("/proc", String.valueOf(pid))).getName();
            assertThat(Files.getOwner(keys.resolve("server/server.key")).getName()).isEqualTo(redisUser);
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(keys.resolve("server/server.key")))).isEqualTo("rw-------");
            String firstSha = CertInfo.sha256(Pem.readCertificate(KeysDir.local(keys).serverCert()));
            assertThat(servedSha()).isEqualTo(firstSha);

            try (Load tls = new Load("tls", tlsClient())) {
                tls.awaitProgress(20);

                Cli.Result reissue = cli("reissue");
                assertThat(reissue.exitCode()).as(reissue.toString()).isZero();
                String secondSha = CertInfo.sha256(Pem.readCertificate(KeysDir.local(keys).serverCert()));
                assertThat(secondSha).isNotEqualTo(firstSha);
                assertThat(servedSha()).isEqualTo(secondSha);
                awaitBoth(plain, tls);

                Cli.Result mutual = cli("configure", "--auth-clients", "yes");
                assertThat(mutual.exitCode()).as(mutual.toString()).isZero();
                assertThat(mutual.out()).contains("[ok] client without certificate refused");
                awaitBoth(plain, tls);

                Cli.Result tlsOnly = cli("configure", "--tls-only");
                assertThat(tlsOnly.exitCode()).as(tlsOnly.toString()).isZero();
                assertThat(tlsOnly.out()).contains("[ok] plaintext PING on port " + redis.port() + " gets no PONG");
                assertThat(Files.readString(redis.conf())).contains("\nport 0\n", "\ntls-port " + redis.port() + "\n");
                // an independent judge: redis-cli over TLS on the port that used to be plain
                Processes.Output cliOut = Processes.run(null, java.util.Map.of("REDISCLI_AUTH", PASSWORD), java.util.List.of("redis-cli", "--tls", "-p", "" + redis.port(),
                        "--cacert", keys.resolve("client/root.crt").toString(),
                        "--cert", keys.resolve("client/client.crt").toString(),
                        "--key", keys.resolve("client/client.key").toString(), "PING"));
                assertThat(cliOut.out()).contains("PONG");
                awaitBoth(plain, tls);

                Cli.Result uninstall = cli("uninstall");
                assertThat(uninstall.exitCode()).as(uninstall.toString()).isZero();
                awaitBoth(plain, tls);

                assertThat(plain.failed()).as("plain client errors: %s", plain.errors()).isZero();
                assertThat(tls.failed()).as("TLS client errors: %s", tls.errors()).isZero();
            }
        }
        assertThat(sha256(redis.conf())).isEqualTo(originalSha);
        assertThat(redis.pid()).isEqualTo(pid);
        assertThat(redis.isAlive()).isTrue();
        assertThat(keys).doesNotExist();
        assertThat(ca.resolve("root.key")).exists();
        try (Jedis fresh = plainClient()) {
            assertThat(fresh.ping()).isEqualTo("PONG");
            assertThat(fresh.configGet("tls-port")).containsEntry("tls-port", "0");
        }
        Cli.Result again = cli("uninstall");
        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).contains("not installed", "nothing to do");
    }

    @Test
    void installTlsOnlyStraightFromPlainTextTakesOverThePortWhileAPlainClientKeepsWorking() throws Exception {
        String originalSha = sha256(redis.conf());
        try (Load plain = new Load("plain", plainClient())) {
            plain.awaitProgress(20);
            Cli.Result install = cli("install", "--tls-only", "--auth-clients", "yes");
            assertThat(install.exitCode()).as(install.toString()).isZero();
            assertThat(install.out()).contains("[ok] tls handshake on 127.0.0.1:" + redis.port(),
                    "[ok] client without certificate refused", "[ok] plaintext PING on port " + redis.port() + " gets no PONG");
            plain.awaitProgress(20);

            Cli.Result uninstall = cli("uninstall");
            assertThat(uninstall.exitCode()).as(uninstall.toString()).isZero();
            plain.awaitProgress(20);
            assertThat(plain.failed()).as("plain client errors: %s", plain.errors()).isZero();
        }
        assertThat(sha256(redis.conf())).isEqualTo(originalSha);
        try (Jedis fresh = plainClient()) {
            assertThat(fresh.ping()).isEqualTo("PONG");
        }
    }

    @Test
    void statusJsonReportsConfiguredAndLiveWithTheServedFingerprint() throws Exception {
        assertThat(cli("install", "--tls-port", "" + tlsPort).exitCode()).isZero();
        JsonNode s = new ObjectMapper().readTree(cli("status", "--json").out());
        String fileSha = CertInfo.sha256(Pem.readCertificate(KeysDir.local(keys).serverCert()));
        assertThat(s.get("conf").asText()).isEqualTo(redis.conf().toString());
        assertThat(s.get("keysDir").asText()).isEqualTo(keys.toString());
        assertThat(s.get("mode").asText()).isEqualTo("dual");
        assertThat(s.at("/ports/plain").asInt()).isEqualTo(redis.port());
        assertThat(s.at("/ports/tls").asInt()).isEqualTo(tlsPort);
        assertThat(s.get("authClients").asText()).isEqualTo("optional");
        assertThat(s.get("replication").asBoolean()).isFalse();
        assertThat(s.get("cluster").asBoolean()).isFalse();
        assertThat(s.at("/certificates/server/sha256").asText()).isEqualTo(fileSha);
        assertThat(s.at("/certificates/server/daysLeft").asInt()).isBetween(823, 825);
        assertThat(s.at("/certificates/root/subject").asText()).contains("redis-tls root CA");
        assertThat(s.at("/certificates/client/subject").asText()).contains("CN=client");
        assertThat(s.at("/live/reachable").asBoolean()).isTrue();
        assertThat(s.at("/live/tlsHandshake").asBoolean()).isTrue();
        assertThat(s.at("/live/servedSha256").asText()).isEqualTo(fileSha).isEqualTo(servedSha());

        assertThat(cli("reissue", "--server").exitCode()).isZero();
        JsonNode after = new ObjectMapper().readTree(cli("status", "--json").out());
        String newSha = CertInfo.sha256(Pem.readCertificate(KeysDir.local(keys).serverCert()));
        assertThat(newSha).isNotEqualTo(fileSha);
        assertThat(after.at("/live/servedSha256").asText()).isEqualTo(newSha);
        assertThat(cli("doctor", "--ca-home", ca.toString()).exitCode()).isZero();
    }

    @Test
    void installOpensTheTlsPortTlsOnlyMovesTheRuleAndUninstallClosesIt() throws Exception {
        String hostBefore = Netns.hostFirewall();
        try (Netns ns = Netns.create()) {
            Cli.Result install = Cli.run("install", "--conf", redis.conf().toString(), "--keys-dir", keys.toString(),
                    "--ca-home", ca.toString(), "--tls-port", "" + tlsPort, "--firewall", "nftables", "--netns", ns.name());
            assertThat(install.exitCode()).as(install.toString()).isZero();
            assertThat(ns.must("nft", "list", "table", "inet", "redis_tls")).contains("tcp dport " + tlsPort + " accept");

            Cli.Result tlsOnly = Cli.run("configure", "--conf", redis.conf().toString(), "--tls-only", "--netns", ns.name());
            assertThat(tlsOnly.exitCode()).as(tlsOnly.toString()).isZero();
            String table = ns.must("nft", "list", "table", "inet", "redis_tls");
            assertThat(table).contains("tcp dport " + redis.port() + " accept").doesNotContain("dport " + tlsPort + " ");

            Cli.Result uninstall = Cli.run("uninstall", "--conf", redis.conf().toString(), "--netns", ns.name());
            assertThat(uninstall.exitCode()).as(uninstall.toString()).isZero();
            assertThat(ns.must("nft", "list", "tables")).doesNotContain("redis_tls");
        }
        assertThat(Netns.hostFirewall()).isEqualTo(hostBefore);
    }

    @Test
    void renewReissuesOnlyWhatExpiresWithinTheThreshold() throws Exception {
        assertThat(cli("install", "--tls-port", "" + tlsPort, "--days", "20").exitCode()).isZero();
        String shortLived = CertInfo.sha256(Pem.readCertificate(KeysDir.local(keys).serverCert()));

        Cli.Result nothing = cli("renew", "--within", "10");
        assertThat(nothing.exitCode()).as(nothing.toString()).isZero();
        assertThat(nothing.out()).contains("Nothing to renew");
        assertThat(CertInfo.sha256(Pem.readCertificate(KeysDir.local(keys).serverCert()))).isEqualTo(shortLived);

        Cli.Result status = cli("status");
        assertThat(status.out()).contains("warning: server certificate expires in 19 days: run 'redis-tls renew'");

        Cli.Result renew = cli("renew");
        assertThat(renew.exitCode()).as(renew.toString()).isZero();
        String renewed = CertInfo.sha256(Pem.readCertificate(KeysDir.local(keys).serverCert()));
        assertThat(renewed).isNotEqualTo(shortLived).isEqualTo(servedSha());
        assertThat(CertInfo.daysLeft(Pem.readCertificate(KeysDir.local(keys).serverCert()))).isGreaterThan(800);
    }

    @Test
    void configKeepsItsModeKeepCertsKeepsTheKeysAndDoctorNamesTheFix() throws Exception {
        Files.setPosixFilePermissions(redis.conf(), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        assertThat(cli("install", "--tls-port", "" + tlsPort).exitCode()).isZero();
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(redis.conf())))
                .isEqualTo("rw-r-----");

        Path key = keys.resolve("server/server.key");
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Cli.Result sick = Cli.run("doctor", "--conf", redis.conf().toString(), "--ca-home", ca.toString());
        assertThat(sick.exitCode()).as(sick.toString()).isEqualTo(1);
        assertThat(sick.out()).contains("[FAIL] server.key is private (0600)", "fix: chmod 600 " + key);
        assertThat(sick.err()).isEqualTo("error: 1 of " + sick.out().lines().filter(l -> l.startsWith("[")).count()
                + " checks failed; each FAIL above shows its fix\n");
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

        Cli.Result uninstall = cli("uninstall", "--keep-certs");
        assertThat(uninstall.exitCode()).as(uninstall.toString()).isZero();
        assertThat(uninstall.out()).contains("Kept the certificates in " + keys);
        assertThat(KeysDir.local(keys).isComplete()).isTrue();
        assertThat(keys.resolve("install.json")).doesNotExist();
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(redis.conf())))
                .isEqualTo("rw-r-----");
    }

    @Test
    void dryRunPrintsTheExactChangesAndTouchesNothing() throws Exception {
        String before = Files.readString(redis.conf());
        Cli.Result dry = cli("install", "--tls-port", "" + tlsPort, "--dry-run");
        assertThat(dry.exitCode()).as(dry.toString()).isZero();
        assertThat(dry.out()).contains("+ tls-port " + tlsPort, "+ tls-auth-clients optional",
                "+ tls-cert-file " + keys.resolve("server/server.crt"));
        assertThat(Files.readString(redis.conf())).isEqualTo(before);
        assertThat(keys).doesNotExist();
        assertThat(ca).doesNotExist();
        try (Jedis j = plainClient()) {
            assertThat(j.configGet("tls-port")).containsEntry("tls-port", "0");
        }
    }

    /** Runs a command against this node, never touching the host's firewall or default CA home. */
    private Cli.Result cli(String... args) {
        java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of(args[0],
                "--conf", redis.conf().toString(), "--keys-dir", keys.toString()));
        all.addAll(java.util.List.of(args).subList(1, args.length));
        if (java.util.Set.of("install", "reissue", "renew").contains(args[0])) {
            all.addAll(java.util.List.of("--ca-home", ca.toString()));
        }
        if (java.util.Set.of("install", "configure", "uninstall").contains(args[0])) {
            all.addAll(java.util.List.of("--firewall", "none"));
        }
        return Cli.run(all.toArray(new String[0]));
    }

    private Jedis plainClient() {
        return new Jedis(new HostAndPort("127.0.0.1", redis.port()),
                DefaultJedisClientConfig.builder().password(PASSWORD).build());
    }

    private Jedis tlsClient() {
        KeysDir k = KeysDir.local(keys);
        return new Jedis(new HostAndPort("127.0.0.1", tlsPort), DefaultJedisClientConfig.builder()
                .password(PASSWORD).ssl(true)
                .sslSocketFactory(TlsContexts.create(Pem.readCertificate(k.clientRoot()), Pem.readCertificate(k.clientCert()),
                        Pem.readPrivateKey(k.clientKey())).getSocketFactory())
                .build());
    }

    private String servedSha() {
        Processes.Output o = Processes.run(null, java.util.List.of("sh", "-c", "openssl s_client -connect 127.0.0.1:" + tlsPort
                + " -CAfile " + keys.resolve("client/root.crt") + " -cert " + keys.resolve("client/client.crt")
                + " -key " + keys.resolve("client/client.key") + " </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256"));
        return o.out().replaceAll("(?s).*=", "").replace(":", "").trim().toLowerCase();
    }

    private static void awaitBoth(Load a, Load b) throws InterruptedException {
        a.awaitProgress(20);
        b.awaitProgress(20);
    }

    static String sha256(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }
}
