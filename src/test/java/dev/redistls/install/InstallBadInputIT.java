package dev.redistls.install;

import dev.redistls.testing.Cli;
import dev.redistls.testing.RedisServer;
import dev.redistls.testing.StockRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input: one clear line on stderr, a non-zero exit, and every file exactly as it was (the config's bytes, no
 * keys dir, no CA home made).
 */
class InstallBadInputIT {
    @TempDir Path tmp;
    RedisServer redis;
    Path keys;
    Path ca;
    byte[] confBefore;

    @BeforeEach
    void start() throws IOException {
        redis = StockRedis.prepare("pw-bad-input").start();
        keys = tmp.resolve("tls");
        ca = tmp.resolve("ca");
        confBefore = Files.readAllBytes(redis.conf());
    }

    @AfterEach
    void stop() {
        redis.close();
    }

    private Cli.Result install(Path conf, String... extra) {
        List<String> args = new ArrayList<>(List.of("install", "--conf", conf.toString(), "--keys-dir", keys.toString(),
                "--ca-home", ca.toString(), "--firewall", "none"));
        args.addAll(Arrays.asList(extra));
        return Cli.run(args.toArray(new String[0]));
    }

    private void assertRefused(Cli.Result r, int exitCode, String message) throws IOException {
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(exitCode);
        assertThat(r.err()).as(r.toString()).startsWith("error: ").contains(message);
        assertThat(r.err().lines().count()).as("one line: %s", r.err()).isEqualTo(1);
        assertThat(r.err()).doesNotContain("Exception", "\tat ");
        assertThat(Files.readAllBytes(redis.conf())).isEqualTo(confBefore);
        assertThat(keys).doesNotExist();
        assertThat(ca).doesNotExist();
    }

    @Test
    void sessionCachingOffWithClientCertificatesIsRefusedWithTheFix() throws Exception {
        Files.writeString(redis.conf(), "tls-session-caching no\n", java.nio.file.StandardOpenOption.APPEND);
        confBefore = Files.readAllBytes(redis.conf());
        assertRefused(install(redis.conf(), "--tls-port", String.valueOf(RedisServer.freePort())), 2,
                "has 'tls-session-caching no', and with tls-auth-clients optional Redis then refuses every client that"
                        + " resumes a TLS session");
        // Where no client certificate is asked for, resuming works (bench-tls checks it on every run): that goes through.
        Cli.Result ok = install(redis.conf(), "--tls-port", String.valueOf(RedisServer.freePort()), "--auth-clients", "no");
        assertThat(ok.exitCode()).as(ok.toString()).isZero();
    }

    @Test
    void missingConfig() throws IOException {
        Path missing = tmp.resolve("nope.conf");
        assertRefused(install(missing), 2, "config file not found: " + missing);
    }

    @Test
    void configThatIsADirectory() throws IOException {
        assertRefused(install(tmp), 2, "config path is a directory, not a file: " + tmp);
    }

    @Test
    void unreadableConfig() throws IOException {
        Path loop = tmp.resolve("loop.conf");
        Files.createSymbolicLink(loop, loop);
        assertRefused(install(loop), 2, "cannot read config file " + loop);
    }

    @Test
    void configRedisWouldRejectUnbalancedQuotes() throws IOException {
        Path bad = tmp.resolve("bad.conf");
        Files.writeString(bad, "port 6379\nlogfile \"/var/log/redis.log\n");
        byte[] before = Files.readAllBytes(bad);
        assertRefused(install(bad), 2, bad + " line 2: unbalanced quotes");
        assertThat(Files.readAllBytes(bad)).isEqualTo(before);
    }

    @Test
    void configRedisWouldRejectANonNumericPort() throws IOException {
        Path bad = tmp.resolve("bad.conf");
        Files.writeString(bad, "port sixthousand\n");
        assertRefused(install(bad), 2, "port must be a number, got 'sixthousand'");
    }

    @Test
    void tlsPortAlreadyInUseByAnotherProcess() throws IOException {
        try (ServerSocket other = new ServerSocket()) {
            other.bind(new InetSocketAddress("0.0.0.0", 0));
            int busy = other.getLocalPort();
            assertRefused(install(redis.conf(), "--tls-port", "" + busy), 2, "TLS port " + busy + " is already in use by another process");
        }
    }

    @Test
    void tlsPortEqualToPort() throws IOException {
        assertRefused(install(redis.conf(), "--tls-port", "" + redis.port()), 2,
                "tls-port " + redis.port() + " equals port " + redis.port());
    }

    @Test
    void redisDownAndNoRestartCommand() throws IOException {
        redis.stop();
        assertRefused(install(redis.conf(), "--tls-port", "" + RedisServer.freePort()), 1,
                "is not running: start it, or pass --restart-command CMD, or --no-live");
    }

    @Test
    void wrongPassword() throws IOException {
        try (Jedis j = new Jedis("127.0.0.1", redis.port())) {
            j.auth("pw-bad-input");
            j.configSet("requirepass", "changed-at-runtime");
        }
        Cli.Result r = install(redis.conf(), "--tls-port", "" + RedisServer.freePort());
        assertRefused(r, 2, "refused the password from requirepass in the config");
        assertThat(r.err()).doesNotContain("pw-bad-input", "changed-at-runtime");
    }

