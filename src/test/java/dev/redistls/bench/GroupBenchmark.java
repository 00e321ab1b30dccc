package dev.redistls.bench;

import dev.redistls.testing.Cli;
import dev.redistls.testing.HostGroup;
import dev.redistls.testing.LocalGroup;
import dev.redistls.testing.RedisServer;
import dev.redistls.testing.SimulatedHost;
import dev.redistls.testing.Tool;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Benchmark, not a test: wall time of {@code group install --replication} (and of the uninstall after it) for
 * groups of 3, 10 and 30 data nodes (1 master, the rest its replicas), on this machine and with each node on a
 * simulated host of its own reached over SSH; plus 3 nodes with 3 sentinels, whose restarts are one at a time by
 * design. The tool runs as an operator runs it: the packaged jar in a JVM of its own, started cold. Writes a
 * Markdown fragment (the results part of the "Group install" section) to the file named by the first argument.
 * Run it with scripts/bench-group; {@code -Dbench.sizes=3,10,30} and {@code -Dbench.where=local,ssh} choose what.
 */
public final class GroupBenchmark {
    private static final List<Integer> SIZES = Arrays.stream(System.getProperty("bench.sizes", "3,10,30").split(","))
            .map(String::strip).map(Integer::valueOf).toList();
    private static final List<String> WHERE = List.of(System.getProperty("bench.where", "local,ssh").split(","));

    private GroupBenchmark() {
    }

    record Result(int nodes, int sentinels, String where, double startSeconds, double installSeconds, String installPhases,
                  double uninstallSeconds, double installCores) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: GroupBenchmark RESULT.md");
            System.exit(2);
        }
        List<Result> results = new ArrayList<>();
        for (String where : WHERE) {
            for (int n : SIZES) {
                results.add(where.equals("ssh") ? overSsh(n) : local(n, 0));
                System.err.println(results.get(results.size() - 1));
            }
        }
        if (WHERE.contains("local")) {
            results.add(local(3, 3));
            System.err.println(results.get(results.size() - 1));
        }
        String md = markdown(results);
        Files.writeString(Path.of(args[0]), md);
        System.out.println(md);
    }

    static Result local(int nodes, int sentinels) throws Exception {
        long t0 = System.nanoTime();
        try (LocalGroup group = LocalGroup.start(nodes - 1, sentinels)) {
            double start = seconds(t0);
            List<Integer> tls = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                tls.add(RedisServer.freePort());
            }
            Path inventory = group.writeInventory(group.dir().resolve("bench.yaml"), "bench", group.dir().resolve("ca"), tls,
                    "auth-clients: yes\n");
            return measure(nodes, sentinels, "this machine", start, inventory, List.of(), () -> {
                for (RedisServer r : group.replicas()) {
                    require(LocalGroup.info(r.port(), "replication", "master_port").equals(String.valueOf(tls.get(0)))
                            && LocalGroup.info(r.port(), "replication", "master_link_status").equals("up"), "replica " + r.port());
                }
            });
        }
    }

    static Result overSsh(int nodes) throws Exception {
        long t0 = System.nanoTime();
        try (HostGroup group = HostGroup.start("bg", nodes, false)) {
            double start = seconds(t0);
            Path admin = Files.createDirectory(group.fixture().dir().resolve("admin"));
            Path inventory = group.writeInventory(admin.resolve("bench.yaml"), "bench", admin.resolve("ca"), "auth-clients: yes\n");
            try {
                return measure(nodes, 0, "over SSH, a host each", start, inventory,
                        List.of("--ssh-config", group.sshConfig().toString()), () -> {
                            for (SimulatedHost h : group.replicas()) {
                                require(HostGroup.info(h, "replication", "master_port").equals("6380")
                                        && HostGroup.info(h, "replication", "master_link_status").equals("up"), "replica " + h.name());
                            }
                        });
            } catch (RuntimeException e) {
                // What the hosts' sshd saw, before the hosts go.
                for (SimulatedHost h : group.hosts()) {
                    System.err.println("=== " + h.sshdLog() + "\n" + Files.readString(h.sshdLog()));
                }
                throw e;
            }
        }
    }

    interface Check {
        void run() throws Exception;
    }

    static Result measure(int nodes, int sentinels, String where, double start, Path inventory, List<String> extra,
                          Check installed) throws Exception {
        List<String> install = new ArrayList<>(List.of("group", "install", "--inventory", inventory.toString(),
                "--replication", "--firewall", "none"));
        install.addAll(extra);
        long t = System.nanoTime();
        long[] cpu = cpuTicks();
        Cli.Result in = Tool.run(Map.of(), List.of(), install.toArray(String[]::new));
        double installSeconds = seconds(t);
        long[] cpuAfter = cpuTicks();
        // Cores busy on average: the tool, every sshd, sftp-server and redis-server of the simulated hosts share them.
        double installCores = (double) (cpuAfter[0] - cpu[0]) / Math.max(1, cpuAfter[1] - cpu[1])
                * Runtime.getRuntime().availableProcessors();
        require(in.exitCode() == 0, "install: " + in);
        installed.run();
        List<String> uninstall = new ArrayList<>(List.of("group", "uninstall", "--inventory", inventory.toString(),
                "--firewall", "none"));
        uninstall.addAll(extra);
        t = System.nanoTime();
        Cli.Result out = Tool.run(Map.of(), List.of(), uninstall.toArray(String[]::new));
        double uninstallSeconds = seconds(t);
        require(out.exitCode() == 0, "uninstall: " + out);
        String phases = in.out().lines().filter(l -> l.startsWith("Took ")).findFirst().orElse("")
                .replaceFirst("^Took [0-9.]+ s \\(", "").replaceFirst("\\)$", "");
        return new Result(nodes, sentinels, where, start, installSeconds, phases, uninstallSeconds, installCores);
    }

    /** The machine's busy and total CPU ticks so far (/proc/stat; idle and iowait are not busy). */
    static long[] cpuTicks() throws java.io.IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < f.length; i++) {
            total += Long.parseLong(f[i]);
        }
        long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
        return new long[] {total - idle, total};
    }

    static String markdown(List<Result> results) {
        StringBuilder sb = new StringBuilder();
        int cores = Runtime.getRuntime().availableProcessors();
        sb.append("| data nodes | sentinels | where | `group install` wall time | per node | inside: phases | cores busy during install (of "
                + cores + ") | `group uninstall` |\n");
        sb.append("|---:|---:|---|---:|---:|---|---:|---:|\n");
        for (Result r : results) {
            sb.append(String.format(Locale.ROOT, "| %d | %d | %s | %.1f s | %.2f s | %s | %.1f | %.1f s |%n", r.nodes(), r.sentinels(),
                    r.where(), r.installSeconds(), r.installSeconds() / r.nodes(), r.installPhases(), r.installCores(),
                    r.uninstallSeconds()));
        }
        sb.append('\n').append("Setting the group up (not measured above): ");
        sb.append(String.join(", ", results.stream().map(r -> String.format(Locale.ROOT, "%d %s %.0f s", r.nodes(),
                r.where().startsWith("over") ? "hosts" : "local nodes", r.startSeconds())).toList())).append(".\n");
        return sb.toString();
    }

    static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("benchmark check failed: " + what);
        }
    }

    static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
