package dev.redistls.hardening;

import dev.redistls.pki.KeysDir;
import dev.redistls.testing.Cli;
import dev.redistls.testing.DebianNode;
import dev.redistls.testing.RedisServer;
import dev.redistls.testing.Tool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGKILL at every point where the tool changes a file: strace kills the process as it makes its Nth rename (a file
 * going into place) or its Nth unlink (a file or staging dir going away), for every N the command reaches. After each
 * kill the node still serves, the config is one Redis can start with, and running the same command again finishes
 * the change; after uninstall the config is the original, byte for byte: nothing recorded was lost.
 */
class CrashIT {
    static final String PASSWORD = "crash-s3cret";
    static final List<String> KILL_POINTS = List.of("renameat", "unlinkat");

    static DebianNode node;
    static byte[] original;
    static String tlsPort;

    @BeforeAll
    static void start() throws Exception {
        node = DebianNode.prepare(PASSWORD, "").start();
        original = Files.readAllBytes(node.conf());
        tlsPort = String.valueOf(RedisServer.freePort());
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    /** Runs {@code args} under strace, killed at the {@code n}th call of {@code syscall}; whether it was killed. */
    static boolean killedAt(String syscall, int n, String... args) {
        Cli.Result r = Tool.run(Map.of(), List.of("strace", "-f", "-qq", "-o", "/dev/null",
                "-e", "trace=" + syscall, "-e", "inject=" + syscall + ":signal=KILL:when=" + n), args);
        if (r.exitCode() == 0) {
            return false;
        }
        // strace exits with the traced process' signal: 128 + 9.
        assertThat(r.exitCode()).as("killed, not failed: " + r).isEqualTo(137);
        return true;
    }

    @Test
    void installKilledAnywhereIsFinishedByRunningItAgain() throws Exception {
        int kills = 0;
        for (String syscall : KILL_POINTS) {
            for (int n = 1; killedAt(syscall, n, node.args("install", "--tls-port", tlsPort)); n++) {
                kills++;
                String at = "install killed at " + syscall + " #" + n;
                nodeStillServesAndConfigIsWhole(at);
                converges(at, "install", "--tls-port", tlsPort);
                converges(at, "uninstall");
                assertThat(Files.readAllBytes(node.conf())).as(at + ": original after uninstall").isEqualTo(original);
            }
        }
        assertThat(kills).as("kill points reached").isGreaterThanOrEqualTo(10);
        noStagingLeftIn(node.etc());
    }

    @Test
    void reissueKilledAnywhereIsFinishedByRunningItAgain() throws Exception {
        converges("setup", "install", "--tls-port", tlsPort);
        int kills = 0;
        for (String syscall : KILL_POINTS) {
            for (int n = 1; killedAt(syscall, n, node.args("reissue")); n++) {
                kills++;
                String at = "reissue killed at " + syscall + " #" + n;
                nodeStillServesAndConfigIsWhole(at);
                converges(at, "reissue");
                assertThat(KeysDir.local(node.keys()).mismatchedPairs()).as(at).isEmpty();
            }
        }
        converges("teardown", "uninstall");
        assertThat(Files.readAllBytes(node.conf())).isEqualTo(original);
        assertThat(kills).as("kill points reached").isGreaterThanOrEqualTo(6);
        noStagingLeftIn(node.etc());
    }

    @Test
    void uninstallKilledAnywhereIsFinishedByRunningItAgain() throws Exception {
        int kills = 0;
        for (String syscall : KILL_POINTS) {
            for (int n = 1; ; n++) {
                converges("setup", "install", "--tls-port", tlsPort);
                if (!killedAt(syscall, n, node.args("uninstall"))) {
                    break;
                }
                kills++;
                String at = "uninstall killed at " + syscall + " #" + n;
                nodeStillServesAndConfigIsWhole(at);
                Cli.Result again = Cli.run(node.args("uninstall"));
                assertThat(again.exitCode()).as(at + ": " + again).isZero();
                assertThat(Files.readAllBytes(node.conf())).as(at + ": original after uninstall").isEqualTo(original);
                assertThat(Files.exists(node.keys())).as(at + ": keys dir gone").isFalse();
                assertThat(new dev.redistls.host.LocalHost().listening(Integer.parseInt(tlsPort))).as(at + ": TLS port closed").isFalse();
            }
        }
        assertThat(kills).as("kill points reached").isGreaterThanOrEqualTo(4);
        noStagingLeftIn(node.etc());
    }

    /** What a killed run staged is removed by the next run in that directory (its maker is gone). */
    private static void noStagingLeftIn(Path dir) throws java.io.IOException {
        try (var entries = Files.list(dir)) {
            assertThat(entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".redis-tls-staging-")).toList())
                    .as("staging directories left in " + dir).isEmpty();
        }
    }

    private static void converges(String at, String command, String... more) {
        Cli.Result r = Cli.run(node.args(command, more));
        assertThat(r.exitCode()).as(at + ", then " + command + " again: " + r).isZero();
        if (!command.equals("uninstall")) {
            assertThat(r.out()).as(at + ", then " + command).contains("Verified:").doesNotContain("[FAIL]");
        }
    }

    /**
     * The node answers, and its config is whole: parsable, and every TLS file it names exists, with keys that belong to
     * their certificates — a redis-server started on it now would come up (a crash between a key's and its
     * certificate's rename is the one moment a pair differs; the next run of any change command repairs it).
     */
    private static void nodeStillServesAndConfigIsWhole(String at) {
        assertThat(node.isAlive()).as(at + ": redis-server alive").isTrue();
        Cli.Result status = Cli.run(node.args("status"));
        assertThat(status.exitCode()).as(at + ": status " + status).isZero();
        assertThat(status.out()).as(at).contains("live:      running");
        String conf;
        try {
            conf = Files.readString(node.conf());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        List<Path> named = new ArrayList<>();
        conf.lines().filter(l -> l.startsWith("tls-cert-file ") || l.startsWith("tls-key-file ") || l.startsWith("tls-ca-cert-file "))
                .forEach(l -> named.add(Path.of(l.substring(l.indexOf(' ') + 1))));
        for (Path p : named) {
            assertThat(Files.isRegularFile(p)).as(at + ": " + p + " named by the config").isTrue();
        }
    }
}
