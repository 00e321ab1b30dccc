package dev.redistls.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A real redis-server (Debian's package) started by a test on a free port in a temp dir, and stopped by it.
 * Never a mock, never the host's own Redis.
 */
public final class RedisServer implements AutoCloseable {
    private final Path dir;
    private final Path conf;
    private final int port;
    private Process process;

    private RedisServer(Path dir, Path conf, int port) {
        this.dir = dir;
        this.conf = conf;
        this.port = port;
    }

    /** A config file in a fresh temp dir with a free plain port, and {@code extra} directives appended. */
    public static RedisServer prepare(String extra) {
        return prepare(freePort(), extra);
    }

    /** The same on a given port (a cluster node needs port + 10000 free too: {@link #freeClusterPort()}). */
    public static RedisServer prepare(int port, String extra) {
        try {
            Path dir = Files.createTempDirectory("redis-tls-it-");
            String text = "port " + port + "\n"
                    + "bind 127.0.0.1 -::1\n"
                    + "daemonize no\n"
                    + "save \"\"\n"
                    + "appendonly no\n"
                    + "dir " + dir + "\n"
                    + "logfile " + dir.resolve("redis.log") + "\n"
                    + "pidfile " + dir.resolve("redis.pid") + "\n"
                    + extra;
            Path conf = dir.resolve("redis.conf");
            Files.writeString(conf, text);
            return new RedisServer(dir, conf, port);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Prepares from a whole config text; {@code %PORT%} and {@code %DIR%} are replaced. */
    public static RedisServer prepareFromTemplate(String template) {
        try {
            Path dir = Files.createTempDirectory("redis-tls-it-");
            int port = freePort();
            Path conf = dir.resolve("redis.conf");
            Files.writeString(conf, template.replace("%PORT%", String.valueOf(port)).replace("%DIR%", dir.toString()));
            return new RedisServer(dir, conf, port);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Config lines for TLS on {@code tlsPort} from a keys dir, client certificates required (mutual TLS). */
    public static String mutualTls(dev.redistls.pki.KeysDir keys, int tlsPort) {
        return "tls-port " + tlsPort + "\n"
                + "tls-cert-file " + keys.serverCert() + "\n"
                + "tls-key-file " + keys.serverKey() + "\n"
                + "tls-ca-cert-file " + keys.serverRoot() + "\n"
                + "tls-auth-clients yes\n";
    }

    public static RedisServer start(String extra) {
        RedisServer r = prepare(extra);
        r.start();
        return r;
    }

    public RedisServer start() {
        try {
            process = new ProcessBuilder("redis-server", conf.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout.log").toFile())
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start redis-server (is the Debian package installed?)", e);
        }
        awaitListening(port);
        return this;
    }

    public Path dir() {
        return dir;
    }

    public Path conf() {
        return conf;
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public String log() {
        try {
            Path log = dir.resolve("redis.log");
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    public void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        stop();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp dir already gone
        }
    }

    /** Ports {@link #freePort()} gave out in this JVM: none is given twice. */
    private static final java.util.Set<Integer> GIVEN = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A free port the kernel picks, never one this JVM was given before: a port closed after the pick is free again
     * for the kernel, so quick successive picks (a 30-node group) could otherwise name one port for two servers.
     */
    public static int freePort() {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket s = new ServerSocket(0)) {
                s.setReuseAddress(true);
                if (GIVEN.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("no free port not given out before");
    }

    /**
     * A free port whose cluster-bus port (+10000) is free too, below the ephemeral range (which the bus port of an
     * ephemeral port would leave: Redis refuses a port above 55535 without cluster-port).
     */
    public static int freeClusterPort() {
        java.util.Random random = new java.util.Random();
        for (int attempt = 0; attempt < 200; attempt++) {
            int p = 20000 + random.nextInt(12000);
            if (free(p) && free(p + 10000)) {
                return p;
            }
        }
        throw new IllegalStateException("no free port pair (p, p+10000) between 20000 and 42000");
    }

    /**
     * A free port between 12000 and 20000: below the ephemeral range (where other tests' servers and every outgoing
     * connection take ports at random) and below {@link #freeClusterPort()}'s, so that a TLS port chosen now is still
     * free when the tool opens it.
     */
    public static int freeLowPort() {
        java.util.Random random = new java.util.Random();
        for (int attempt = 0; attempt < 200; attempt++) {
            int p = 12000 + random.nextInt(8000);
            if (free(p)) {
                return p;
            }
        }
        throw new IllegalStateException("no free port between 12000 and 20000");
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public static void awaitListening(int port) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
        while (Instant.now().isBefore(deadline)) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        throw new IllegalStateException("redis-server did not listen on port " + port);
    }
}
