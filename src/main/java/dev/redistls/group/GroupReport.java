package dev.redistls.group;

import dev.redistls.install.Report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a group command did: group-wide lines, each member's own report (as the single-node command prints it), the
 * replication links moved and how they resynced, and, when the rollout stopped, where every member stands.
 */
public final class GroupReport {
    private final List<String> lines = new ArrayList<>();
    private final Map<String, Report> members = new LinkedHashMap<>();
    private final List<ReplicaLink.Resync> resyncs = new ArrayList<>();
    private final Map<String, String> states = new LinkedHashMap<>();
    private final Map<String, Long> took = new LinkedHashMap<>();
    private final long start = System.nanoTime();
    private String failure;

    synchronized GroupReport line(String s) {
        lines.add(s);
        return this;
    }

    synchronized void member(String label, Report r) {
        members.put(label, r);
    }

    synchronized void resyncs(List<ReplicaLink.Resync> r) {
        resyncs.addAll(r);
    }

    synchronized void state(String label, String state) {
        states.put(label, state);
    }

    synchronized void took(String phase, long nanos) {
        took.merge(phase, nanos, Long::sum);
    }

    /** How long the command took, and each phase: {@code Took 9.1 s (masters 0.4 s, replicas 0.9 s, ...)}. */
    public synchronized String timing() {
        return "Took " + seconds(System.nanoTime() - start) + took.entrySet().stream()
                .map(e -> e.getKey() + " " + seconds(e.getValue())).reduce((a, b) -> a + ", " + b).map(t -> " (" + t + ")").orElse("");
    }

    private static String seconds(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    void failed(String message) {
        this.failure = message;
    }

    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    public synchronized Map<String, Report> members() {
        return new LinkedHashMap<>(members);
    }

    public synchronized List<String> resyncLines() {
        return resyncs.stream().map(ReplicaLink.Resync::line).toList();
    }

    /** After a stop: each member "new" or "old", and why. */
    public synchronized Map<String, String> states() {
        return new LinkedHashMap<>(states);
    }

    /** Null when the rollout finished. */
    public String failure() {
        return failure;
    }
}