    @Test
    void keysDirHoldingCertificatesFromAnotherRoot() throws IOException {
        Path otherCa = tmp.resolve("other-ca");
        assertThat(Cli.run("certs", "--keys-dir", keys.toString(), "--ca-home", otherCa.toString(), "--owner", "root").exitCode()).isZero();
        Cli.Result r = install(redis.conf(), "--tls-port", "" + RedisServer.freePort());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: keys dir " + keys + " holds certificates from root")
                .contains("pass --ca-home with that root");
        assertThat(Files.readAllBytes(redis.conf())).isEqualTo(confBefore);
        assertThat(ca).doesNotExist();
    }

    @Test
    void configureOnANodeThatWasNeverInstalled() throws IOException {
        Cli.Result r = Cli.run("configure", "--conf", redis.conf().toString(), "--keys-dir", keys.toString(), "--tls-only", "--firewall", "none");
        assertRefused(r, 2, "redis-tls is not installed on " + redis.conf());
    }

    @Test
    void uninstallWithoutARecordRefusesAConfigThatServesTls() throws IOException {
        Path conf = tmp.resolve("hand-made.conf");
        Files.writeString(conf, "port 6379\ntls-port 6380\n");
        Cli.Result r = Cli.run("uninstall", "--conf", conf.toString(), "--keys-dir", keys.toString(), "--firewall", "none");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: " + conf + " serves TLS on port 6380, but " + keys + " holds no install record"
                + " of redis-tls: pass the --keys-dir it was installed with, or take the tls-* lines out of the file by hand\n");
        assertThat(Files.readString(conf)).isEqualTo("port 6379\ntls-port 6380\n");
    }

    @Test
    void unknownFlag() throws IOException {
        Cli.Result r = install(redis.conf(), "--tls-prot", "6380");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: Unknown options: '--tls-prot', '6380' (see 'redis-tls install --help')");
        assertThat(r.err().lines().count()).isEqualTo(1);
        assertThat(Files.readAllBytes(redis.conf())).isEqualTo(confBefore);
    }

    @Test
    void aLiveChangeRedisRefusesUndoesEveryFileAndMakesNoRoot() throws IOException {
        // The tool's user may read the configuration but not change it: the failure comes after the files are written.
        try (Jedis j = new Jedis("127.0.0.1", redis.port())) {
            j.auth("pw-bad-input");
            j.aclSetUser("default", "-config|set");
        }
        Cli.Result r = install(redis.conf(), "--tls-port", "" + RedisServer.freePort());
        assertRefused(r, 1, "refused CONFIG SET");
        try (Jedis j = new Jedis("127.0.0.1", redis.port())) {
            j.auth("pw-bad-input");
            assertThat(j.configGet("tls-port")).containsEntry("tls-port", "0");
        }
    }

    @Test
    void aNodeWithConfigRenamedIsRefusedWithoutARestartCommandAndInstalledWithOne() throws IOException {
        try (RedisServer hardened = RedisServer.start("rename-command CONFIG \"\"\n")) {
            byte[] before = Files.readAllBytes(hardened.conf());
            Cli.Result refused = install(hardened.conf(), "--tls-port", "" + RedisServer.freePort());
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
            assertThat(refused.err()).isEqualTo("error: CONFIG is renamed or disabled on Redis at 127.0.0.1:" + hardened.port()
                    + " (rename-command), and redis-tls applies changes live with CONFIG SET: pass --restart-command CMD"
                    + " to restart it once\n");
            assertThat(Files.readAllBytes(hardened.conf())).isEqualTo(before);
            assertThat(keys).doesNotExist();

            String restart = "redis-cli -p " + hardened.port() + " shutdown nosave; redis-server " + hardened.conf() + " --daemonize yes";
            Cli.Result r = install(hardened.conf(), "--tls-port", "" + RedisServer.freePort(), "--restart-command", restart);
            try {
                assertThat(r.exitCode()).as(r.toString()).isZero();
                assertThat(r.out()).contains("Restarted the node with: " + restart, "[ok] served certificate is the file's");
            } finally {
                killDaemon(hardened);
            }
        }
    }

    private static void killDaemon(RedisServer server) throws IOException {
        Path pid = server.dir().resolve("redis.pid");
        if (Files.exists(pid)) {
            // Killed outright: a SIGTERM makes Redis save first, and it refuses to exit once its dir is gone.
            ProcessHandle.of(Long.parseLong(Files.readString(pid).trim())).ifPresent(p -> {
                p.destroyForcibly();
                p.onExit().join();
            });
        }
    }

    @Test
    void notRunningWithARestartCommandIsInstalledThroughIt() throws IOException {
        redis.stop();
        String start = "redis-server " + redis.conf() + " --daemonize yes";
        Cli.Result r = install(redis.conf(), "--tls-port", "" + RedisServer.freePort(), "--restart-command", start);
        try {
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(r.out()).contains("Restarted the node with: " + start, "[ok] served certificate is the file's");
        } finally {
            killDaemon(redis);
        }
    }
}
