package dev.redistls.ssh;

import dev.redistls.RedisTlsException;
import dev.redistls.testing.Processes;
import dev.redistls.testing.SimulatedHost;
import dev.redistls.testing.SimulatedHost.Options;
import dev.redistls.testing.SimulatedHosts;
import dev.redistls.testing.SshKeyType;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Every way reaching a host can fail, against real OpenSSH servers: each is one line that names the host as
 * written, with the exit code of the command contract (2: the user's input or trust decision, 1: it failed).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SshBadInputIT {
    private SimulatedHosts hosts;
    private SimulatedHost bad1;
    private SimulatedHost rekey;
    private SimulatedHost nosftp;

    @BeforeAll
    void start() {
        hosts = SimulatedHosts.create();
        List<SimulatedHost> h = hosts.start(Options.named("bad1").withoutRedis(), Options.named("rekey").withoutRedis(),
                Options.named("nosftp").withoutRedis().withoutSftp());
        bad1 = h.get(0);
        rekey = h.get(1);
        nosftp = h.get(2);
    }

    @AfterAll
    void stop() {
        if (hosts != null) {
            hosts.close();
        }
    }

    private static RedisTlsException fails(int exitCode, ThrowingCallable call) {
        Throwable t = catchThrowable(call);
        assertThat(t).isInstanceOf(RedisTlsException.class);
        RedisTlsException e = (RedisTlsException) t;
        assertThat(e.getMessage()).doesNotContain("\n");
        assertThat(e.exitCode()).as(e.getMessage()).isEqualTo(exitCode);
        return e;
    }

    private void connectAndClose(String target, Path config, boolean sudo) {
        SshHost.connect(SshTarget.parse(target), config, sudo).close();
    }

    private Path config(String name, String text) throws IOException {
        return Files.writeString(hosts.dir().resolve("client/" + name), text);
    }

    @Test
    void aHostThatDropsPacketsTimesOut() throws IOException {
        Path cfg = config("ssh_config_timeout", "Host *\n  ConnectTimeout 2\n" + Files.readString(hosts.sshConfig()));
        bad1.dropInbound();
        try {
            long start = System.nanoTime();
            RedisTlsException e = fails(1, () -> connectAndClose("bad1", cfg, false));
            assertThat(e.getMessage()).startsWith("bad1 (" + bad1.address() + ") did not answer on port 22 within 2 s");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
        } finally {
            bad1.acceptInbound();
        }
    }

    @Test
    void aNameThatDoesNotResolve() {
        RedisTlsException e = fails(2, () -> connectAndClose("no-such-host.invalid", hosts.sshConfig(), false));
        assertThat(e.getMessage()).startsWith("cannot resolve no-such-host.invalid");
    }

    @Test
    void aPortNobodyListensOnIsRefused() {
        RedisTlsException e = fails(1, () -> connectAndClose("bad1:2222", hosts.sshConfig(), false));
        assertThat(e.getMessage()).startsWith("bad1:2222 (" + bad1.address() + ") refused the SSH connection on port 2222");
    }

    /** The message carries the fingerprint ssh-keygen computes, and the command it gives does trust the key. */
    @Test
    void anUnknownHostKeyIsRefusedWithItsFingerprintAndTheCommandThatTrustsIt() throws IOException {
        Path known = Files.writeString(hosts.dir().resolve("client/known_hosts_empty"), "");
        Path cfg = hosts.writeSshConfig(hosts.dir().resolve("client/ssh_config_unknown"), "root", hosts.identity(), known);
        Path pub = Files.writeString(hosts.dir().resolve("client/bad1_host.pub"), bad1.hostKey() + "\n");
        String fingerprint = Processes.run(null, List.of("ssh-keygen", "-lf", pub.toString())).out().split("\\s+")[1];
        assertThat(fingerprint).startsWith("SHA256:");

        RedisTlsException e = fails(2, () -> connectAndClose("bad1", cfg, false));
        String trust = "ssh-keyscan -t ed25519 " + bad1.address() + " >> " + known;
        assertThat(e.getMessage()).startsWith("unknown host key for bad1 (" + bad1.address() + "): ED25519 key " + fingerprint
                + " is not in " + known).endsWith("then trust it: " + trust);
        assertThat(Files.readString(known)).isEmpty(); // never added by us

        assertThat(Processes.run(null, List.of("sh", "-c", trust)).exitCode()).isZero();
        connectAndClose("bad1", cfg, false);
    }

    @Test
    void aChangedHostKeyIsRefusedLoudlyAndKnownHostsIsLeftAlone() throws IOException {
        connectAndClose("rekey", hosts.sshConfig(), false);
        byte[] before = Files.readAllBytes(hosts.knownHosts());
        rekey.replaceHostKey();
        try {
            RedisTlsException e = fails(2, () -> connectAndClose("rekey", hosts.sshConfig(), false));
            assertThat(e.getMessage()).startsWith("WARNING: the host key of rekey (" + rekey.address() + ") has CHANGED")
                    .contains("Refused").contains("ssh-keygen -R '" + rekey.address() + "' -f " + hosts.knownHosts());
            assertThat(Files.readAllBytes(hosts.knownHosts())).isEqualTo(before);
        } finally {
            hosts.writeKnownHosts();
        }
        connectAndClose("rekey", hosts.sshConfig(), false);
    }

    @Test
    void aKeyTheHostDoesNotKnowIsRefused() throws IOException {
        Path stranger = hosts.dir().resolve("client/id_stranger");
        SshKeyType.ED25519.generate(stranger, "stranger");
        Path cfg = hosts.writeSshConfig(hosts.dir().resolve("client/ssh_config_stranger"), "root", stranger, hosts.knownHosts());
        RedisTlsException e = fails(1, () -> connectAndClose("bad1", cfg, false));
        assertThat(e.getMessage()).startsWith("bad1 (" + bad1.address() + ") refused to authenticate root with " + stranger)
                .contains("authorized_keys");
    }

    /** The good path next to the refusals: a key only ssh-agent holds (IdentityAgent, no key file) logs in. */
    @Test
    void aKeyHeldByTheAgentLogsIn() throws Exception {
        Path sock = hosts.dir().resolve("client/agent.sock");
        Process agent = new ProcessBuilder("ssh-agent", "-D", "-a", sock.toString()).redirectErrorStream(true)
                .redirectOutput(hosts.dir().resolve("client/agent.log").toFile()).start();
        try {
            for (int i = 0; i < 50 && !Files.exists(sock); i++) {
                Thread.sleep(100);
            }
            Processes.Output added = Processes.run(null, java.util.Map.of("SSH_AUTH_SOCK", sock.toString()),
                    List.of("ssh-add", hosts.identity().toString()));
            assertThat(added.exitCode()).as(added.out()).isZero();
            Path cfg = config("ssh_config_agent", "Host bad1\n  HostName " + bad1.address() + "\n  User root\n  UserKnownHostsFile "
                    + hosts.knownHosts() + "\n  IdentityAgent " + sock + "\n");
            try (SshHost host = SshHost.connect(SshTarget.parse("bad1"), cfg, false)) {
                assertThat(host.run(List.of("id", "-u"), null, Duration.ofSeconds(10)).out()).isEqualTo("0\n");
            }
        } finally {
            agent.destroy();
            agent.waitFor();
        }
    }

    @Test
    void aKeyFileThatIsNoKeyIsBadInput() throws IOException {
        Path garbage = Files.writeString(hosts.dir().resolve("client/id_garbage"), "this is not a key\n");
        Path cfg = hosts.writeSshConfig(hosts.dir().resolve("client/ssh_config_garbage"), "root", garbage, hosts.knownHosts());
        RedisTlsException e = fails(2, () -> connectAndClose("bad1", cfg, false));
        assertThat(e.getMessage()).startsWith("cannot use the key file " + garbage + " (IdentityFile for bad1 (" + bad1.address() + "))");
    }

    @Test
    void sudoThatAsksForAPasswordFailsAtConnect() {
        Path cfg = hosts.writeSshConfig(hosts.dir().resolve("client/ssh_config_pw"), hosts.passwordSudoUser(), hosts.identity(), hosts.knownHosts());
        RedisTlsException e = fails(1, () -> connectAndClose("bad1", cfg, true));
        assertThat(e.getMessage()).isEqualTo("sudo on bad1 asks " + hosts.passwordSudoUser() + " for a password; give "
                + hosts.passwordSudoUser() + " passwordless sudo there (a sudoers line '" + hosts.passwordSudoUser()
                + " ALL=(ALL) NOPASSWD: ALL') or log in as root");
    }

    @Test
    void aHostWithoutSftpSaysSoWhenFilesAreNeeded() {
        try (SshHost host = SshHost.connect(SshTarget.parse("nosftp"), hosts.sshConfig(), false)) {
            RedisTlsException e = fails(1, () -> host.files().root().list());
            assertThat(e.getMessage()).startsWith("nosftp offers no SFTP service").contains("Subsystem sftp");
        }
    }
}
