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
