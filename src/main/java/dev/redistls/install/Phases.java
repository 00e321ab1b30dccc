package dev.redistls.install;

import dev.redistls.StartupTrace;

import java.util.ArrayList;
import java.util.List;

/**
 * Wall time of a command's phases (read, certificates, files, live apply, proof), for {@code --verbose}: each mark
 * ends the phase that began at the previous one. Benchmarks read these lines; nothing else depends on them.
 */
public final class Phases {
    private final List<String> lines = new ArrayList<>();
    private long last = System.nanoTime();

    /** Ends the phase running since the previous mark (or since this clock was made) under {@code name}. */
    public synchronized void mark(String name) {
        long now = System.nanoTime();
        long micros = (now - last) / 1_000;
        lines.add(name + " " + (micros < 10_000 ? String.format("%.1f ms", micros / 1000.0) : (micros / 1000) + " ms"));
        last = now;
        StartupTrace.mark(name);
    }

    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }
}
