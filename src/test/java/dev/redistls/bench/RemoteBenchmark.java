package dev.redistls.bench;

import dev.redistls.testing.SimulatedHost;
import dev.redistls.testing.SimulatedHosts;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Benchmark, not a test: wall time of {@code bin/redis-tls install} and {@code status} on a node on another machine
 * (a simulated host: its own network namespace, a real OpenSSH server, redis-server bound to 127.0.0.1 there) vs a
 * node on this machine, each a cold process as an operator runs it, with {@code --verbose}: the tool's own
 * {@code timing:} lines split the time into connect+auth (SSH), the command's phases (read, certificates, files,
 * live apply, proof) and the rest (JVM start, closing). The same stock Debian redis.conf and password on both.
 * Optionally ({@code -Dbench.rttMs=0,10}, where the kernel has {@code sch_netem}) the link to the host also gets a
 * round-trip delay, to show what a real network adds.
 * Writes a Markdown fragment to the file named by the first argument. Needs root. Run it with scripts/bench-remote.
 */
public final class RemoteBenchmark {
    private static final int RUNS = Integer.getInteger("bench.runs", 7);
    /** Round-trip delays (ms) to add to the link, each a variant of its own; 0 = as the veth is. */
    private static final List<Integer> DELAYS = Stream.of(System.getProperty("bench.rttMs", "0").split(","))
            .map(String::trim).filter(s -> !s.isEmpty()).map(Integer::valueOf).toList();
    /** The command to time: {@code bin/redis-tls}, or {@code -Dbench.tool=PATH} (e.g. a build with logging on). */
    private static final String TOOL = System.getProperty("bench.tool", Path.of("bin/redis-tls").toAbsolutePath().toString());
    private static final Pattern TIMING = Pattern.compile("^timing: (.+) ([0-9.]+) ms$");
    /** The phases, in the order the tool marks them; "connect and open node" is split into SSH connect+auth and the rest. */
    private static final List<String> INSTALL_PHASES = List.of("connect+auth (SSH)", "open node (lock, facts, config)",
            "owner of the keys", "certificates", "read live node and config", "files", "live apply", "proof",
            "rest (JVM start, exit)");
    private static final List<String> STATUS_PHASES = List.of("connect+auth (SSH)", "open node (lock, facts, config)",
            "read config and certificates", "live check", "rest (JVM start, exit)");

    private RemoteBenchmark() {
    }

    /** One timed command: its wall time and its phases (ms), plus how many SSH steps of each kind it made. */
    record Run(double wallMs, Map<String, Double> phases, Map<String, Integer> sshSteps, List<String> lines) {
    }

    /** The runs of one command on one kind of node. */
    static final class Series {
        final String name;
        final List<Run> install = new ArrayList<>();
        final List<Run> status = new ArrayList<>();
        /** Commands that failed (not timed; run again, as the tool's message says, before going on). */
        final List<String> failures = new ArrayList<>();

