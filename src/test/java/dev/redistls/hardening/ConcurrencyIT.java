package dev.redistls.hardening;

import dev.redistls.files.SafeFiles;
import dev.redistls.host.HostLock;
import dev.redistls.host.LocalHost;
import dev.redistls.pki.KeysDir;
import dev.redistls.testing.Cli;
import dev.redistls.testing.DebianNode;
import dev.redistls.testing.RedisServer;
import dev.redistls.testing.Tool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One writer per node: two runs at once (two installs, a reissue during an uninstall) are two processes here, and
 * the second waits for the first (or, with --no-wait, fails at once), so neither undoes the other's files. To make
 * "at once" certain, the test holds the node's lock while both start, and lets go.
 */
class ConcurrencyIT {
    static final String PASSWORD = "concurrent-s3cret";

    DebianNode node;
    LocalHost here = new LocalHost();
    byte[] original;
    String lockKey;

    @BeforeEach
    void start() throws Exception {
        node = DebianNode.prepare(PASSWORD, "").start();
        original = Files.readAllBytes(node.conf());
        lockKey = new SafeFiles(here).realPath(node.conf()).toString();
    }

    @AfterEach
    void stop() {
        node.close();
    }

    @Test
    void twoInstallsAtOnceEndAsOneInstall() throws Exception {
        String tlsPort = String.valueOf(RedisServer.freePort());
        Process a;
        Process b;
        try (HostLock held = here.lock(lockKey, false, m -> { })) {
            a = Tool.start(Map.of(), List.of(), node.args("install", "--tls-port", tlsPort));
            b = Tool.start(Map.of(), List.of(), node.args("install", "--tls-port", tlsPort));
            Thread.sleep(2500);
            assertThat(a.isAlive()).as("first install waits for the lock").isTrue();
            assertThat(b.isAlive()).as("second install waits for the lock").isTrue();
        }
        Cli.Result ra = Tool.finish(a);
        Cli.Result rb = Tool.finish(b);
        assertThat(ra.exitCode()).as(ra.toString()).isZero();
        assertThat(rb.exitCode()).as(rb.toString()).isZero();
        assertThat(ra.err() + rb.err()).contains("another redis-tls (pid " + ProcessHandle.current().pid() + ") is changing "
                + lockKey + "; waiting for it");
        // The later one found the work done: it kept the certificates and wrote nothing new.
        assertThat(List.of(ra.out(), rb.out())).filteredOn(o -> o.contains("already has these TLS settings")).hasSize(1);
        String conf = Files.readString(node.conf());
        assertThat(conf.lines().filter(l -> l.startsWith("tls-port ")).count()).isEqualTo(1);
        KeysDir keys = KeysDir.local(node.keys());
        assertThat(keys.isComplete()).isTrue();
        assertThat(keys.mismatchedPairs()).isEmpty();
        assertThat(keys.certificate(keys.serverRoot())).isEqualTo(
                keys.certificate(node.caHome().resolve("root.crt")));
        Cli.Result status = Cli.run(node.args("status"));
        assertThat(status.out()).as(status.toString()).contains("serving the keys dir's certificate");
        Cli.Result uninstall = Cli.run(node.args("uninstall"));
        assertThat(uninstall.exitCode()).as(uninstall.toString()).isZero();
        assertThat(Files.readAllBytes(node.conf())).isEqualTo(original);
    }

    @Test
    void noWaitFailsAtOnceAndChangesNothing() throws Exception {
        try (HostLock held = here.lock(lockKey, false, m -> { })) {
            Cli.Result r = Tool.run(node.args("install", "--no-wait", "--tls-port", String.valueOf(RedisServer.freePort())));
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            assertThat(r.err()).isEqualTo("error: another redis-tls (pid " + ProcessHandle.current().pid()
                    + ") is changing " + lockKey + "; try again when it is done\n");
        }
        assertThat(Files.readAllBytes(node.conf())).isEqualTo(original);
        assertThat(Files.exists(node.keys())).isFalse();
        assertThat(Files.exists(node.caHome())).isFalse();
    }

    @Test
    void reissueDuringUninstallNeverResurrectsKeysOrLeaksAnException() throws Exception {
        Cli.Result install = Cli.run(node.args("install", "--tls-port", String.valueOf(RedisServer.freePort())));
        assertThat(install.exitCode()).as(install.toString()).isZero();
        Process uninstall;
        Process reissue;
        try (HostLock held = here.lock(lockKey, false, m -> { })) {
            uninstall = Tool.start(Map.of(), List.of(), node.args("uninstall"));
            reissue = Tool.start(Map.of(), List.of(), node.args("reissue"));
            Thread.sleep(2500);
        }
        Cli.Result ru = Tool.finish(uninstall);
        Cli.Result rr = Tool.finish(reissue);
        assertThat(ru.exitCode()).as(ru.toString()).isZero();
        // Reissue ran first (and uninstall then removed its certificates), or after, and said there is nothing to reissue.
        assertThat(rr.exitCode()).as(rr.toString()).isIn(0, 2);
        if (rr.exitCode() == 2) {
            assertThat(rr.err()).contains("error: keys dir " + node.keys() + " is missing certificates");
        }
        for (Cli.Result r : List.of(ru, rr)) {
            assertThat(r.err().lines().filter(l -> !l.startsWith("error: ") && !l.startsWith("note: ")).toList())
                    .as(r.toString()).isEmpty();
        }
        assertThat(Files.readAllBytes(node.conf())).isEqualTo(original);
        assertThat(Files.exists(node.keys())).as("keys dir after uninstall").isFalse();
    }
}
