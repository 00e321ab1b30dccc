package dev.redistls.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * A replicated group on simulated hosts, for tests and benchmarks: host 0 runs the master, every other host a replica
 * of it ({@code replicaof} in its redis.conf, a password everywhere), each redis-server bound to loopback and to its
 * host's address; with sentinels, every host also runs a redis-sentinel (as {@code redis}, Debian's paths under the
 * host's tree) monitoring the master as {@link LocalGroup#MASTER_NAME}, restarted by a script on the host (its
 * inventory {@code restart-command}, run over SSH). The hosts reach each other through the test's namespace
 * ({@link SimulatedHosts#route}), as machines of one network: every node is known to every other one, and to
 * Sentinel, by the same address. {@link #close()} removes everything.
 */
public final class HostGroup implements AutoCloseable {
    public static final int SENTINEL_PORT = 26379;

    private final SimulatedHosts fixture;
    private final List<SimulatedHost> hosts;
    private final boolean sentinels;

    private HostGroup(SimulatedHosts fixture, List<SimulatedHost> hosts, boolean sentinels) {
        this.fixture = fixture;
        this.hosts = hosts;
        this.sentinels = sentinels;
    }

    /** {@code count} hosts named {@code prefix0..}, started in parallel; replicas linked (and sentinels agreeing). */
    public static HostGroup start(String prefix, int count, boolean sentinels) {
        SimulatedHosts fixture = SimulatedHosts.create();
        try {
            List<SimulatedHost> hosts = fixture.start(IntStream.range(0, count)
                    .mapToObj(i -> SimulatedHost.Options.named(prefix + i).redisPassword(LocalGroup.PASSWORD).withoutRedis())
                    .toList());
            fixture.route(hosts);
            HostGroup g = new HostGroup(fixture, hosts, sentinels);
            g.build();
            return g;
        } catch (RuntimeException | IOException e) {
            fixture.close();
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
    }

    private void build() throws IOException {
        SimulatedHost master = master();
        for (SimulatedHost h : hosts) {
            String extra = "bind 127.0.0.1 " + h.address() + "\nmasterauth " + LocalGroup.PASSWORD + "\n"
                    // The stock config waits 5 s for more replicas before a full sync: none is coming.
                    + "repl-diskless-sync-delay 0\n"
                    + (h == master ? "" : "replicaof " + master.address() + " 6379\n");
            Files.writeString(h.redisConf(), extra, StandardOpenOption.APPEND);
        }
        Parallel.run(hosts, SimulatedHost::startRedis);
        LocalGroup.await(() -> replicas().stream().allMatch(h -> "up".equals(info(h, "replication", "master_link_status"))),
                "replicas linked to the master on " + master.name());
        if (sentinels) {
            for (SimulatedHost h : hosts) {
                writeSentinel(h, master.address());
            }
            Parallel.run(hosts, h -> h.must(sentinelRestart(h).toString()));
            awaitSentinelsSee(replicas().size(), hosts.size() - 1);
        }
    }

    private static void writeSentinel(SimulatedHost h, String masterAddress) throws IOException {
        Path conf = sentinelConf(h);
        Files.writeString(conf, "# redis-sentinel of the simulated host " + h.name() + " (a redis-tls group test)\n"
                + "port " + SENTINEL_PORT + "\nbind 127.0.0.1 " + h.address() + "\ndaemonize yes\n"
                + "pidfile " + h.path("/run/redis/redis-sentinel.pid") + "\n"
                + "logfile " + h.path("/var/log/redis/redis-sentinel.log") + "\n"
                + "dir " + h.path("/var/lib/redis") + "\n"
                + "sentinel monitor " + LocalGroup.MASTER_NAME + " " + masterAddress + " 6379 2\n"
                + "sentinel auth-pass " + LocalGroup.MASTER_NAME + " " + LocalGroup.PASSWORD + "\n"
                + "sentinel down-after-milliseconds " + LocalGroup.MASTER_NAME + " 3000\n"
                + "sentinel failover-timeout " + LocalGroup.MASTER_NAME + " 15000\n");
        Processes.must("chown", "redis:redis", conf.toString());
        Files.setAttribute(conf, "unix:mode", 0640);
        Path restart = sentinelRestart(h);
        Files.writeString(restart, """
                #!/bin/sh
                # Restarts the redis-sentinel of the simulated host %1$s as user redis (its restart-command).
                pidfile=%2$s
                if [ -s "$pidfile" ]; then
                  pid=$(cat "$pidfile")
                  if kill "$pid" 2>/dev/null; then
                    while kill -0 "$pid" 2>/dev/null; do sleep 0.02; done
                  fi
                fi
                exec setpriv --reuid=redis --regid=redis --init-groups --reset-env -- /usr/bin/redis-server %3$s --sentinel
                """.formatted(h.name(), h.path("/run/redis/redis-sentinel.pid"), conf));
        Files.setAttribute(restart, "unix:mode", 0755);
    }

    public SimulatedHosts fixture() {
        return fixture;
    }

    public List<SimulatedHost> hosts() {
        return List.copyOf(hosts);
    }

    public SimulatedHost master() {
        return hosts.get(0);
    }

    public List<SimulatedHost> replicas() {
        return hosts.subList(1, hosts.size());
    }

    public Path sshConfig() {
        return fixture.sshConfig();
    }

    public static Path sentinelConf(SimulatedHost h) {
        return h.path("/etc/redis/sentinel.conf");
    }

    public static Path sentinelRestart(SimulatedHost h) {
        return h.path("/usr/local/sbin/sentinel-restart");
    }

    public static long sentinelPid(SimulatedHost h) {
        try {
            return Long.parseLong(Files.readString(h.path("/run/redis/redis-sentinel.pid")).strip());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** A field of INFO of the host's redis-server, read inside the host. */
    public static String info(SimulatedHost h, String section, String field) {
        for (String line : h.redisCli("INFO", section).out().split("\r?\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1).strip();
            }
        }
        return "";
    }

    /** {@code SENTINEL args} on the host's sentinel, plain port, inside the host. */
    public static Processes.Output sentinel(SimulatedHost h, String... args) {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-p", String.valueOf(SENTINEL_PORT), "SENTINEL"));
        cmd.addAll(List.of(args));
        return h.exec(cmd.toArray(String[]::new));
    }

    public void awaitSentinelsSee(int replicas, int others) {
        LocalGroup.await(() -> hosts.stream().allMatch(h -> {
            List<String> l = sentinel(h, "MASTER", LocalGroup.MASTER_NAME).out().lines().toList();
            int slaves = l.indexOf("num-slaves");
            int sent = l.indexOf("num-other-sentinels");
            return slaves >= 0 && sent >= 0 && Integer.parseInt(l.get(slaves + 1)) == replicas
                    && Integer.parseInt(l.get(sent + 1)) == others;
        }), "sentinels seeing " + replicas + " replicas and " + others + " other sentinels");
    }

    /**
     * An inventory reaching every member over SSH (the host's alias), each data node with its Debian paths, each
     * sentinel with its restart script; {@code defaults} lines under {@code defaults}.
     */
    public Path writeInventory(Path file, String name, Path caHome, String defaults) {
        StringBuilder sb = new StringBuilder("# a group on simulated hosts (redis-tls test)\nname: " + name + "\nca-home: "
                + caHome + "\n");
        if (!defaults.isBlank()) {
            sb.append("defaults:\n").append(defaults.indent(2));
        }
        sb.append("nodes:\n");
        for (SimulatedHost h : hosts) {
            sb.append("  - host: ").append(h.alias()).append('\n')
                    .append("    conf: ").append(h.redisConf()).append('\n')
                    .append("    keys-dir: ").append(h.path("/etc/redis/tls")).append('\n');
        }
        if (sentinels) {
            sb.append("sentinels:\n");
            for (SimulatedHost h : hosts) {
                sb.append("  - host: ").append(h.alias()).append('\n')
                        .append("    conf: ").append(sentinelConf(h)).append('\n')
                        .append("    keys-dir: ").append(h.path("/etc/redis/tls-sentinel")).append('\n')
                        .append("    restart-command: ").append(sentinelRestart(h)).append('\n');
            }
        }
        try {
            Files.writeString(file, sb.toString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return file;
    }

    @Override
    public void close() {
        fixture.close();
    }

    /** A thread per item: the common pool has one thread on a 2-core machine. */
    static final class Parallel {
        interface Step<T> {
            void run(T t) throws IOException;
        }

        static <T> void run(List<T> items, Step<T> step) {
            List<Thread> threads = new ArrayList<>();
            Map<T, Throwable> failures = new java.util.concurrent.ConcurrentHashMap<>();
            for (T item : items) {
                Thread t = new Thread(() -> {
                    try {
                        step.run(item);
                    } catch (Throwable e) {
                        failures.put(item, e);
                    }
                }, "host-group");
                t.start();
                threads.add(t);
            }
            for (Thread t : threads) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            if (!failures.isEmpty()) {
                Throwable first = failures.values().iterator().next();
                throw first instanceof RuntimeException r ? r : new IllegalStateException(first);
            }
        }
    }
}
