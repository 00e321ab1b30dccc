package dev.redistls.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A packet capture of cluster-bus ports by tcpdump (Debian's), judged by tcpdump reading it back: every TCP segment
 * on those ports, its time, its ports, and how many plaintext cluster-bus messages it carries (each starts with the
 * four bytes {@code RCmb}, its signature; inside TLS records they never appear in clear).
 */
public final class BusCapture implements AutoCloseable {
    /** What a window of the capture holds. */
    public record Counts(int segments, int plaintextMessages, Map<Integer, Integer> segmentsByPort,
                         java.util.Set<String> connections, List<String> plaintextSamples) {
    }

    private final Path file;
    private final Path log;
    private final Process process;
    private final List<Integer> ports;

    private BusCapture(Path file, Path log, Process process, List<Integer> ports) {
        this.file = file;
        this.log = log;
        this.process = process;
        this.ports = ports;
    }

    /**
     * Starts tcpdump on {@code iface} ({@code netns} null: the test's namespace) for TCP on {@code ports}, writing
     * {@code file}; returns once it captures.
     */
    public static BusCapture start(String netns, String iface, List<Integer> ports, Path file) {
        List<String> cmd = new ArrayList<>();
        if (netns != null) {
            cmd.addAll(List.of("ip", "netns", "exec", netns));
        }
        StringBuilder filter = new StringBuilder("tcp and (");
        for (int i = 0; i < ports.size(); i++) {
            filter.append(i == 0 ? "" : " or ").append("port ").append(ports.get(i));
        }
        filter.append(')');
        cmd.addAll(List.of("tcpdump", "-i", iface, "-n", "-U", "-s", "0", "-w", file.toString(), filter.toString()));
        Path log = file.resolveSibling(file.getFileName() + ".log");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            BusCapture c = new BusCapture(file, log, p, ports);
            ClusterJudge.await(() -> c.logText().contains("listening on") || !p.isAlive(), "tcpdump listening");
            if (!p.isAlive()) {
                throw new IllegalStateException("tcpdump exited: " + c.logText());
            }
            return c;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start tcpdump (scripts/install-deps --tests installs it)", e);
        }
    }

    private String logText() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Stops capturing (the file is complete once tcpdump exits). */
    public void stop() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The segments captured between {@code fromMillis} and {@code toMillis} (wall clock), read back by tcpdump. */
    public Counts between(long fromMillis, long toMillis) {
        // While tcpdump still writes, the last record may be cut short: read what is whole.
        Processes.Output read = Processes.run(null, List.of("tcpdump", "-r", file.toString(), "-n", "-tt", "-A"));
        if (read.exitCode() != 0 && !read.out().contains("truncated")) {
            throw new IllegalStateException("tcpdump -r failed: " + read.out());
        }
        java.util.Set<String> connections = new java.util.HashSet<>();
        int segments = 0;
        int plaintext = 0;
        Map<Integer, Integer> byPort = new LinkedHashMap<>();
        List<String> samples = new ArrayList<>();
        boolean inWindow = false;
        String header = null;
        for (String line : read.out().split("\n")) {
            java.util.regex.Matcher m = HEADER.matcher(line);
            if (m.find()) {
                long at = (long) (Double.parseDouble(m.group(1)) * 1000);
                inWindow = at >= fromMillis && at <= toMillis;
                header = line;
                if (inWindow && !line.endsWith("length 0")) {
                    segments++;
                    String a = m.group(2) + "." + m.group(3);
                    String b = m.group(4) + "." + m.group(5);
                    connections.add(a.compareTo(b) < 0 ? a + "-" + b : b + "-" + a);
                    for (int port : List.of(Integer.parseInt(m.group(3)), Integer.parseInt(m.group(5)))) {
                        if (ports.contains(port)) {
                            byPort.merge(port, 1, Integer::sum);
                        }
                    }
                }
                continue;
            }
            if (inWindow) {
                int found = count(line, "RCmb");
                if (found > 0) {
                    plaintext += found;
                    if (samples.size() < 3) {
                        samples.add(header);
                    }
                }
            }
        }
        return new Counts(segments, plaintext, byPort, connections, samples);
    }

    /**
     * Waits until the capture holds, since {@code fromMillis}, segments with data on at least {@code connections}
     * distinct TCP connections (every link of an n-node cluster: n(n-1)), and returns that window.
     */
    public Counts awaitConnections(long fromMillis, int connections) {
        Counts[] last = new Counts[1];
        ClusterJudge.await(() -> {
            last[0] = between(fromMillis, Long.MAX_VALUE);
            return last[0].connections().size() >= connections;
        }, connections + " bus connections carrying data in the capture");
        return last[0];
    }

    private static final java.util.regex.Pattern HEADER = java.util.regex.Pattern.compile(
            "^(\\d+\\.\\d+) IP6? (\\S+?)\\.(\\d+) > (\\S+?)\\.(\\d+):");

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    @Override
    public void close() {
        stop();
        try {
            Files.deleteIfExists(file);
            Files.deleteIfExists(log);
        } catch (IOException ignored) {
            // in the test's temp dir, removed with it
        }
    }
}
