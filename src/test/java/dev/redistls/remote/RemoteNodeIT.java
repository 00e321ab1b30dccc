package dev.redistls.remote;

import dev.redistls.pki.CertInfo;
import dev.redistls.pki.Pem;
import dev.redistls.testing.Cli;
import dev.redistls.testing.SimulatedHost;
import dev.redistls.testing.SimulatedHosts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The single-node lifecycle on a node on another machine: a simulated host (its own network namespace, a real
 * OpenSSH server, a redis-server running as {@code redis} bound to 127.0.0.1 there, so reachable only through SSH).
 * Install, reissue, mutual TLS, tls-only and uninstall, each live and proven through the SSH connection, while a
 * plain and a TLS client inside the host keep working; once logged in as root, once as a user with passwordless sudo.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RemoteNodeIT {
    static final String PASSWORD = "remote-s3cret";

    SimulatedHosts hosts;
    SimulatedHost rootNode;
    SimulatedHost sudoNode;
    @TempDir Path tmp;
    final java.util.Map<Process, Path> logs = new java.util.HashMap<>();

    @BeforeAll
    void start() {
        hosts = SimulatedHosts.create();
        List<SimulatedHost> started = hosts.start(SimulatedHost.Options.named("node1").redisPassword(PASSWORD),
                SimulatedHost.Options.named("node2").redisPassword(PASSWORD));
        rootNode = started.get(0);
        sudoNode = started.get(1);
    }

    @AfterAll
    void stop() {
        hosts.close();
    }

    @Test
    void lifecycleAsRoot() throws Exception {
        lifecycle(rootNode, rootNode.alias(), List.of());
    }

    @Test
    void lifecycleAsSudoUser() throws Exception {
        lifecycle(sudoNode, hosts.sudoUser() + "@" + sudoNode.alias(), List.of("--sudo"));
    }

    private void lifecycle(SimulatedHost node, String target, List<String> extra) throws Exception {
        Path conf = node.redisConf();
        Path keys = node.path("/etc/redis/tls");
        Path ca = tmp.resolve("ca-" + node.name());
        String originalSha = sha256(Files.readAllBytes(conf));
        long pid = node.redisPid();
        int tlsPort = 6380;
        List<String> base = new ArrayList<>(List.of("--host", target, "--ssh-config", hosts.sshConfig().toString(),
                "--conf", conf.toString(), "--keys-dir", keys.toString()));
        base.addAll(extra);

        Path passwordFile = tmp.resolve("pw-" + node.name());
        Files.writeString(passwordFile, PASSWORD);
        Process plain = load(node, "plain", "127.0.0.1", node.redisPort(), passwordFile);

        Cli.Result install = run(base, "install", "--verbose", "--ca-home", ca.toString(), "--firewall", "nftables",
                "--tls-port", String.valueOf(tlsPort));
        assertThat(install.exitCode()).as(install.toString()).isZero();
        // --verbose: each SSH step's time, on stderr (one connection for the whole command).
        assertThat(install.err()).contains("timing: key exchange and auth ", "timing: sftp open ");
        assertThat(install.err().lines().filter(l -> l.startsWith("timing: key exchange")).count()).isEqualTo(1);
        assertThat(install.out()).contains("Applied live on 127.0.0.1:" + node.redisPort() + " on " + target,
                "[ok] served certificate is the file's", "in " + keys + " on " + target);
        // Keys: 0600, owned by the uid the remote redis-server runs as (redis), directories root's.
        String redisUid = node.must("id", "-u", "redis").trim();
        assertThat(node.must("stat", "-c", "%a %u", keys.resolve("server/server.key").toString()).trim())
                .isEqualTo("600 " + redisUid);
        assertThat(node.must("stat", "-c", "%a %u", keys.toString()).trim()).isEqualTo("750 0");
        // The certificate names the host as the host knows itself, and its address.
        var cert = Pem.parseCertificates(node.must("cat", keys.resolve("server/server.crt").toString()), "server.crt").get(0);
        assertThat(CertInfo.sans(cert)).contains("DNS:" + node.name(), "DNS:" + node.fqdn(), "IP:" + node.address());
        // An independent judge inside the host: openssl verifies the chain and the address SAN.
        String sClient = node.execWithInput("", "openssl", "s_client", "-connect", "127.0.0.1:" + tlsPort,
                "-CAfile", keys.resolve("client/root.crt").toString(), "-verify_ip", node.address(),
                "-verify_return_error", "-brief").out();
        assertThat(sClient).contains("Verification: OK");
        // The firewall rule is in the host's own nftables (its namespace), not the test machine's.
        assertThat(node.must("nft", "list", "table", "inet", "redis_tls")).contains("tcp dport " + tlsPort + " accept");

        Process tls = load(node, "tls", "127.0.0.1", tlsPort, passwordFile, keys.resolve("client/root.crt"),
                keys.resolve("client/client.crt"), keys.resolve("client/client.key"));

        Cli.Result reissue = run(base, "reissue", "--ca-home", ca.toString());
        assertThat(reissue.exitCode()).as(reissue.toString()).isZero();
        assertThat(reissue.out()).contains("Reloaded live", "[ok] served certificate is the file's");

        Cli.Result mutual = run(base, "configure", "--auth-clients", "yes");
        assertThat(mutual.exitCode()).as(mutual.toString()).isZero();
        assertThat(mutual.out()).contains("[ok] client without certificate refused");

        Cli.Result tlsOnly = run(base, "configure", "--tls-only", "--tls-port", String.valueOf(tlsPort));
        assertThat(tlsOnly.exitCode()).as(tlsOnly.toString()).isZero();
        assertThat(tlsOnly.out()).contains("[ok] plaintext PING on port");

        Cli.Result status = run(base, "status", "--json");
        assertThat(status.exitCode()).as(status.toString()).isZero();
        assertThat(status.out()).contains("\"host\" : \"" + target + "\"", "\"servesFileCertificate\" : true");

        Cli.Result uninstall = run(base, "uninstall");
        assertThat(uninstall.exitCode()).as(uninstall.toString()).isZero();
        assertThat(uninstall.out()).contains("exact pre-install bytes", "[ok] plain port " + node.redisPort() + " answers PING");

        assertThat(stop(plain)).startsWith("ok ").contains(" failed 0 ");
        assertThat(stop(tls)).startsWith("ok ").contains(" failed 0 ");
        assertThat(node.redisPid()).as("never restarted").isEqualTo(pid);
        assertThat(sha256(Files.readAllBytes(conf))).isEqualTo(originalSha);
        assertThat(Files.exists(keys)).isFalse();
        assertThat(node.exec("nft", "list", "table", "inet", "redis_tls").exitCode()).as("firewall rule gone").isNotZero();
    }

    private Cli.Result run(List<String> base, String command, String... more) {
        List<String> args = new ArrayList<>(List.of(command));
        args.addAll(base);
        args.addAll(List.of(more));
        return Cli.run(args.toArray(new String[0]));
    }

    private Process load(SimulatedHost node, String name, String host, int port, Path passwordFile, Path... tls) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xmx64m", "-cp", System.getProperty("java.class.path"), "dev.redistls.testing.LoadMain",
                name, host, String.valueOf(port), passwordFile.toString()));
        for (Path p : tls) {
            cmd.add(p.toString());
        }
        Path log = tmp.resolve("load-" + node.name() + "-" + name + ".log");
        Process p = node.start(log, cmd.toArray(new String[0]));
        logs.put(p, log);
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline && !(Files.exists(log) && Files.readString(log).contains("running"))) {
            assertThat(p.isAlive()).as("load client " + name + ": " + (Files.exists(log) ? Files.readString(log) : "")).isTrue();
            Thread.sleep(50);
        }
        assertThat(Files.readString(log)).as("load client " + name + " started").contains("running");
        return p;
    }

    /** Ends a load client (closes its stdin) and returns its last line: "ok N failed M [errors]". */
    private String stop(Process p) throws Exception {
        p.getOutputStream().close();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("load client ends").isTrue();
        List<String> lines = Files.readAllLines(logs.get(p));
        return lines.get(lines.size() - 1);
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
