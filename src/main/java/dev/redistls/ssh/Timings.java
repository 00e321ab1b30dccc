package dev.redistls.ssh;

import java.util.ArrayList;
import java.util.List;

/** How long each step with a host took, in order, for {@code --verbose}: connect, auth, each exec, SFTP, channels. */
final class Timings {
    private final List<String> lines = new ArrayList<>();

    synchronized void add(String step, long startNanos) {
        long micros = (System.nanoTime() - startNanos) / 1_000;
        lines.add(step + " " + (micros < 10_000 ? String.format("%.1f ms", micros / 1000.0) : (micros / 1000) + " ms"));
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }
}
