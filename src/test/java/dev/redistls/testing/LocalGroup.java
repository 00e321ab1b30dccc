package dev.redistls.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A replicated group on this machine for tests: one master, {@code replicas} replicas ({@code replicaof} in their
 * redis.conf, a password everywhere) and {@code sentinels} sentinels monitoring it as {@code mymaster}, each on free
 * ports in a temp dir of its own, started in parallel; plus an inventory for it. Sentinels run daemonized from a
 * restart script (the inventory's {@code restart-command}), so the tool's restarts are real ones.
 * {@link #close()} stops every process (sentinels by their pid files) and removes the dirs.
 */
public final class LocalGroup implements AutoCloseable {
    public static final String PASSWORD = "group-s3cret";
    public static final String MASTER_NAME = "mymaster";

    private final Path dir;
    private final List<RedisServer> data = new ArrayList<>();
    private final List<Sentinel> sentinels = new ArrayList<>();

    /** A sentinel: its dir, config, ports and the command that (re)starts it. */
    public record Sentinel(Path dir, Path conf, int port, int tlsPort, Path pidFile, String restartCommand) {
        public long pid() {
            try {
                return Long.parseLong(Files.readString(pidFile).strip());
            } catch (IOException | NumberFormatException e) {
                return -1;
            }
        }
    }

    private LocalGroup(Path dir) {
        this.dir = dir;
    }

    public static LocalGroup start(int replicas, int sentinelCount) {
        try {
            LocalGroup g = new LocalGroup(Files.createTempDirectory("redis-tls-group-"));
            try {
                g.build(replicas, sentinelCount);
                return g;
            } catch (RuntimeException e) {
                g.close();
                throw e;
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void build(int replicas, int sentinelCount) throws IOException {
        RedisServer master = RedisServer.prepare("requirepass " + PASSWORD + "\nmasterauth " + PASSWORD + "\n");
        data.add(master);
        for (int i = 0; i < replicas; i++) {
            data.add(RedisServer.prepare("requirepass " + PASSWORD + "\nmasterauth " + PASSWORD + "\nreplicaof 127.0.0.1 "
                    + master.port() + "\n"));
        }
        join(data.stream().map(r -> CompletableFuture.runAsync(r::start, LocalGroup::thread)).toList());
        sentinels.addAll(prepareSentinels(dir, "127.0.0.1", master.port(), sentinelCount));
        awaitReplicasUp();
        startSentinels(sentinels);
        awaitSentinelsSee(sentinels, replicas, sentinelCount - 1);
    }

    /**
     * Sentinels in {@code dir} monitoring {@code ip:port} as {@link #MASTER_NAME}, not started: their configs and a
     * restart script (their {@code restart-command}), daemonized with pid files.
     */
    public static List<Sentinel> prepareSentinels(Path dir, String ip, int masterPort, int count) throws IOException {
        List<Sentinel> sentinels = new ArrayList<>();
        Path restart = dir.resolve("sentinel-restart");
        Files.writeString(restart, """
                #!/bin/sh
                # Restarts a sentinel of a redis-tls test: $1 its config, $2 its pid file.
                if [ -s "$2" ]; then
                  pid=$(cat "$2")
                  if kill "$pid" 2>/dev/null; then
                    while kill -0 "$pid" 2>/dev/null; do sleep 0.02; done
                  fi
                fi
                exec redis-server "$1" --sentinel --daemonize yes
                """);
        Files.setAttribute(restart, "unix:mode", 0755);
        for (int i = 0; i < count; i++) {
            Path sd = Files.createDirectory(dir.resolve("sentinel" + i));
            int port = RedisServer.freePort();
            Path conf = sd.resolve("sentinel.conf");
            Path pid = sd.resolve("sentinel.pid");
            Files.writeString(conf, "# sentinel " + i + " of a redis-tls group test\n"
                    + "port " + port + "\nbind 127.0.0.1\ndaemonize yes\n"
                    + "pidfile " + pid + "\nlogfile " + sd.resolve("sentinel.log") + "\ndir " + sd + "\n"
                    // Sentinels here listen on loopback: they announce it, not the address their link to the master has.
                    + (ip.equals("127.0.0.1") ? "" : "sentinel announce-ip 127.0.0.1\n")
                    + "sentinel monitor " + MASTER_NAME + " " + ip + " " + masterPort + " 2\n"
                    + "sentinel auth-pass " + MASTER_NAME + " " + PASSWORD + "\n"
                    + "sentinel down-after-milliseconds " + MASTER_NAME + " 3000\n"
                    + "sentinel failover-timeout " + MASTER_NAME + " 15000\n");
            sentinels.add(new Sentinel(sd, conf, port, RedisServer.freePort(), pid, restart + " " + conf + " " + pid));
        }
        return sentinels;
    }

    public static void startSentinels(List<Sentinel> sentinels) {
        for (Sentinel s : sentinels) {
            Processes.must("sh", "-c", s.restartCommand());
            RedisServer.awaitListening(s.port());
        }
    }

    /** Stops sentinels by their pid files. */
    public static void stopSentinels(List<Sentinel> sentinels) {
        for (Sentinel s : sentinels) {
            long pid = s.pid();
            if (pid > 0) {
                ProcessHandle.of(pid).ifPresent(p -> {
                    p.destroy();
                    try {
                        p.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (Exception e) {
                        p.destroyForcibly();
                    }
                });
            }
        }
    }

    public RedisServer master() {
        return data.get(0);
    }

    public List<RedisServer> replicas() {
        return data.subList(1, data.size());
    }

    public List<RedisServer> dataNodes() {
        return List.copyOf(data);
    }

    public List<Sentinel> sentinels() {
        return List.copyOf(sentinels);
    }

    public Path dir() {
        return dir;
    }

    /** redis-cli against a data node's plain port (password through the environment). */
    public static Processes.Output cli(int port, String... args) {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-p", String.valueOf(port)));
        cmd.addAll(List.of(args));
        return Processes.run(null, Map.of("REDISCLI_AUTH", PASSWORD), cmd);
    }

    /** A field of INFO on a plain port. */
    public static String info(int port, String section, String field) {
        for (String line : cli(port, "INFO", section).out().split("\r?\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1).strip();
            }
        }
        return "";
    }

    public void awaitReplicasUp() {
        await(() -> replicas().stream().allMatch(r -> "up".equals(info(r.port(), "replication", "master_link_status"))),
                "replicas linked to the master");
    }

    public static void awaitSentinelsSee(List<Sentinel> sentinels, int replicas, int others) {
        await(() -> sentinels.stream().allMatch(s -> {
            String out = Processes.run(null, List.of("redis-cli", "-p", String.valueOf(s.port()), "SENTINEL", "MASTER",
                    MASTER_NAME)).out();
            List<String> l = out.lines().toList();
            int slaves = l.indexOf("num-slaves");
            int sent = l.indexOf("num-other-sentinels");
            return slaves >= 0 && sent >= 0 && Integer.parseInt(l.get(slaves + 1)) == replicas
                    && Integer.parseInt(l.get(sent + 1)) == others;
        }), "sentinels seeing " + replicas + " replicas and " + others + " other sentinels");
    }

    public static void await(java.util.function.BooleanSupplier ok, String what) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * An inventory for this group: every member with its own keys dir and TLS port ({@code tlsPorts} for the data
     * nodes, the sentinels' from {@link Sentinel#tlsPort()}), {@code extra} lines under {@code defaults}.
     */
    public Path writeInventory(Path file, String name, Path caHome, List<Integer> tlsPorts, String defaults) {
        StringBuilder sb = new StringBuilder("# group of a redis-tls test\nname: " + name + "\nca-home: " + caHome + "\n");
        if (!defaults.isBlank()) {
            sb.append("defaults:\n").append(defaults.indent(2));
        }
        sb.append(nodeEntries(data, tlsPorts));
        if (!sentinels.isEmpty()) {
            sb.append("sentinels:\n");
            for (Sentinel s : sentinels) {
                sb.append("  - conf: ").append(s.conf()).append('\n')
                        .append("    keys-dir: ").append(s.dir().resolve("tls")).append('\n')
                        .append("    tls-port: ").append(s.tlsPort()).append('\n')
                        .append("    hostname: localhost\n")
                        .append("    restart-command: ").append(s.restartCommand()).append('\n');
            }
        }
        try {
            Files.writeString(file, sb.toString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return file;
    }

    /** The {@code nodes:} list of an inventory: each local server with its keys dir, TLS port and host name localhost. */
    static String nodeEntries(List<RedisServer> nodes, List<Integer> tlsPorts) {
        StringBuilder sb = new StringBuilder("nodes:\n");
        for (int i = 0; i < nodes.size(); i++) {
            RedisServer r = nodes.get(i);
            sb.append("  - conf: ").append(r.conf()).append('\n')
                    .append("    keys-dir: ").append(r.dir().resolve("tls")).append('\n')
                    .append("    tls-port: ").append(tlsPorts.get(i)).append('\n')
                    .append("    hostname: localhost\n");
        }
        return sb.toString();
    }

    @Override
    public void close() {
        stopSentinels(sentinels);
        data.forEach(RedisServer::close);
        if (System.getenv("KEEP_GROUP_DIR") == null) {
            Processes.run(null, List.of("rm", "-rf", dir.toString()));
        }
    }

    private static void join(List<CompletableFuture<Void>> all) {
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    }

    private static void thread(Runnable r) {
        Thread t = new Thread(r, "local-group");
        t.setDaemon(true);
        t.start();
    }
}
