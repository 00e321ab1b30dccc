package dev.redistls.remote;

import dev.redistls.testing.Cli;
import dev.redistls.testing.SimulatedHost;
import dev.redistls.testing.SimulatedHost.Options;
import dev.redistls.testing.SimulatedHosts;
import dev.redistls.testing.SshKeyType;
import dev.redistls.testing.Tool;
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
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code redis-tls install --host ...} when the node's machine cannot be reached, trusted, logged into or written:
 * each is one line naming the host, the exit code of the contract, and nothing changed on the node's machine. A
 * connection dropped in the middle of an install leaves the node old or new, and the same command finishes it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RemoteBadInputIT {
    static final String PASSWORD = "bad-input-s3cret";

    SimulatedHosts hosts;
    SimulatedHost node;
    SimulatedHost nosftp;
    @TempDir Path tmp;
    String originalSha;

    @BeforeAll
    void start() throws Exception {
        hosts = SimulatedHosts.create();
        List<SimulatedHost> h = hosts.start(Options.named("bad1").redisPassword(PASSWORD),
                Options.named("nosftp").withoutSftp().redisPassword(PASSWORD));
        node = h.get(0);
        nosftp = h.get(1);
        originalSha = sha256(node.redisConf());
    }

    @AfterAll
    void stop() {
        hosts.close();
    }

    private List<String> install(String target, Path sshConfig, SimulatedHost on, String... more) {
        List<String> args = new ArrayList<>(List.of("install", "--host", target, "--ssh-config", sshConfig.toString(),
                "--conf", on.redisConf().toString(), "--keys-dir", on.path("/etc/redis/tls").toString(),
                "--ca-home", tmp.resolve("ca").toString(), "--firewall", "none", "--tls-port", "6380"));
        args.addAll(List.of(more));
        return args;
    }

    private Cli.Result refused(int exit, String startsWith, List<String> args) throws Exception {
        Cli.Result r = Cli.run(args.toArray(new String[0]));
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(exit);
        assertThat(r.out()).as(r.toString()).isEmpty();
        assertThat(r.err().lines().toList()).as(r.toString()).hasSize(1);
        assertThat(r.err()).as(r.toString()).startsWith("error: " + startsWith);
        assertNothingChanged(node);
        return r;
    }

    private void assertNothingChanged(SimulatedHost h) throws Exception {
        if (h == node) {
            assertThat(sha256(node.redisConf())).as("config unchanged").isEqualTo(originalSha);
        }
        assertThat(Files.exists(h.path("/etc/redis/tls"))).as("no keys dir").isFalse();
        assertThat(Files.exists(tmp.resolve("ca/root.key"))).as("no root left behind").isFalse();
    }

    private Path config(String name, String text) throws Exception {
        return Files.writeString(tmp.resolve(name), text);
    }

    @Test
    void hostThatDropsPackets() throws Exception {
        Path cfg = config("timeout", "Host *\n  ConnectTimeout 2\n" + Files.readString(hosts.sshConfig()));
        node.dropInbound();
        try {
            refused(1, "bad1 (" + node.address() + ") did not answer on port 22 within 2 s", install("bad1", cfg, node));
        } finally {
            node.acceptInbound();
        }
    }

    @Test
    void nameThatDoesNotResolve() throws Exception {
        refused(2, "cannot resolve no-such-node.invalid", install("no-such-node.invalid", hosts.sshConfig(), node));
    }

    @Test
    void connectionRefused() throws Exception {
        node.stopSshd();
        try {
            refused(1, "bad1 (" + node.address() + ") refused the SSH connection", install("bad1", hosts.sshConfig(), node));
        } finally {
            node.startSshd();
        }
    }

    @Test
    void unknownHostKey() throws Exception {
        Path empty = Files.writeString(tmp.resolve("empty_known_hosts"), "");
        Path cfg = hosts.writeSshConfig(tmp.resolve("unknown"), "root", hosts.identity(), empty);
        Cli.Result r = refused(2, "unknown host key for bad1", install("bad1", cfg, node));
        assertThat(r.err()).contains("SHA256:", "ssh-keyscan");
    }

    @Test
    void changedHostKey() throws Exception {
        Path knownHosts = Files.writeString(tmp.resolve("old_known_hosts"), Files.readString(hosts.knownHosts()));
        Path cfg = hosts.writeSshConfig(tmp.resolve("changed"), "root", hosts.identity(), knownHosts);
        node.replaceHostKey();
        try {
            refused(2, "WARNING: the host key of bad1 (" + node.address() + ") has CHANGED", install("bad1", cfg, node));
        } finally {
            hosts.writeKnownHosts();
        }
    }

    @Test
    void authenticationRefused() throws Exception {
        Path stranger = tmp.resolve("stranger_key");
        SshKeyType.ED25519.generate(stranger, "stranger");
        Path cfg = hosts.writeSshConfig(tmp.resolve("stranger"), "root", stranger, hosts.knownHosts());
        refused(1, "bad1 (" + node.address() + ") refused to authenticate root", install("bad1", cfg, node));
    }

    @Test
    void keyFileThatIsNoKey() throws Exception {
        Path notAKey = Files.writeString(tmp.resolve("not_a_key"), "this is not a private key\n");
        Path cfg = hosts.writeSshConfig(tmp.resolve("notakey"), "root", notAKey, hosts.knownHosts());
        assertThat(refused(2, "", install("bad1", cfg, node)).err()).contains(notAKey.toString());
    }

    @Test
    void sudoThatAsksForAPassword() throws Exception {
        assertThat(refused(1, "sudo on " + hosts.passwordSudoUser() + "@bad1 asks " + hosts.passwordSudoUser() + " for a password",
                install(hosts.passwordSudoUser() + "@bad1", hosts.sshConfig(), node, "--sudo")).err()).contains("NOPASSWD");
    }

    @Test
    void nonRootWithoutSudo() throws Exception {
        Cli.Result r = refused(2, "on " + hosts.sudoUser() + "@bad1 the SSH user is not root",
                install(hosts.sudoUser() + "@bad1", hosts.sshConfig(), node));
        assertThat(r.err()).contains("--sudo");
    }

    @Test
    void noSftpSubsystem() throws Exception {
        Cli.Result r = Cli.run(install("nosftp", hosts.sshConfig(), nosftp).toArray(new String[0]));
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.err().lines().toList()).as(r.toString()).hasSize(1);
        assertThat(r.err()).startsWith("error: nosftp offers no SFTP service");
        assertNothingChanged(nosftp);
    }

    @Test
    void unreadableConfig() throws Exception {
        node.makeUnreadable(node.redisConf());
        try {
            refused(2, "cannot read config file " + node.redisConf() + " on bad1", install("bad1", hosts.sshConfig(), node));
        } finally {
            node.makeReadable(node.redisConf());
        }
    }

    @Test
    void diskFullOnTheNode() throws Exception {
        // A 160 KiB filesystem under /etc/redis: the config (104 KiB) fits once, not twice, so staging its new version fails.
        Path etc = node.path("/etc/redis");
        node.mountTmpfs(etc, 160);
        try {
            Cli.Result r = Cli.run(install("bad1", hosts.sshConfig(), node).toArray(new String[0]));
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            assertThat(r.err().lines().toList()).as(r.toString()).hasSize(1);
            assertThat(r.err()).contains("on bad1");
            assertNothingChanged(node);
            assertThat(node.must("ls", "-A", etc.toString()).trim()).isEqualTo("redis.conf");
        } finally {
            node.unmount(etc);
        }
        assertThat(sha256(node.redisConf())).isEqualTo(originalSha);
    }

    @Test
    void connectionDroppedInTheMiddleOfAnInstallIsFinishedByRunningItAgain() throws Exception {
        Path keys = node.path("/etc/redis/tls");
        Process p = Tool.start(Map.of(), List.of(), install("bad1", hosts.sshConfig(), node).toArray(new String[0]));
        long deadline = System.currentTimeMillis() + 60_000;
        while (!Files.exists(keys.resolve("server")) && p.isAlive() && System.currentTimeMillis() < deadline) {
            Thread.sleep(2);
        }
        int killed = node.killSessions();
        Cli.Result dropped = Tool.finish(p);
        assertThat(killed).as("sessions killed mid-install: " + dropped).isPositive();
        assertThat(dropped.exitCode()).as(dropped.toString()).isEqualTo(1);
        assertThat(dropped.err().lines().filter(l -> l.startsWith("error: ")).toList()).as(dropped.toString()).hasSize(1);
        assertThat(dropped.err()).contains("bad1");
        // Old or new, never half: the config is the original or a whole new one, and the node still answers.
        String conf = Files.readString(node.redisConf());
        assertThat(sha256(node.redisConf()).equals(originalSha) || conf.contains("tls-port 6380")).isTrue();
        assertThat(node.redisCli("PING").out().strip()).isEqualTo("PONG");

        Cli.Result again = Cli.run(install("bad1", hosts.sshConfig(), node).toArray(new String[0]));
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.out()).contains("Verified:").doesNotContain("[FAIL]");
        Cli.Result uninstall = Cli.run("uninstall", "--host", "bad1", "--ssh-config", hosts.sshConfig().toString(),
                "--conf", node.redisConf().toString(), "--keys-dir", keys.toString(), "--firewall", "none");
        assertThat(uninstall.exitCode()).as(uninstall.toString()).isZero();
        assertThat(sha256(node.redisConf())).isEqualTo(originalSha);
        Files.deleteIfExists(tmp.resolve("ca/root.key"));
        Files.deleteIfExists(tmp.resolve("ca/root.crt"));
    }

    private static String sha256(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }
}
