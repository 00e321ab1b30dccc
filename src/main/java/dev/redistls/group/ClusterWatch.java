package dev.redistls.group;

import dev.redistls.group.ClusterTopology.NodeLine;
import dev.redistls.group.GroupHosts.GroupMember;
import dev.redistls.node.LiveNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Watches a cluster while its bus is switched: every node's view (CLUSTER NODES, CLUSTER INFO) read over and over
 * on a connection of its own, recording any node flagged failing or possibly failing by any other, any change of
 * {@code cluster_current_epoch} or of a node's role, and any {@code cluster_state} other than ok. These are what a
 * failover needs first; none may be seen for the switch to count as done without one.
 */
final class ClusterWatch implements AutoCloseable {
    /** What was seen between start and close. */
    record Seen(int rounds, List<String> failing, List<String> epochChanges, List<String> roleChanges, List<String> notOk,
                Map<GroupMember, Long> epochs) {
        boolean quiet() {
            return failing.isEmpty() && epochChanges.isEmpty() && roleChanges.isEmpty() && notOk.isEmpty();
        }
    }

    private static final int KEEP = 5;

    private final List<GroupMember> members;
    private final Map<GroupMember, Long> epochs = new LinkedHashMap<>();
    private final Map<String, Boolean> roles = new HashMap<>();
    private final Set<String> failing = new LinkedHashSet<>();
    private final List<String> epochChanges = new ArrayList<>();
    private final List<String> roleChanges = new ArrayList<>();
    private final Set<String> notOk = new LinkedHashSet<>();
    private final Map<GroupMember, LiveNode> connections = new HashMap<>();
    private final long start = System.nanoTime();
    private final Thread thread;
    private volatile boolean running = true;
    private int rounds;

    private ClusterWatch(List<GroupMember> members) {
        this.members = members;
        this.thread = new Thread(this::loop, "redis-tls-cluster-watch");
        thread.setDaemon(true);
    }

    /** Reads every node once (the baseline: epochs and roles), then keeps reading until closed. */
    static ClusterWatch start(List<GroupMember> members) {
        ClusterWatch w = new ClusterWatch(members);
        w.round();
        w.thread.start();
        return w;
    }

    private void loop() {
        while (running) {
            round();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void round() {
        for (GroupMember m : members) {
            if (!running) {
                return;
            }
            try {
                LiveNode live = connections.computeIfAbsent(m, k -> k.node().connect());
                read(m, live);
            } catch (RuntimeException e) {
                // A connection broken meanwhile (a forwarded channel, a timeout): read again next round.
                LiveNode broken = connections.remove(m);
                if (broken != null) {
                    broken.close();
                }
            }
        }
        synchronized (this) {
            rounds++;
        }
    }

    private void read(GroupMember m, LiveNode live) {
        String at = String.format("+%.1f s", (System.nanoTime() - start) / 1e9);
        List<NodeLine> view = NodeLine.parseAll((String) live.cluster("NODES"));
        Map<String, String> info = ClusterBus.fields((String) live.cluster("INFO"));
        synchronized (this) {
            for (NodeLine l : view) {
                if (l.failing()) {
                    failing.add(m.label() + " flagged " + l.address() + " " + l.flags() + " at " + at);
                }
                // Each node's own view, over time: a replica it saw turn master is a promotion (a failover). Views
                // differ between nodes, and a new cluster's views still converge (masters turning replicas).
                String key = m.label() + "\0" + l.id();
                Boolean was = roles.put(key, l.master());
                if (was != null && !was && l.master()) {
                    roleChanges.add(m.label() + " saw replica " + l.address() + " become a master at " + at);
                }
            }
            long epoch = Long.parseLong(info.getOrDefault("cluster_current_epoch", "0"));
            Long before = epochs.putIfAbsent(m, epoch);
            if (before != null && before != epoch) {
                epochChanges.add(m.label() + ": cluster_current_epoch " + before + " -> " + epoch + " at " + at);
                epochs.put(m, epoch);
            }
            String state = info.getOrDefault("cluster_state", "?");
            if (!"ok".equals(state)) {
                notOk.add(m.label() + ": cluster_state:" + state + " at " + at);
            }
        }
    }

    /** The node's epoch as first read. */
    synchronized long epoch(GroupMember m) {
        return epochs.getOrDefault(m, -1L);
    }

    synchronized Seen seen() {
        return new Seen(rounds, first(failing), first(epochChanges), first(roleChanges), first(notOk), new LinkedHashMap<>(epochs));
    }

    private static List<String> first(java.util.Collection<String> c) {
        return c.stream().limit(KEEP).toList();
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connections.values().forEach(LiveNode::close);
    }
}
