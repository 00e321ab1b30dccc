package dev.redistls.bench;

import dev.redistls.testing.Cli;
import dev.redistls.testing.ClusterLoad;
import dev.redistls.testing.LocalCluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benchmark, not a test: wall time of {@code group install --cluster} and {@code group uninstall} on real local Redis
 * Clusters of several sizes (half masters, half replicas, made by {@code redis-cli --cluster create}), while a plain
 * client writes every slot on one connection per master (its failed writes are counted, never retried). The part of
 * each command spent switching the bus is read from the command's own report. Writes a Markdown fragment to the file
 * named by the first argument. Run it with scripts/bench-cluster.
 */
public final class ClusterSwitchBenchmark {
    private static final List<Integer> SIZES = parse(System.getProperty("bench.sizes", "6,30"));
    private static final List<Integer> TIMEOUTS = parse(System.getProperty("bench.nodeTimeouts", "15000,5000"));
    private static final Pattern BUS = Pattern.compile("cluster bus (?:back )?to (?:TLS|plain text) live \\(tls-cluster (?:yes|no)\\) in ([0-9.]+) s");
    private static final Pattern LINKS = Pattern.compile("(\\d+) bus links re-made since their nodes switched \\(CLUSTER LINKS on \\d+ nodes\\); steps: (.*)");

    private ClusterSwitchBenchmark() {
    }

    record Run(int nodes, int timeoutMs, String command, double wallS, String busS, String links, long writes, long failed,
               boolean verified) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: ClusterSwitchBenchmark RESULT.md");
            System.exit(2);
        }
        List<Run> runs = new ArrayList<>();
        for (int timeout : TIMEOUTS) {
            for (int size : SIZES) {
                runs.addAll(measure(size, timeout));
            }
        }
        StringBuilder md = new StringBuilder();
        md.append("| nodes | cluster-node-timeout | command | wall time | of which the bus switch | links re-made; steps (time since the switch began) |"
                + " writes during | failed writes | proof |\n|---:|---:|---|---:|---:|---|---:|---:|---|\n");
        for (Run r : runs) {
            md.append(String.format(Locale.ROOT, "| %d | %d ms | `%s` | %.1f s | %s | %s | %s | %s | %s |%n", r.nodes(),
                    r.timeoutMs(), r.command(), r.wallS(), r.busS(), r.links(), r.writes() < 0 ? "-" : r.writes(),
                    r.failed() < 0 ? "-" : r.failed(), r.verified() ? "all checks passed" : "FAILED"));
        }
        Files.writeString(Path.of(args[0]), md.toString());
        System.out.print(md);
    }

    private static List<Run> measure(int size, int timeoutMs) {
        System.err.printf("cluster of %d nodes, node timeout %d ms%n", size, timeoutMs);
        List<Run> out = new ArrayList<>();
        try (LocalCluster cluster = LocalCluster.start(size / 2, 1, timeoutMs)) {
            List<Integer> tls = cluster.freeTlsPorts();
            Path inventory = cluster.writeInventory(cluster.dir().resolve("bench.yaml"), "bench", cluster.dir().resolve("ca"),
                    tls, "");
            out.add(run(cluster, size, timeoutMs, true, "group install --cluster", "group", "install", "--inventory",
                    inventory.toString(), "--cluster", "--firewall", "none"));
            // No plain writer across tls-only: its port closes by design (the tests run a TLS writer through it).
            out.add(run(cluster, size, timeoutMs, false, "group configure --tls-only", "group", "configure", "--inventory",
                    inventory.toString(), "--tls-only", "--firewall", "none"));
            out.add(run(cluster, size, timeoutMs, false, "group configure --no-tls-only", "group", "configure", "--inventory",
                    inventory.toString(), "--no-tls-only", "--firewall", "none"));
            out.add(run(cluster, size, timeoutMs, true, "group uninstall", "group", "uninstall", "--inventory", inventory.toString(),
                    "--firewall", "none"));
        }
        return out;
    }

    private static Run run(LocalCluster cluster, int size, int timeoutMs, boolean plainLoad, String name, String... args) {
        Cli.Result r;
        long start;
        long end;
        long writes = -1; // -1: no writer ran
        long failed = -1;
        ClusterLoad load = plainLoad ? new ClusterLoad(cluster.endpoints(), LocalCluster.PASSWORD) : null;
        try {
            long before = 0;
            if (load != null) {
                load.awaitProgress(200);
                before = load.ok();
            }
            start = System.nanoTime();
            r = Cli.run(args);
            end = System.nanoTime();
            if (load != null) {
                writes = load.ok() - before;
                failed = load.failed();
            }
        } finally {
            if (load != null) {
                load.close();
            }
        }
        if (r.exitCode() != 0) {
            System.err.println(r);
        }
        Matcher bus = BUS.matcher(r.out());
        Matcher links = LINKS.matcher(r.out());
        return new Run(size, timeoutMs, name, (end - start) / 1e9, bus.find() ? bus.group(1) + " s" : "-",
                links.find() ? links.group(1) + ": " + links.group(2) : "-", writes, failed,
                r.exitCode() == 0 && r.out().contains("Verified") && !r.out().contains("FAIL"));
    }

    private static List<Integer> parse(String csv) {
        List<Integer> out = new ArrayList<>();
        for (String s : csv.split(",")) {
            out.add(Integer.parseInt(s.trim()));
        }
        return out;
    }
}
