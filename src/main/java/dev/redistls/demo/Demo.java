package dev.redistls.demo;

import dev.redistls.RedisTlsException;
import dev.redistls.conf.AuthClients;
import dev.redistls.conf.ModeChange;
import dev.redistls.files.FileOwner;
import dev.redistls.install.Installer;
import dev.redistls.host.LocalHost;
import dev.redistls.install.FirewallPlan;
import dev.redistls.install.Report;
import dev.redistls.install.Status;
import dev.redistls.install.Uninstaller;
import dev.redistls.node.Credentials;
import dev.redistls.node.Endpoint;
import dev.redistls.node.LiveNode;
import dev.redistls.node.Node;
import dev.redistls.node.Verification;
import dev.redistls.pki.CaHome;
import dev.redistls.pki.CertificateAuthority;
import dev.redistls.pki.KeyType;
import dev.redistls.pki.KeysDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code demo}: a throwaway redis-server on free local ports in a temp dir, secured end to end (root CA,
 * certificates, TLS applied live, handshake proof, a real client over TLS with its certificate, a plaintext
 * attempt on the TLS port failing), then uninstalled, stopped and removed. Nothing outside the temp dir is touched.
 */
public final class Demo {
    private final PrintWriter out;

    public Demo(PrintWriter out) {
        this.out = out;
    }

    public int run() {
        Path dir;
        try {
            dir = Files.createTempDirectory("redis-tls-demo-");
        } catch (IOException e) {
            throw RedisTlsException.failed("cannot create a temp dir: " + e.getMessage(), e);
        }
        Process redis = null;
        LocalHost here = new LocalHost();
        try {
            int port = freePort();
            int tlsPort = freePort();
            String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
            Path conf = dir.resolve("redis.conf");
            Files.writeString(conf, "# A throwaway Redis for 'redis-tls demo'\n"
                    + "bind 127.0.0.1 -::1\nport " + port + "\ndaemonize no\nsave \"\"\nappendonly no\n"
                    + "dir " + dir + "\nlogfile " + dir.resolve("redis.log") + "\nrequirepass " + password + "\n");
            Files.setPosixFilePermissions(conf, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            step("1. Starting a throwaway redis-server on 127.0.0.1:" + port + " (plain text) in " + dir);
            redis = start(conf, port);

            step("2. redis-tls install: root CA, certificates, TLS on port " + tlsPort + ", applied live");
            Node node = Node.resolve(here, conf, dir.resolve("tls"), null, null, name -> null);
            Report install = Installer.install(new Installer.Request(node, new CaHome(dir.resolve("ca")),
                    "localhost", List.of(), KeyType.DEFAULT, CertificateAuthority.LEAF_DAYS, FileOwner.current(here),
                    new ModeChange(null, tlsPort, false, AuthClients.OPTIONAL, null, null, null), FirewallPlan.NONE, false, false));
            print(install);
            Verification v = install.verification();

            step("3. redis-tls status");
            Status.Snapshot s = Status.of(Node.resolve(here, conf, dir.resolve("tls"), null, null, name -> null));
            out.printf("   mode %s, plain port %d, TLS port %d, server certificate %s (%d days left), live handshake %s%n",
                    s.mode(), s.configured().port(), s.configured().tlsPort(), s.certs().server().subject(),
                    s.certs().server().daysLeft(), s.servesFileCertificate() ? "serves the file's certificate" : "MISMATCH");

            step("4. A Java client (Jedis) over TLS with the client certificate, verifying the host name");
            KeysDir keys = new KeysDir(here, dir.resolve("tls"));
            try (Jedis jedis = new Jedis(new HostAndPort("localhost", tlsPort), DefaultJedisClientConfig.builder()
                    .ssl(true).password(password)
                    .sslSocketFactory(keys.clientContext().getSocketFactory())
                    .sslParameters(hostnameVerification())
                    .build())) {
                out.println("   PING -> " + jedis.ping());
                out.println("   SET demo:greeting \"hello over TLS\" -> " + jedis.set("demo:greeting", "hello over TLS"));
                out.println("   GET demo:greeting -> " + jedis.get("demo:greeting"));
            }

            step("5. A plaintext client on the TLS port gets nothing");
            try (LiveNode plain = LiveNode.connect(here, new Endpoint("127.0.0.1", tlsPort), null, Credentials.none())) {
                out.println("   UNEXPECTED: plaintext PING answered " + plain.ping());
                v = failed(v, "plaintext on the TLS port was answered");
            } catch (RedisTlsException e) {
                out.println("   refused, as it must be: " + e.getMessage());
            }

            step("6. redis-tls uninstall: config restored byte for byte, TLS closed live");
            print(Uninstaller.uninstall(Node.resolve(here, conf, dir.resolve("tls"), null, null, name -> null), false, FirewallPlan.NONE));
            return v != null && v.passed() ? 0 : RedisTlsException.VERIFICATION_FAILED;
        } catch (IOException e) {
            throw RedisTlsException.failed("demo failed: " + e.getMessage(), e);
        } finally {
            stop(redis);
            delete(dir);
            step("7. Stopped redis-server and removed " + dir);
        }
    }

    private static Verification failed(Verification v, String what) {
        Verification f = v == null ? new Verification() : v;
        f.add(what, false, "");
        return f;
    }

    private static javax.net.ssl.SSLParameters hostnameVerification() {
        javax.net.ssl.SSLParameters p = new javax.net.ssl.SSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        return p;
    }

    private void step(String line) {
        out.println(line);
        out.flush();
    }

    private void print(Report r) {
        r.doneLines().forEach(l -> out.println("   " + l));
        r.notes().forEach(l -> out.println("   note: " + l));
        if (r.verification() != null) {
            r.verification().checks().forEach(c -> out.printf("   [%s] %s%n", c.passed() ? "ok" : "FAIL", c.name()));
        }
    }

    private static Process start(Path conf, int port) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder("redis-server", conf.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw RedisTlsException.failed("redis-server not found: install Debian's redis-server package (scripts/demo does)");
        }
        Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
        while (Instant.now().isBefore(deadline)) {
            if (!p.isAlive()) {
                throw RedisTlsException.failed("redis-server exited at start (see its log in " + conf.getParent() + ")");
            }
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return p;
            } catch (IOException e) {
                sleep();
            }
        }
        p.destroyForcibly();
        throw RedisTlsException.failed("redis-server did not listen on port " + port);
    }

    private static void stop(Process p) {
        if (p == null) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // already gone
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(25);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