        Series(String name) {
            this.name = name;
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: RemoteBenchmark RESULT.md");
            System.exit(2);
        }
        String template = new String(LiveChangeBenchmark.class.getResourceAsStream("/conf/debian12-redis.conf")
                .readAllBytes(), StandardCharsets.UTF_8);
        String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
        String loadStart = loadAverage();
        Path tmp = Files.createTempDirectory("redis-tls-bench-remote-");
        Process local = null;
        try (SimulatedHosts hosts = SimulatedHosts.create()) {
            SimulatedHost node = hosts.start(SimulatedHost.Options.named("node1").redisPassword(password));
            Path ca = tmp.resolve("ca");
            must(List.of(TOOL, "ca", "init", "--ca-home", ca.toString()));

            Path localDir = tmp.resolve("local");
            Files.createDirectories(localDir);
            int port = freePort();
            Path localConf = localDir.resolve("redis.conf");
            Files.writeString(localConf, LiveChangeBenchmark.debianConf(template, localDir, port, password));
            local = new ProcessBuilder("redis-server", localConf.toString()).redirectErrorStream(true)
                    .redirectOutput(localDir.resolve("stdout.log").toFile()).start();
            awaitListening(port);

            List<String> localArgs = List.of("--conf", localConf.toString(), "--keys-dir", localDir.resolve("tls").toString());
            List<String> remoteArgs = List.of("--host", node.alias(), "--ssh-config", hosts.sshConfig().toString(),
                    "--conf", node.redisConf().toString(), "--keys-dir", node.path("/etc/redis/tls").toString());
            List<String> tlsPort = List.of("--tls-port", String.valueOf(freePort()));

            Series localSeries = new Series("this machine");
            List<Series> remote = new ArrayList<>();
            for (int delay : DELAYS) {
                remote.add(new Series(delay == 0 ? "other host (veth, no added delay)"
                        : "other host, " + delay + " ms round trip added"));
            }
            List<String> loads = new ArrayList<>();
            try {
                // Warm-up: the OS caches, the CDS archive and the first SSH connection are not what is measured.
                cycle(localSeries, localArgs, tlsPort, ca);
                cycle(remote.get(0), remoteArgs, List.of("--tls-port", "6380"), ca);
                for (Series x : List.of(localSeries, remote.get(0))) {
                    x.install.clear();
                    x.status.clear();
                    x.failures.replaceAll(f -> "warm-up " + f);
                }
                for (int i = 0; i < RUNS; i++) {
                    loads.add(loadAverage().split(" ")[0]);
                    System.err.printf("run %d/%d, load average %s%n", i + 1, RUNS, loadAverage());
                    // Alternate which goes first, so a burst of other work on the machine hits both alike.
                    if (i % 2 == 0) {
                        cycle(localSeries, localArgs, tlsPort, ca);
                    }
                    for (int d = 0; d < DELAYS.size(); d++) {
                        delay(node, DELAYS.get(d));
                        try {
                            cycle(remote.get(d), remoteArgs, List.of("--tls-port", "6380"), ca);
                        } finally {
                            delay(node, 0);
                        }
                    }
                    if (i % 2 == 1) {
                        cycle(localSeries, localArgs, tlsPort, ca);
                    }
                }
            } catch (RuntimeException e) {
                // What the host's sshd saw (e.g. why it closed the connection) is the first thing to read.
                System.err.println("sshd log of " + node.name() + " (tail):\n" + tail(node.sshdLog(), 40));
                throw e;
            }
            List<Series> all = new ArrayList<>();
            all.add(localSeries);
            all.addAll(remote);
            Files.writeString(Path.of(args[0]), markdown(all, loadStart, loadAverage(), loads));
        } finally {
            if (local != null) {
                local.destroy();
                local.waitFor(20, TimeUnit.SECONDS);
            }
            delete(tmp);
        }
    }

    /** install, status, then uninstall (not timed) so that the next install starts from the same node. */
    private static void cycle(Series s, List<String> node, List<String> tlsPort, Path ca) throws Exception {
        List<String> install = new ArrayList<>(List.of(TOOL, "install", "--verbose"));
        install.addAll(node);
        install.addAll(tlsPort);
        install.addAll(List.of("--ca-home", ca.toString(), "--firewall", "none"));
        attempt(s, s.install, install, INSTALL_PHASES);
        List<String> status = new ArrayList<>(List.of(TOOL, "status", "--verbose"));
        status.addAll(node);
        attempt(s, s.status, status, STATUS_PHASES);
        List<String> uninstall = new ArrayList<>(List.of(TOOL, "uninstall"));
        uninstall.addAll(node);
        must(uninstall);
    }

