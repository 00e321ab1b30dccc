package dev.redistls.group;

import dev.redistls.RedisTlsException;
import dev.redistls.group.ClusterTopology.ClusterNode;
import dev.redistls.group.GroupHosts.GroupMember;
import dev.redistls.node.ClusterRedirects;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code group status} adds for a Redis Cluster: each node's bus transport and version, and warnings for the
 * combinations that send plain-text or TLS clients to ports they cannot speak on the versions running
 * ({@link ClusterRedirects}), judged by each node's settings and by what CLUSTER SLOTS answers over both
 * ({@link ClusterRedirectCheck}).
 */
public final class ClusterStatus {
    /** One node: its bus transport, version and the warnings that concern it. */
    public record NodeView(boolean tlsCluster, boolean tlsReplication, int busPort, String version, List<String> warnings) {
        public Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("tlsCluster", tlsCluster);
            m.put("tlsReplication", tlsReplication);
            m.put("busPort", busPort);
            m.put("version", version);
            m.put("warnings", warnings);
            return m;
        }
    }

    /** {@code warnings}: the group's own (nodes that disagree, a cluster that cannot be read). */
    public record View(List<String> warnings, Map<GroupMember, NodeView> nodes) {
    }

    private ClusterStatus() {
    }

    /** Empty when the group is no Redis Cluster. */
    public static Optional<View> of(GroupHosts hosts) {
        ClusterTopology t;
        try {
            if (hosts.dataNodes().isEmpty() || !ClusterTopology.isCluster(hosts.dataNodes())) {
                return Optional.empty();
            }
            t = ClusterTopology.read(hosts.dataNodes());
        } catch (RedisTlsException e) {
            return Optional.of(new View(List.of("cannot read the cluster: " + e.getMessage()), Map.of()));
        }
        List<String> group = new ArrayList<>();
        List<String> yes = t.nodes().stream().filter(ClusterNode::tlsCluster).map(n -> n.member().label()).toList();
        List<String> no = t.nodes().stream().filter(n -> !n.tlsCluster()).map(n -> n.member().label()).toList();
        if (!yes.isEmpty() && !no.isEmpty()) {
            group.add("nodes disagree on tls-cluster (yes: " + String.join(", ", yes) + "; no: " + String.join(", ", no)
                    + "): " + (t.anyBefore72() ? "before Redis 7.2 the nodes with 'no' send plain-text clients to the TLS ports"
                    + " of those with 'yes', and bus links between the two sides fail" : "Redis 7.2+ nodes read each other's"
                    + " announced ports swapped, and bus links between the two sides fail")
                    + ": run 'redis-tls group configure --cluster' (or 'group uninstall') to finish");
        }
        Map<GroupMember, List<String>> misdirected = new LinkedHashMap<>();
        try {
            boolean anyTls = t.nodes().stream().anyMatch(n -> n.tlsPort() != 0 && n.member().node().keys().isComplete());
            for (String line : ClusterRedirectCheck.misdirected(hosts.dataNodes(), t, anyTls)) {
                hosts.dataNodes().stream().filter(m -> line.startsWith(m.label())).findFirst()
                        .ifPresent(m -> misdirected.computeIfAbsent(m, k -> new ArrayList<>()).add(line.substring(m.label().length() + 1)));
            }
        } catch (RedisTlsException e) {
            group.add("cannot ask every node where it sends clients: " + e.getMessage());
        }
        Map<GroupMember, NodeView> nodes = new LinkedHashMap<>();
        for (ClusterNode n : t.nodes()) {
            List<String> w = new ArrayList<>();
            ClusterRedirects.rules(n.version(), n.config()).forEach(p -> w.add(p.detail()));
            w.addAll(misdirected.getOrDefault(n.member(), List.of()));
            nodes.put(n.member(), new NodeView(n.tlsCluster(), "yes".equals(n.config().get("tls-replication")), n.busPort(),
                    n.version(), w));
        }
        return Optional.of(new View(group, nodes));
    }
}
