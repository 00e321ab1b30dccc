package dev.redistls.group;

import dev.redistls.group.ClusterTopology.ClusterNode;
import dev.redistls.group.GroupHosts.GroupMember;
import dev.redistls.node.Endpoint;
import dev.redistls.node.LiveNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where each node sends clients: what CLUSTER SLOTS (the map cluster clients build their routing from, and which
 * MOVED/ASK replies follow) answers a plain-text connection and a TLS one, node by node, compared with the port of
 * the right kind of every node it names. Redis 7.0 answers a TLS client with the one client port each node
 * announces (the TLS one only with tls-cluster yes), and a plain client with the plain port only when it has
 * tls-cluster yes itself; 7.2 answers each with the port of its kind.
 */
final class ClusterRedirectCheck {
    private ClusterRedirectCheck() {
    }

    /** The port of each kind a node is to be reached at: announce settings first. */
    static int plainPort(ClusterNode n) {
        return n.announcedPlainPort();
    }

    static int tlsPort(ClusterNode n) {
        int a = n.intValue("cluster-announce-tls-port");
        return a != 0 ? a : n.tlsPort();
    }

    /**
     * Every node and slot range whose answer sends a client to a port not of its kind, as lines; {@code tls}: ask over
     * TLS too. Empty: every client lands on a port it speaks.
     */
    static List<String> misdirected(List<GroupMember> members, ClusterTopology t, boolean tls) {
        List<String> out = new ArrayList<>(answers(members, t, false, ClusterRedirectCheck::plainPort, "plain-text"));
        if (tls) {
            out.addAll(answers(members, t, true, ClusterRedirectCheck::tlsPort, "TLS"));
        }
        return out;
    }

    /** Asks until every answer is right or {@code timeout} passes (peers learn new ports from each other's PINGs). */
    static List<String> awaitRight(List<GroupMember> members, ClusterTopology t, boolean tls, java.time.Duration timeout) {
        return await(() -> misdirected(members, t, tls), timeout);
    }

    /**
     * Waits until every node, asked over TLS, names every node at its announced plain port: each has heard every
     * other announce it (uninstall's first step) before any stops answering plain clients with plain ports.
     */
    static List<String> awaitPlainAnnounced(List<GroupMember> members, ClusterTopology t, java.time.Duration timeout) {
        return await(() -> answers(members, t, true, ClusterRedirectCheck::plainPort, "TLS"), timeout);
    }

    /**
     * Waits until every node, asked over TLS, names in CLUSTER SLOTS every replica of every master it names: a replica
     * is left out while it resyncs from nothing or while the node asked has it flagged, so a TLS client that starts
     * then would not learn of it. Lines for the replicas still missing after {@code timeout}.
     */
    static List<String> awaitEveryReplicaNamed(List<GroupMember> members, ClusterTopology t, java.time.Duration timeout) {
        return await(() -> {
            Map<GroupMember, List<String>> found = Parallel.map(members, m -> {
                try (LiveNode live = m.node().connect()) {
                    return unnamedReplicas(m, live, t);
                }
            });
            return found.values().stream().flatMap(List::stream).toList();
        }, timeout);
    }

    private static List<String> unnamedReplicas(GroupMember m, LiveNode live, ClusterTopology t) {
        java.util.Set<String> named = new java.util.HashSet<>();
        java.util.Set<String> owners = new java.util.HashSet<>();
        if (live.cluster("SLOTS") instanceof List<?> ranges) {
            for (Object r : ranges) {
                List<?> range = (List<?>) r;
                for (int i = 2; i < range.size(); i++) {
                    named.add(String.valueOf(((List<?>) range.get(i)).get(2)));
                }
                owners.add(String.valueOf(((List<?>) range.get(2)).get(2)));
            }
        }
        return t.nodes().stream().filter(n -> !n.master() && owners.contains(n.masterId()) && !named.contains(n.id()))
                .map(n -> m.label() + " does not name " + n.member().label() + " (a replica) in CLUSTER SLOTS").toList();
    }

    private static List<String> await(java.util.function.Supplier<List<String>> wrongNow, java.time.Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> wrong = wrongNow.get();
            if (wrong.isEmpty() || System.nanoTime() > deadline) {
                return wrong;
            }
            ReplicaLink.sleep(200);
        }
    }

    /** What every node answers over plain text or TLS, compared with {@code expected} of each node it names. */
    private static List<String> answers(List<GroupMember> members, ClusterTopology t, boolean tls,
                                        java.util.function.ToIntFunction<ClusterNode> expected, String kind) {
        Map<GroupMember, List<String>> found = Parallel.map(members, m -> {
            if (!tls) {
                if (m.node().plainPort() == 0) {
                    return List.<String>of(); // tls-only: no plain client reaches it to be sent anywhere
                }
                try (LiveNode plain = m.node().connect()) {
                    return check(m, plain, t, expected, kind);
                }
            }
            int port = m.node().reread().tlsPort();
            if (port == 0 || !m.node().keys().isComplete()) {
                return List.<String>of();
            }
            Endpoint e = new Endpoint(m.node().address(), port);
            try (LiveNode secure = LiveNode.connect(m.host(), e, m.node().keys().clientContext(), m.node().credentials())) {
                return check(m, secure, t, expected, kind);
            }
        });
        return found.values().stream().flatMap(List::stream).toList();
    }

    private static List<String> check(GroupMember m, LiveNode live, ClusterTopology t,
                                      java.util.function.ToIntFunction<ClusterNode> expected, String kind) {
        List<String> out = new ArrayList<>();
        Object reply = live.cluster("SLOTS");
        if (!(reply instanceof List<?> ranges)) {
            return out;
        }
        for (Object r : ranges) {
            List<?> range = (List<?>) r;
            for (int i = 2; i < range.size(); i++) {
                List<?> node = (List<?>) range.get(i);
                int port = Integer.parseInt(String.valueOf(node.get(1)));
                String id = String.valueOf(node.get(2));
                Optional<ClusterNode> target = t.byId(id);
                if (target.isEmpty()) {
                    continue;
                }
                int want = expected.applyAsInt(target.get());
                if (port != want) {
                    out.add(m.label() + " sends " + kind + " clients for slots " + range.get(0) + "-" + range.get(1) + " to "
                            + node.get(0) + ":" + port + " instead of port " + want);
                    break;
                }
            }
        }
        return out;
    }
}
