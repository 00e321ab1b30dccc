package dev.redistls.ssh;

import dev.redistls.RedisTlsException;
import dev.redistls.host.HostFacts;
import dev.redistls.host.HostLock;
import dev.redistls.testing.Processes;
import dev.redistls.testing.SimulatedHost;
import dev.redistls.testing.SimulatedHosts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Programs, facts, Redis connections and the node lock on a real OpenSSH host. The host's Redis listens on its
 * 127.0.0.1 only, so every PING here went through a direct-tcpip channel. OpenSSH's own client is the judge of facts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SshHostIT {
    private static final Duration T = Duration.ofSeconds(10);
    private static final int TLS_PORT = 6390;

    private SimulatedHosts hosts;
    private SimulatedHost node;
    private Path sudoConfig;
    private SshHost asRoot;
    private SshHost asSudo;
    private Path cert;

    @BeforeAll
    void start() {
        hosts = SimulatedHosts.create();
        node = hosts.start("node1");
        sudoConfig = hosts.writeSshConfig(hosts.dir().resolve("client/ssh_config_sudo"), hosts.sudoUser(), hosts.identity(), hosts.knownHosts());
        asRoot = connect(false);
        asSudo = connect(true);
        // A TLS-only Redis on the host's loopback, with a throwaway self-signed certificate for 127.0.0.1.
        Path tls = node.path("/etc/redis/tls-test");
        node.must("mkdir", "-p", tls.toString());
        node.must("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                "-subj", "/CN=node1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", tls + "/k.pem", "-out", tls + "/c.pem");
        node.must("chmod", "0644", tls + "/k.pem");
        cert = tls.resolve("c.pem");
        node.start(hosts.dir().resolve("redis-tls.log"), "runuser", "-u", "redis", "--", "redis-server", "--port", "0",
                "--tls-port", String.valueOf(TLS_PORT), "--bind", "127.0.0.1", "--tls-cert-file", tls + "/c.pem",
                "--tls-key-file", tls + "/k.pem", "--tls-auth-clients", "no", "--save", "", "--appendonly", "no", "--dir", "/tmp");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!node.exec("sh", "-c", "cat /proc/net/tcp | grep -q ':" + String.format("%04X", TLS_PORT) + " 00000000:0000 0A'").out().isEmpty()
                || node.exec("sh", "-c", "grep -q ':" + String.format("%04X", TLS_PORT) + " 00000000:0000 0A' /proc/net/tcp").exitCode() != 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the TLS redis did not start");
            }
            sleep(100);
        }
    }

    private SshHost connect(boolean sudo) {
        return SshHost.connect(SshTarget.parse(node.alias()), sudo ? sudoConfig : hosts.sshConfig(), sudo);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @AfterAll
    void stop() {
        for (SshHost h : new SshHost[]{asRoot, asSudo}) {
            if (h != null) {
                h.close();
            }
        }
        if (hosts != null) {
            hosts.close();
        }
    }

    private SshHost host(String who) {
        return who.equals("root") ? asRoot : asSudo;
    }

    /** What OpenSSH's own client gets from the host for {@code command}. */
    private String ssh(String command) {
        Processes.Output r = Processes.run(null, List.of("ssh", "-F", hosts.sshConfig().toString(), node.alias(), command));
        assertThat(r.exitCode()).as(r.out()).isZero();
        return r.out().trim();
    }

    @ParameterizedTest
    @ValueSource(strings = {"root", "sudo"})
    void runsAsRootWithTheFixedEnvironmentAndQuotedWords(String who) throws IOException {
        var r = host(who).run(List.of("sh", "-c", "id -u; echo \"$PATH\"; echo \"$LC_ALL\"; printf '%s|' \"$@\"", "sh", "a b", "it's", "$HOME"),
                null, T);
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("0\n" + RemoteCommand.PATH + "\nC\na b|it's|$HOME|");
        var in = host(who).run(List.of("cat"), "secret from stdin".getBytes(StandardCharsets.UTF_8), T);
        assertThat(in.out()).isEqualTo("secret from stdin");
        var failed = host(who).run(List.of("sh", "-c", "echo out; echo err >&2; exit 7"), null, T);
        assertThat(failed.exitCode()).isEqualTo(7);
        assertThat(failed.out()).isEqualTo("out\n");
        assertThat(failed.err()).isEqualTo("err\n");
    }

    @Test
    void aProgramThatOutlivesItsTimeoutIsKilledOnTheHost() {
        long start = System.nanoTime();
        // A duration nothing else on the machine sleeps for: the host shares the machine's process table.
        assertThatThrownBy(() -> asRoot.run(List.of("sleep", "61.7"), null, Duration.ofSeconds(1)))
                .isInstanceOf(IOException.class).hasMessageContaining("did not finish within 1 s on node1");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (node.exec("pgrep", "-f", "^sleep 61[.]7$").exitCode() == 0 && System.nanoTime() < deadline) {
            sleep(100);
        }
        assertThat(node.exec("pgrep", "-f", "^sleep 61[.]7$").exitCode()).as("sleep 61.7 still running on the host").isNotZero();
    }

    /** The rest of the tool reads keys with the JDK's providers: an SSH connection must not add Bouncy Castle. */
    @Test
    void theJvmSecurityProvidersAreLeftAsTheyWere() {
        assertThat(java.security.Security.getProvider("BC")).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"root", "sudo"})
    void factsAreWhatTheHostItselfSays(String who) {
        HostFacts f = host(who).facts();
        assertThat(f.hostName()).isEqualTo(ssh("hostname")).isEqualTo("node1");
        assertThat(f.fqdn()).contains(ssh("hostname -f")).contains(node.fqdn());
        assertThat(f.addresses()).contains(node.address()).doesNotContain("127.0.0.1", "::1");
        assertThat(f.euid()).isZero();
        HostFacts.Account redis = f.account("redis").orElseThrow();
        assertThat(redis.uid()).isEqualTo(Integer.parseInt(ssh("id -u redis")));
        assertThat(redis.gid()).isEqualTo(Integer.parseInt(ssh("id -g redis")));
        assertThat(f.account(redis.uid())).contains(redis);
        assertThat(f.account("no-such-user-here")).isEmpty();
        assertThat(f.processOwner(node.redisPid(), "redis-server")).contains(redis);
        assertThat(f.processOwner(node.redisPid(), "nginx")).isEmpty();
        assertThat(f.hasTool("redis-server")).isTrue();
        assertThat(f.hasTool("sshd")).isTrue(); // not in the usual list: asked on demand
        assertThat(f.hasTool("no-such-tool")).isFalse();
        assertThat(f.hasTool("cd")).as("a shell builtin is not a tool").isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"root", "sudo"})
    void listeningIsJudgedOnTheHost(String who) throws IOException {
        assertThat(host(who).listening(node.redisPort())).isTrue();
        assertThat(host(who).listening(TLS_PORT)).isTrue();
        assertThat(host(who).listening(6391)).isFalse();
        assertThat(host(who).listening(22)).isTrue();
    }

    @Test
    void redisOnTheHostsLoopbackAnswersThroughTheConnection() throws IOException {
        try (Socket s = asRoot.connect("127.0.0.1", node.redisPort(), T)) {
            assertThat(s.isConnected()).isTrue();
            assertThat(s.getInetAddress().getHostAddress()).isEqualTo("127.0.0.1");
            assertThat(s.getPort()).isEqualTo(node.redisPort());
            s.setSoTimeout(300);
            InputStream in = s.getInputStream();
            long start = System.nanoTime();
            assertThatThrownBy(in::read).isInstanceOf(SocketTimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
            s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readLine(in)).isEqualTo("+PONG");
            s.getOutputStream().write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            assertThat(readLine(in)).isEqualTo("+OK");
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    /**
     * Closing a socket while the far side still sends (a reader draining replies, so the channel's window stays open)
     * drops those bytes and keeps the SSH connection for the host's other channels. A race, so this run may not hit
     * it: MINA takes an error from a channel's data handler for the connection's own and closes the session, and
     * a closed pipe gave one ("Pipe closed") when bytes came between closing the pipe and closing the channel.
     */
    @Test
    void closingWhileRepliesStreamInKeepsTheConnection() throws Exception {
        byte[] pings = "PING\r\n".repeat(300_000).getBytes(StandardCharsets.US_ASCII);
        try (SshHost host = connect(false)) {
            for (int i = 0; i < 10; i++) {
                Socket s = host.connect("127.0.0.1", node.redisPort(), T);
                s.getOutputStream().write(pings);
                InputStream in = s.getInputStream();
                assertThat(readLine(in)).isEqualTo("+PONG");
                // A reader keeps the channel's window open, so replies are still arriving when the socket closes.
                Thread reader = new Thread(() -> {
                    byte[] b = new byte[512];
                    try {
                        while (in.read(b) >= 0) {
                            // drained
                        }
                    } catch (IOException e) {
                        // the close below
                    }
                });
                reader.start();
                java.util.concurrent.locks.LockSupport.parkNanos((i % 5) * 300_000L);
                s.close();
                reader.join();
            }
            assertThat(host.run(List.of("true"), null, T).exitCode()).as("the connection outlived every close").isZero();
        }
    }

    @Test
    void aClosedPortIsRefusedAtConnectNotLater() {
        assertThatThrownBy(() -> asRoot.connect("127.0.0.1", 6391, T)).isInstanceOf(ConnectException.class)
                .hasMessageContaining("127.0.0.1:6391 as seen from node1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"root", "sudo"})
    void jsseLayersTlsOnTheChannel(String who) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("node1", CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(cert))));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        Socket plain = host(who).connect("127.0.0.1", TLS_PORT, T);
        try (SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(plain, "127.0.0.1", TLS_PORT, true)) {
            var params = tls.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS"); // the IP SAN is checked
            tls.setSSLParameters(params);
            tls.setSoTimeout(5000);
            tls.startHandshake();
            tls.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            tls.getOutputStream().flush();
            assertThat(readLine(tls.getInputStream())).isEqualTo("+PONG");
        }
        assertThat(plain.isClosed()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"root", "sudo"})
    void jedisTakesItsSocketFromTheHost(String who) {
        try (Jedis jedis = new Jedis(() -> {
            try {
                return host(who).connect("127.0.0.1", node.redisPort(), T);
            } catch (IOException e) {
                throw new JedisConnectionException(e);
            }
        })) {
            assertThat(jedis.ping()).isEqualTo("PONG");
            jedis.set("over-ssh", who);
            assertThat(jedis.get("over-ssh")).isEqualTo(who);
            assertThat(jedis.isConnected()).isTrue();
        }
    }

    @Test
    void oneWriterPerNodeAndAKilledConnectionReleasesTheLock() throws Exception {
        SshHost first = connect(false);
        HostLock held = first.lock("/etc/redis/redis.conf", false, m -> { });
        try (SshHost second = connect(true)) {
            assertThatThrownBy(() -> second.lock("/etc/redis/redis.conf", false, m -> { }))
                    .isInstanceOf(HostLock.Busy.class).hasMessageContaining("node1").hasMessageContaining("redis-tls pid "
                            + ProcessHandle.current().pid());
            try (HostLock other = second.lock("/etc/redis/other.conf", false, m -> { })) {
                assertThat(other).isNotNull(); // another node's lock is another lock
            }
            List<String> told = new CopyOnWriteArrayList<>();
            CompletableFuture<HostLock> waiter = CompletableFuture.supplyAsync(() -> {
                try {
                    return second.lock("/etc/redis/redis.conf", true, told::add);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            sleep(1000);
            assertThat(waiter).isNotDone();
            assertThat(told).hasSize(1);
            held.close();
            waiter.get(10, TimeUnit.SECONDS).close();
            assertThat(told).hasSize(1);
        }
        // Held again, then the connection dies under it (sshd's session killed): the host frees the lock.
        first.lock("/etc/redis/redis.conf", false, m -> { });
        try {
            lockDiesWithTheConnection(first);
        } finally {
            // The killed sessions took asRoot and asSudo with them: reconnect for the other tests.
            asRoot.close();
            asSudo.close();
            asRoot = connect(false);
            asSudo = connect(true);
        }
    }

    private void lockDiesWithTheConnection(SshHost first) throws Exception {
        CompletableFuture<Throwable> running = CompletableFuture.supplyAsync(() -> {
            try {
                first.run(List.of("sleep", "30"), null, Duration.ofSeconds(60));
                return null;
            } catch (IOException | RuntimeException e) {
                return e;
            }
        });
        sleep(500);
        assertThat(node.killSessions()).isPositive();
        Throwable dropped = running.get(20, TimeUnit.SECONDS);
        assertThat(dropped).isInstanceOf(RedisTlsException.class).hasMessageStartingWith("the SSH connection to node1 (" + node.address() + ") dropped while running sleep");
        assertThat(((RedisTlsException) dropped).exitCode()).isEqualTo(RedisTlsException.FAILED);
        assertThat(dropped.getMessage()).doesNotContain("\n");
        first.close();
        try (SshHost third = connect(false)) {
            CompletableFuture<HostLock> again = CompletableFuture.supplyAsync(() -> {
                try {
                    return third.lock("/etc/redis/redis.conf", true, m -> { });
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            again.get(10, TimeUnit.SECONDS).close();
        }
    }

    private static String readLine(InputStream in) throws IOException {
        List<Byte> bytes = new ArrayList<>();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                bytes.add((byte) b);
            }
        }
        byte[] out = new byte[bytes.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = bytes.get(i);
        }
        return new String(out, StandardCharsets.US_ASCII);
    }
}