    /** A failed command is recorded with its error line and run again (untimed), as its message tells an operator. */
    private static void attempt(Series s, List<Run> runs, List<String> command, List<String> phaseNames) throws Exception {
        try {
            runs.add(timed(command, phaseNames));
        } catch (IllegalStateException e) {
            String error = e.getMessage().lines().filter(l -> l.startsWith("error: ")).findFirst().orElse(e.getMessage());
            System.err.println(s.name + ": " + command.get(1) + " failed: " + error);
            s.failures.add("`" + command.get(1) + "`: " + error.replaceFirst("^error: ", "")
                    .replaceAll("/tmp/[^ ]*", "…"));
            must(command);
        }
    }

    private static Run timed(List<String> command, List<String> phaseNames) throws Exception {
        Path err = Files.createTempFile("redis-tls-bench-", ".err");
        try {
            long start = System.nanoTime();
            Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(err.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", command));
            }
            double wall = (System.nanoTime() - start) / 1e6;
            String stderr = Files.readString(err);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue() + ":\n" + stderr);
            }
            return parse(wall, stderr, phaseNames);
        } finally {
            Files.deleteIfExists(err);
        }
    }

    /** The tool's --verbose lines: "timing: phase NAME N ms" for phases, "timing: STEP N ms" for each SSH step. */
    static Run parse(double wall, String stderr, List<String> phaseNames) {
        Map<String, Double> phases = new LinkedHashMap<>();
        phaseNames.forEach(n -> phases.put(n, 0.0));
        Map<String, Integer> steps = new LinkedHashMap<>();
        List<String> lines = new ArrayList<>();
        double ssh = 0;
        double sum = 0;
        for (String line : stderr.split("\n")) {
            Matcher m = TIMING.matcher(line.strip());
            if (!m.matches()) {
                continue;
            }
            lines.add(line.strip());
            String what = m.group(1);
            double ms = Double.parseDouble(m.group(2));
            if (what.startsWith("phase ")) {
                String phase = what.substring("phase ".length());
                if (phase.equals("connect and open node")) {
                    phase = "open node (lock, facts, config)";
                } else if (phase.equals("firewall")) {
                    continue; // --firewall none: nothing to time
                }
                if (!phases.containsKey(phase)) {
                    throw new IllegalStateException("unknown phase in: " + line);
                }
                phases.merge(phase, ms, Double::sum);
                sum += ms;
            } else {
                String kind = what.split(" ")[0];
                if (what.equals("resolve") || what.equals("connect") || what.equals("key exchange and auth")) {
                    ssh += ms;
                    if (!what.equals("key exchange and auth")) {
                        continue;
                    }
                    kind = "SSH connection";
                }
                steps.merge(kind, 1, Integer::sum);
            }
        }
        // connect+auth happens inside "connect and open node": move it out, so the phases still add up to the wall time.
        phases.put("connect+auth (SSH)", ssh);
        phases.merge("open node (lock, facts, config)", -ssh, Double::sum);
        phases.put("rest (JVM start, exit)", wall - sum);
        return new Run(wall, phases, steps, lines);
    }

    // ---- the report

    private static String markdown(List<Series> all, String loadStart, String loadEnd, List<String> loads) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Median of %d runs of each (min–max in brackets), alternating between the "
                + "nodes; one warm-up run of each first. Load average %s at the start, %s at the end (1-min value per "
                + "run: %s).%n%n", RUNS, loadStart, loadEnd, String.join(", ", loads)));
        md.append("| ms | ").append(String.join(" | ", all.stream().map(x -> x.name).toList())).append(" |\n");
        md.append("|---|").append("---:|".repeat(all.size())).append('\n');
        table(md, all, "install", x -> x.install, INSTALL_PHASES);
        table(md, all, "status", x -> x.status, STATUS_PHASES);
        md.append('\n');
        md.append("SSH steps per command on the other host (from `--verbose`: exec = a command run there, facts = "
                + "the host's facts in one exec, sftp = the SFTP subsystem opened, channel = a forwarded connection to "
                + "Redis; each costs at least one round trip, and SFTP reads and writes come on top): ");
        Series remote = all.get(1);
        md.append("install: ").append(steps(remote.install.get(0))).append("; status: ")
                .append(steps(remote.status.get(0))).append(".\n\n");
        for (Series x : all) {
            md.append("Failed commands, ").append(x.name).append(": ");
            md.append(x.failures.isEmpty() ? "none" : x.failures.size() + " (" + String.join("; ", x.failures)
                    + "), each run again at once, which succeeded, and left out of the medians").append(".\n\n");
        }
        Run last = remote.install.get(remote.install.size() - 1);
        md.append("<details><summary>The <code>--verbose</code> timing lines of the last install on the other host ("
                + fmt(last.wallMs()) + " ms wall time)</summary>\n\n```\n");
        last.lines().forEach(l -> md.append(l).append('\n'));
        md.append("```\n</details>\n\n");
        return md.toString();
    }

    /** The wall-time row (median, min–max), then one row per phase (median). */
    private static void table(StringBuilder md, List<Series> all, String command,
                              java.util.function.Function<Series, List<Run>> runs, List<String> phases) {
        md.append("| **").append(command).append("**, wall time |");
        for (Series x : all) {
            md.append(' ').append(spread(runs.apply(x).stream().map(Run::wallMs).toList())).append(" |");
        }
        md.append('\n');
        for (String phase : phases) {
            md.append("| ").append(command).append(": ").append(phase).append(" |");
            for (Series x : all) {
                md.append(' ').append(fmt(median(runs.apply(x).stream().map(r -> r.phases().get(phase)).toList()))).append(" |");
            }
            md.append('\n');
        }
    }

    private static String steps(Run r) {
        List<String> parts = new ArrayList<>();
        r.sshSteps().forEach((k, v) -> parts.add(v + " " + k));
        return String.join(", ", parts);
    }

    private static String spread(List<Double> xs) {
        return "**" + fmt(median(xs)) + "** (" + fmt(xs.stream().min(Comparator.naturalOrder()).orElseThrow()) + "–"
                + fmt(xs.stream().max(Comparator.naturalOrder()).orElseThrow()) + ")";
    }

    private static String fmt(double ms) {
        return String.format(Locale.ROOT, "%.0f", ms);
    }

    static double median(List<Double> xs) {
        List<Double> s = xs.stream().sorted().toList();
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    // ---- machinery

    /** A round-trip delay on the link to the host (netem on its namespace's end of the veth); 0 removes it. */
    private static void delay(SimulatedHost node, int rttMs) throws Exception {
        String dev = ipInNamespace(node);
        run(List.of("ip", "netns", "exec", node.netns(), "tc", "qdisc", "del", "dev", dev, "root"));
        if (rttMs > 0) {
            mustOr("-Dbench.rttMs needs tc netem (the kernel's sch_netem), which this machine lacks", List.of("ip", "netns", "exec", node.netns(), "tc", "qdisc", "add", "dev", dev, "root", "netem",
                    "delay", rttMs + "ms"));
        }
    }

    /** The namespace's side of the veth: its only interface besides lo. */
    private static String ipInNamespace(SimulatedHost node) throws Exception {
        String out = must(List.of("ip", "-o", "-netns", node.netns(), "link", "show"));
        for (String line : out.split("\n")) {
            String name = line.split(":")[1].trim().split("@")[0];
            if (!name.equals("lo")) {
                return name;
            }
        }
        throw new IllegalStateException("no interface in " + node.netns() + ": " + out);
    }

    private static void mustOr(String why, List<String> command) throws Exception {
        try {
            must(command);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(why + ": " + e.getMessage(), e);
        }
    }

    private static String must(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue() + ": " + out);
        }
        return out;
    }

    private static void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        p.waitFor();
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void awaitListening(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(10);
            }
        }
        throw new IllegalStateException("local redis-server did not listen on " + port);
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
