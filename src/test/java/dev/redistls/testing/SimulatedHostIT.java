package dev.redistls.testing;

import dev.redistls.testing.SimulatedHost.Options;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The simulated hosts themselves, judged by the real OpenSSH clients (ssh, sftp) and redis-cli: each host is its own
 * machine as seen over SSH, its Redis is reachable only through SSH, the users and sudo behave as claimed, each fault
 * helper has the effect it claims, and closing leaves nothing behind.
 */
class SimulatedHostIT {
    private static final String BRAVO_PASSWORD = "bravo-s3cret";

    private static String firewallBefore;
    private static SimulatedHosts hosts;
    private static SimulatedHost alpha;
    private static SimulatedHost bravo;

    @BeforeAll
    static void twoHostsInParallel() {
        firewallBefore = Netns.hostFirewall();
        long t0 = System.nanoTime();
        hosts = SimulatedHosts.create();
        long t1 = System.nanoTime();
        List<SimulatedHost> two = hosts.start(Options.named("alpha"),
                Options.named("bravo").withoutSftp().hostKey(SshKeyType.ECDSA).redisPassword(BRAVO_PASSWORD));
        long t2 = System.nanoTime();
        alpha = two.get(0);
        bravo = two.get(1);
        System.out.printf("SimulatedHostIT: fixture (key, 2 users, sudoers) %d ms; 2 hosts in parallel %d ms%n",
                (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
    }

    @AfterAll
    static void close() {
        if (hosts != null) {
            hosts.close();
        }
        assertThat(Netns.hostFirewall()).as("the machine's own firewall").isEqualTo(firewallBefore);
    }

    @Test
    void eachHostHasItsOwnNameAddressAndFilesOverSsh() {
        String machine = run("hostname").out().strip();
        for (SimulatedHost h : List.of(alpha, bravo)) {
            Processes.Output r = ssh(h.alias(), "hostname; hostname -f; hostname -I; cat /etc/hostname;"
                    + " ip -o -4 addr show scope global; echo $SSH_CONNECTION");
            assertThat(r.exitCode()).as(r.out()).isZero();
            List<String> lines = r.out().lines().toList();
            assertThat(lines.get(0)).isEqualTo(h.name()).isNotEqualTo(machine);
            assertThat(lines.get(1)).isEqualTo(h.name() + ".redis-tls.test");
            assertThat(lines.get(2).strip()).isEqualTo(h.address());
            assertThat(lines.get(3)).isEqualTo(h.name());
            assertThat(lines.get(4)).contains("eth0").contains("inet " + h.address() + "/30");
            assertThat(lines).hasSize(6);
            assertThat(lines.get(5)).startsWith(h.testSideAddress() + " ").endsWith(" " + h.address() + " 22");
            assertThat(h.exec("hostname", "-f").out().strip()).as("exec sees the host too").isEqualTo(h.fqdn());
        }
        assertThat(alpha.address()).isNotEqualTo(bravo.address());
        assertThat(run("hostname").out().strip()).as("the machine's name is untouched").isEqualTo(machine);
        assertThat(run("cat", "/etc/hosts").out()).doesNotContain(alpha.fqdn(), bravo.fqdn());
    }

    @Test
    void redisIsReachableThroughSshOnlyAndRunsAsRedis() throws Exception {
        assertThat(throughSsh(alpha, "PING\r\nQUIT\r\n")).isEqualTo("+PONG\r\n+OK\r\n");
        assertThat(throughSsh(bravo, "PING\r\nQUIT\r\n")).startsWith("-NOAUTH");
        assertThat(throughSsh(bravo, "AUTH " + BRAVO_PASSWORD + "\r\nPING\r\nQUIT\r\n"))
                .isEqualTo("+OK\r\n+PONG\r\n+OK\r\n");

        for (SimulatedHost h : List.of(alpha, bravo)) {
            Processes.Output direct = run("timeout", "5", "redis-cli", "-h", h.address(), "-p",
                    String.valueOf(h.redisPort()), "PING");
            assertThat(direct.out()).as("from the test's namespace").contains("Connection refused")
                    .doesNotContain("PONG");
            assertThat(ssh(h.alias(), "ps -o user= -p " + h.redisPid()).out().strip()).isEqualTo("redis");
            assertThat(ssh(h.alias(), "ss -Hltn sport = :" + h.redisPort()).out())
                    .contains("127.0.0.1:" + h.redisPort()).doesNotContain(h.address());
            assertThat(ssh(h.alias(), "stat -c '%U:%G %a' " + h.path("/etc/redis") + " " + h.redisConf()).out())
                    .isEqualTo("redis:redis 2770\nredis:redis 640\n");
            assertThat(h.redisCli("PING").out().strip()).isEqualTo("PONG");
        }
        assertThat(Files.readString(alpha.redisConf())).contains("\nbind 127.0.0.1 -::1\n")
                .contains("\nlogfile " + alpha.redisLog() + "\n");
        assertThat(Files.readString(bravo.redisConf())).contains("\nrequirepass " + BRAVO_PASSWORD + "\n");
    }

    @Test
    void restartCommandRunOverSshRestartsRedisAsRedis() {
        long before = alpha.redisPid();
        Processes.Output r = ssh(alpha.alias(), alpha.redisRestartCommand());
        assertThat(r.exitCode()).as(r.out()).isZero();
        long after = alpha.redisPid();
        assertThat(after).isPositive().isNotEqualTo(before);
        assertThat(SimulatedHost.isDead(before)).isTrue();
        assertThat(ssh(alpha.alias(), "ps -o user= -p " + after).out().strip()).isEqualTo("redis");
        assertThat(alpha.redisCli("PING").out().strip()).isEqualTo("PONG");

        alpha.stopRedis();
        assertThat(alpha.redisRunning()).isFalse();
        assertThat(alpha.redisCli("PING").out()).contains("Connection refused");
        alpha.startRedis();
        assertThat(alpha.redisCli("PING").out().strip()).isEqualTo("PONG");
        long pid = alpha.redisPid();
        alpha.killRedis();
        assertThat(SimulatedHost.isDead(pid)).isTrue();
        assertThat(alpha.redisRunning()).isFalse();
        alpha.startRedis();
        assertThat(alpha.redisCli("PING").out().strip()).isEqualTo("PONG");
    }

    @Test
    void strictHostKeyCheckingRefusesAnotherHostsKeyAndAnUnknownHost(@TempDir Path tmp) throws Exception {
        Path wrong = tmp.resolve("known_hosts.wrong");
        Files.writeString(wrong, alpha.alias() + "," + alpha.address() + " " + bravo.hostKey() + "\n");
        Path cfg = hosts.writeSshConfig(tmp.resolve("ssh_config.wrong"), "root", hosts.identity(), wrong);
        Processes.Output changed = run("ssh", "-F", cfg.toString(), alpha.alias(), "true");
        assertThat(changed.exitCode()).isEqualTo(255);
        assertThat(changed.out()).contains("REMOTE HOST IDENTIFICATION HAS CHANGED");

        Path empty = Files.createFile(tmp.resolve("known_hosts.empty"));
        Path cfg2 = hosts.writeSshConfig(tmp.resolve("ssh_config.empty"), "root", hosts.identity(), empty);
        Processes.Output unknown = run("ssh", "-F", cfg2.toString(), alpha.alias(), "true");
        assertThat(unknown.exitCode()).isEqualTo(255);
        assertThat(unknown.out()).contains("Host key verification failed");
        assertThat(Files.readString(empty)).as("nothing learnt").isEmpty();

        assertThat(Files.readAllLines(hosts.knownHosts())).containsExactlyInAnyOrder(
                "alpha," + alpha.address() + " " + alpha.hostKey(), "bravo," + bravo.address() + " " + bravo.hostKey());
        assertThat(bravo.hostKey()).startsWith("ecdsa-sha2-nistp256 ");
        assertThat(alpha.hostKey()).startsWith("ssh-ed25519 ");
    }

    @Test
    void theSudoUserHasPasswordlessSudoTheOtherIsAskedForAPassword() {
        Processes.Output sudo = ssh(hosts.sudoUser() + "@" + alpha.alias(), "id -un; sudo -n id -u");
        assertThat(sudo.exitCode()).as(sudo.out()).isZero();
        assertThat(sudo.out()).isEqualTo(hosts.sudoUser() + "\n0\n");
        Processes.Output pw = ssh(hosts.passwordSudoUser() + "@" + bravo.alias(), "id -un; sudo -n true");
        assertThat(pw.exitCode()).isEqualTo(1);
        assertThat(pw.out()).startsWith(hosts.passwordSudoUser() + "\n").contains("a password is required");
        assertThat(run("visudo", "-cf", hosts.sudoersFile().toString()).exitCode()).isZero();
    }

    @Test
    void everyClientKeyTypeLogsIn(@TempDir Path tmp) {
        for (SshKeyType type : SshKeyType.values()) {
            Path cfg = hosts.writeSshConfig(tmp.resolve("ssh_config." + type), hosts.sudoUser(),
                    hosts.identity(type), hosts.knownHosts());
            for (SimulatedHost h : List.of(alpha, bravo)) {
                Processes.Output r = run("ssh", "-F", cfg.toString(), "-v", h.alias(), "id -un");
                assertThat(r.exitCode()).as(r.out()).isZero();
                assertThat(r.out()).contains("Server accepts key: " + hosts.identity(type));
                assertThat(r.out().lines()).contains(hosts.sudoUser());
            }
        }
    }

    @Test
    void sftpPutsAndGetsAndTheHostWithoutTheSubsystemRefusesIt(@TempDir Path tmp) throws Exception {
        Path local = Files.writeString(tmp.resolve("put.txt"), "over sftp\n");
        Path remote = alpha.root().resolve("sftp-put.txt");
        Path back = tmp.resolve("got.txt");
        Path batch = Files.writeString(tmp.resolve("batch"), "put " + local + " " + remote + "\nget " + remote + " "
                + back + "\n");
        Processes.Output r = run("sftp", "-F", hosts.sshConfig().toString(), "-b", batch.toString(),
                alpha.alias());
        assertThat(r.exitCode()).as(r.out()).isZero();
        assertThat(Files.readString(remote)).isEqualTo("over sftp\n");
        assertThat(Files.readString(back)).isEqualTo("over sftp\n");

        Processes.Output refused = run("sftp", "-F", hosts.sshConfig().toString(), "-b",
                batch.toString(), bravo.alias());
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.out()).contains("subsystem request failed");
    }

    @Test
    void droppedInboundPacketsMakeAConnectTimeOut() {
        alpha.dropInbound();
        try {
            long t0 = System.nanoTime();
            Processes.Output r = run("ssh", "-F", hosts.sshConfig().toString(), "-o", "ConnectTimeout=1",
                    alpha.alias(), "true");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(r.exitCode()).isEqualTo(255);
            assertThat(r.out()).contains("Connection timed out");
            assertThat(ms).isBetween(900L, 5_000L);
            assertThat(alpha.redisCli("PING").out().strip()).as("loopback inside is not dropped").isEqualTo("PONG");
            assertThat(ssh(bravo.alias(), "true").exitCode()).as("other hosts unaffected").isZero();
        } finally {
            alpha.acceptInbound();
        }
        assertThat(ssh(alpha.alias(), "true").exitCode()).isZero();
    }

    @Test
    void aStoppedSshdRefusesConnectionsAndStartsAgain() {
        long pid = alpha.sshdPid();
        assertThat(pid).isPositive();
        alpha.stopSshd();
        try {
            assertThat(alpha.sshdPid()).isEqualTo(-1);
            assertThat(SimulatedHost.isDead(pid)).isTrue();
            Processes.Output r = ssh(alpha.alias(), "true");
            assertThat(r.exitCode()).isEqualTo(255);
            assertThat(r.out()).contains("Connection refused");
        } finally {
            alpha.startSshd();
        }
        assertThat(ssh(alpha.alias(), "true").exitCode()).isZero();
    }

    @Test
    void aReplacedHostKeyIsRefusedUntilKnownHostsIsRewritten() {
        String old = bravo.hostKey();
        bravo.replaceHostKey();
        try {
            assertThat(bravo.hostKey()).isNotEqualTo(old).startsWith("ecdsa-sha2-nistp256 ");
            Processes.Output r = ssh(bravo.alias(), "true");
            assertThat(r.exitCode()).isEqualTo(255);
            assertThat(r.out()).contains("REMOTE HOST IDENTIFICATION HAS CHANGED");
        } finally {
            hosts.writeKnownHosts();
        }
        assertThat(ssh(bravo.alias(), "true").exitCode()).isZero();
    }

    @Test
    void killedSessionsDropTheConnectionMidCommandWhileTheCommandRunsOn(@TempDir Path tmp) throws Exception {
        Path pidFile = alpha.root().resolve("mid-command.pid");
        Path out = tmp.resolve("ssh.out");
        Process client = new ProcessBuilder("ssh", "-F", hosts.sshConfig().toString(), alpha.alias(),
                "echo $$ > " + pidFile + "; echo started; exec sleep 30").redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.readString(out).contains("started") && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        long command = Long.parseLong(Files.readString(pidFile).strip());
        try {
            assertThat(alpha.killSessions()).isPositive();
            assertThat(client.waitFor(5, TimeUnit.SECONDS)).as("the client sees the connection drop").isTrue();
            assertThat(client.exitValue()).isEqualTo(255);
            assertThat(Files.readString(out)).contains("closed by remote host");
            assertThat(ProcessHandle.of(command)).as("the remote command runs on").isPresent();
            assertThat(alpha.sshdPid()).as("the listener stays").isPositive();
            assertThat(ssh(alpha.alias(), "true").exitCode()).isZero();
        } finally {
            client.destroyForcibly();
            ProcessHandle.of(command).ifPresent(ProcessHandle::destroy); // by pid: ours, inside alpha
        }
    }

    @Test
    void aSmallTmpfsFillsUpForTheHostOnly() throws Exception {
        Path dir = alpha.path("/etc/redis/tls");
        assertThat(ssh(alpha.alias(), "install -d -o redis -g redis -m 750 " + dir + " && echo kept > " + dir
                + "/keep").exitCode()).isZero();
        alpha.mountTmpfs(dir, 64);
        try {
            Processes.Output r = ssh(alpha.alias(), "stat -c '%U:%G %a' " + dir + "; cat " + dir + "/keep;"
                    + " dd if=/dev/zero of=" + dir + "/big bs=1k count=256");
            assertThat(r.exitCode()).isNotZero();
            // 2750: the setgid bit is inherited from etc/redis
            assertThat(r.out()).startsWith("redis:redis 2750\nkept\n").contains("No space left on device");
            assertThat(Files.exists(dir.resolve("big"))).as("the test sees the real directory").isFalse();
            assertThat(ssh(bravo.alias(), "df --output=target " + dir).out()).as("other hosts unaffected")
                    .doesNotContain(dir.toString());
        } finally {
            alpha.unmount(dir);
        }
        assertThat(ssh(alpha.alias(), "ls " + dir).out()).isEqualTo("keep\n");
    }

    @Test
    void anUnreadableFileIsUnreadableOverSshEvenToRoot(@TempDir Path tmp) throws Exception {
        Path conf = alpha.redisConf();
        String text = Files.readString(conf);
        alpha.makeUnreadable(conf);
        try {
            Processes.Output root = ssh(alpha.alias(), "cat " + conf);
            assertThat(root.exitCode()).isNotZero();
            assertThat(root.out()).contains("Permission denied");
            Processes.Output sudo = ssh(hosts.sudoUser() + "@" + alpha.alias(), "sudo -n cat " + conf);
            assertThat(sudo.out()).contains("Permission denied");
            Path batch = Files.writeString(tmp.resolve("batch"), "get " + conf + " " + tmp.resolve("got") + "\n");
            Processes.Output sftp = run("sftp", "-F", hosts.sshConfig().toString(), "-b", batch.toString(),
                    alpha.alias());
            assertThat(sftp.exitCode()).isNotZero();
            assertThat(sftp.out()).contains("Permission denied");
            assertThat(Files.readString(conf)).as("the test still reads it").isEqualTo(text);
        } finally {
            alpha.makeReadable(conf);
        }
        assertThat(ssh(alpha.alias(), "cat " + conf).out()).isEqualTo(text);
        assertThat(ssh(alpha.alias(), "stat -c '%U:%G %a' " + conf).out()).isEqualTo("redis:redis 640\n");
    }

    /** Its own fixture: one host timed alone, an RSA host key, every kind of leftover made, then closed. */
    @Test
    void closeLeavesNothingBehind() throws Exception {
        long t0 = System.nanoTime();
        SimulatedHosts own = SimulatedHosts.create();
        long t1 = System.nanoTime();
        SimulatedHost solo = own.start("solo");
        long t2 = System.nanoTime();
        System.out.printf("SimulatedHostIT: fixture %d ms; 1 host %d ms%n", (t1 - t0) / 1_000_000,
                (t2 - t1) / 1_000_000);
        SimulatedHost rsa = own.start(Options.named("rsa").hostKey(SshKeyType.RSA).minimalRedisConfig()
                .withoutSftp());
        assertThat(rsa.hostKey()).startsWith("ssh-rsa ");
        assertThat(run("ssh", "-F", own.sshConfig().toString(), "rsa", "hostname").out()).isEqualTo("rsa\n");

        // leftovers of every kind: a user's background process, mounts, a started process, a firewall rule
        Processes.Output bg = run("ssh", "-F", own.sshConfig().toString(), own.sudoUser() + "@solo",
                "nohup sleep 300 >/dev/null 2>&1 & echo $!");
        long userProcess = Long.parseLong(bg.out().strip());
        Path tls = Files.createDirectory(solo.path("/etc/redis/tls"));
        solo.mountTmpfs(tls, 16);
        solo.makeUnreadable(solo.redisConf());
        Process started = solo.start(solo.root().resolve("load.log"), "sleep", "300");
        solo.dropInbound();

        List<Long> pids = new ArrayList<>(solo.pidsStarted());
        pids.addAll(rsa.pidsStarted());
        pids.add(userProcess);
        pids.add(solo.sshdPid());
        pids.add(solo.redisPid());
        assertThat(pids).allMatch(p -> ProcessHandle.of(p).isPresent());
        List<String> namespaces = List.of(solo.netns(), rsa.netns());
        List<String> veths = List.of(solo.veth(), rsa.veth());
        List<String> users = List.of(own.sudoUser(), own.passwordSudoUser());
        assertThat(run("getent", "passwd", users.get(0)).out()).contains(own.dir().toString());

        own.close();
        own.close();
        solo.close();

        assertThat(started.isAlive()).isFalse();
        assertThat(pids).allMatch(SimulatedHost::isDead);
        String netnsList = run("ip", "netns", "list").out();
        namespaces.forEach(ns -> assertThat(netnsList).doesNotContain(ns));
        String links = run("ip", "-o", "link").out();
        veths.forEach(v -> assertThat(links).doesNotContain(v));
        assertThat(run("ip", "-4", "-o", "addr").out()).doesNotContain(solo.testSideAddress(),
                rsa.testSideAddress());
        for (String user : users) {
            assertThat(run("getent", "passwd", user).exitCode()).isEqualTo(2);
            assertThat(run("getent", "group", user).exitCode()).isEqualTo(2);
        }
        assertThat(own.sudoersFile()).doesNotExist();
        assertThat(Files.list(Path.of("/etc/sudoers.d")).map(Path::toString)).noneMatch(p -> p.contains(
                own.sudoersFile().getFileName().toString()));
        assertThat(own.dir()).doesNotExist();
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8))
                .doesNotContain(own.dir().toString());
    }

    /** RESP sent to the host's redis through a channel forwarded by ssh ({@code ssh -W 127.0.0.1:<port>}). */
    private static String throughSsh(SimulatedHost h, String resp) {
        return Processes.run(resp, List.of("ssh", "-F", hosts.sshConfig().toString(), "-W",
                "127.0.0.1:" + h.redisPort(), h.alias())).out();
    }

    private static Processes.Output run(String... command) {
        return Processes.run(null, List.of(command));
    }

    private static Processes.Output ssh(String destination, String command) {
        return run("ssh", "-F", hosts.sshConfig().toString(), "-o", "ConnectTimeout=5", destination,
                command);
    }
}
