package dev.redistls.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A node laid out as Debian's redis-server package lays it out, in a temp tree: {@code etc/redis} owned by
 * {@code redis:redis} with mode 2770 (so the Redis user can write next to its config), {@code redis.conf}
 * {@code redis:redis 0640} from Debian's stock file, a data dir owned by redis, and redis-server running as the
 * {@code redis} user. What an attacker who became the Redis user can touch, the test can touch too, as that user.
 */
public final class DebianNode implements AutoCloseable {
    public static final String USER = "redis";

    private final Path root;
    private final Path conf;
    private final int port;
    private Process process;

    private DebianNode(Path root, Path conf, int port) {
        this.root = root;
        this.conf = conf;
        this.port = port;
    }

    /** Lays out the tree (not started). {@code extra} is appended to the stock config. */
    public static DebianNode prepare(String password, String extra) {
        try {
            Path root = Files.createTempDirectory("redis-tls-debian-");
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path etc = Files.createDirectories(root.resolve("etc/redis"));
            Path data = Files.createDirectories(root.resolve("var/lib/redis"));
            Files.setPosixFilePermissions(root.resolve("etc"), PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(root.resolve("var"), PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(root.resolve("var/lib"), PosixFilePermissions.fromString("rwxr-xr-x"));
            int port = RedisServer.freePort();
            String text = StockRedis.template(password).replace("%PORT%", String.valueOf(port))
                    .replace("%DIR%", data.toString()) + extra;
            Path conf = etc.resolve("redis.conf");
            Files.write(conf, text.getBytes(StandardCharsets.ISO_8859_1));
            must("chown", "-R", USER + ":" + USER, etc.toString(), data.toString());
            must("chmod", "2770", etc.toString());
            must("chmod", "0640", conf.toString());
            must("chmod", "0750", data.toString());
            return new DebianNode(root, conf, port);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts redis-server as the redis user (setpriv execs it: the pid is redis-server's). */
    public DebianNode start() {
        try {
            process = new ProcessBuilder("setpriv", "--reuid=" + USER, "--regid=" + USER, "--init-groups",
                    "redis-server", conf.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(root.resolve("stdout.log").toFile())
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start redis-server as " + USER, e);
        }
        RedisServer.awaitListening(port);
        return this;
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

    public Path root() {
        return root;
    }

    public Path conf() {
        return conf;
    }

    public Path etc() {
        return conf.getParent();
    }

    /** The keys dir Debian users get by default, inside etc/redis. */
    public Path keys() {
        return etc().resolve("tls");
    }

    public Path caHome() {
        return root.resolve("ca");
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

    /**
     * {@code command} with this node's options ({@code --conf}, {@code --keys-dir}, and where the command takes
     * them {@code --ca-home} and {@code --firewall none}), then {@code more}.
     */
    public String[] args(String command, String... more) {
        List<String> all = new ArrayList<>(List.of(command.split(" ")));
        all.addAll(List.of("--conf", conf.toString(), "--keys-dir", keys().toString()));
        String verb = all.get(0);
        if (List.of("install", "certs", "reissue", "renew", "doctor").contains(verb)) {
            all.addAll(List.of("--ca-home", caHome().toString()));
        }
        if (List.of("install", "configure", "uninstall").contains(verb)) {
            all.addAll(List.of("--firewall", "none"));
        }
        all.addAll(List.of(more));
        return all.toArray(new String[0]);
    }

    /** Runs a shell command as the redis user (what an attacker who owns that account can do). */
    public static Processes.Output asRedis(String script) {
        return Processes.run(null, List.of("setpriv", "--reuid=" + USER, "--regid=" + USER, "--init-groups", "sh", "-c", script));
    }

    @Override
    public void close() {
        stop();
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // already gone
        }
    }

    private static void must(String... command) {
        Processes.Output r = Processes.run(null, List.of(command));
        if (r.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", command) + ": " + r.out());
        }
    }
}
