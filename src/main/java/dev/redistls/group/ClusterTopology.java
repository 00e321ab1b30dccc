package dev.redistls.group;

import dev.redistls.RedisTlsException;
import dev.redistls.group.GroupHosts.GroupMember;
import dev.redistls.node.LiveNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A Redis Cluster as its nodes run it now, read live on every inventory member: each node's id, role, ports, bus
 * listener, the announce settings that decide what it tells its peers, and its view of the cluster. Roles are read,
 * never declared; every node the cluster knows must be in the inventory (a node left out would be stranded on a bus
 * the others have moved off).
 */
final class ClusterTopology {
    /** What CONFIG GET reads for a cluster switch: the ports a node announces derive from these. */
    static final List<String> SETTINGS = List.of("port", "tls-port", "cluster-port", "cluster-announce-ip",
            "cluster-announce-hostname", "cluster-announce-port", "cluster-announce-tls-port", "cluster-announce-bus-port",
            "tls-cluster", "tls-replication", "cluster-node-timeout");

    /** One node as it runs now. {@code busPort} is where its cluster bus listens on its host. */
    record ClusterNode(GroupMember member, String id, boolean master, String masterId, String version,
                       Map<String, String> config, int busPort, Set<String> knownIds, Set<String> flagged,
                       long currentEpoch, String state) {
        int port() {
            return intValue("port");
        }

        int tlsPort() {
            return intValue("tls-port");
        }

        boolean tlsCluster() {
            return "yes".equals(config.get("tls-cluster"));
        }

        long nodeTimeoutMs() {
            return Long.parseLong(config.getOrDefault("cluster-node-timeout", "15000"));
        }

        /** The client port it announces for plain clients: cluster-announce-port when set, else its port. */
        int announcedPlainPort() {
            int a = intValue("cluster-announce-port");
            return a != 0 ? a : port();
        }

        /** Whether announce settings are in use (NAT, containers): then the TLS port is announced explicitly too. */
        boolean announces() {
            return !config.getOrDefault("cluster-announce-ip", "").isEmpty()
                    || !config.getOrDefault("cluster-announce-hostname", "").isEmpty()
                    || intValue("cluster-announce-port") != 0 || intValue("cluster-announce-bus-port") != 0;
        }

        int intValue(String key) {
            String v = config.getOrDefault(key, "0");
            return v.isEmpty() ? 0 : Integer.parseInt(v);
        }

        /** Redis before 7.2 announces one client port per node, the TLS one only with tls-cluster yes. */
        boolean before72() {
            return ClusterTopology.before72(version);
        }
    }

    private final Map<GroupMember, ClusterNode> nodes;

    private ClusterTopology(Map<GroupMember, ClusterNode> nodes) {
        this.nodes = nodes;
    }

    /**
     * Whether the data nodes run Redis Cluster ({@code cluster_enabled:1}); every one or none, else an error naming
     * the odd ones. Empty when there are no data nodes.
     */
    static boolean isCluster(List<GroupMember> dataNodes) {
        Map<GroupMember, Boolean> enabled = Parallel.map(dataNodes, m -> {
            try (LiveNode live = m.node().connect()) {
                return "1".equals(live.info("cluster").get("cluster_enabled"));
            } catch (LiveNode.Unreachable e) {
                throw RedisTlsException.failed(m.label() + " is down: " + e.getMessage()
                        + "; a group change needs every node running (start it, then run the same command again)");
            }
        });
        long on = enabled.values().stream().filter(b -> b).count();
        if (on != 0 && on != enabled.size()) {
            throw RedisTlsException.badInput("some nodes of the inventory run Redis Cluster and some do not ("
                    + enabled.entrySet().stream().filter(e -> !e.getValue()).map(e -> e.getKey().label())
                    .collect(Collectors.joining(", ")) + " not): one inventory is one cluster or one replicated group");
        }
        return on > 0;
    }

    static ClusterTopology read(List<GroupMember> dataNodes) {
        return new ClusterTopology(new LinkedHashMap<>(Parallel.map(dataNodes, ClusterTopology::node)));
    }

    private static ClusterNode node(GroupMember m) {
        try (LiveNode live = m.node().connect()) {
            return node(m, live);
        } catch (LiveNode.Unreachable e) {
            throw RedisTlsException.failed(m.label() + " is down: " + e.getMessage()
                    + "; a group change needs every node running (start it, then run the same command again)");
        }
    }

    static ClusterNode node(GroupMember m, LiveNode live) {
        Map<String, String> config = live.configGet(SETTINGS.toArray(new String[0]));
        List<NodeLine> view = NodeLine.parseAll((String) live.cluster("NODES"));
        NodeLine me = view.stream().filter(NodeLine::myself).findFirst()
                .orElseThrow(() -> RedisTlsException.failed(m.label() + ": CLUSTER NODES has no 'myself' line"));
        Map<String, String> info = ClusterBus.fields((String) live.cluster("INFO"));
        int bus = busListener(m, config, me.busPort());
        Set<String> known = view.stream().map(NodeLine::id).collect(Collectors.toCollection(LinkedHashSet::new));
        Set<String> flagged = view.stream().filter(NodeLine::failing).map(l -> l.id() + " (" + l.address() + ", "
                + l.flags() + ")").collect(Collectors.toCollection(LinkedHashSet::new));
        return new ClusterNode(m, me.id(), me.master(), me.masterId(), live.version(), config, bus, known, flagged,
                Long.parseLong(info.getOrDefault("cluster_current_epoch", "0")), info.getOrDefault("cluster_state", "?"));
    }

    /**
     * Where the bus listens: {@code cluster-port} when set, else the port Redis took at start (its client port +
     * 10000, the TLS one if it started with tls-cluster yes), judged by what listens on the node's host.
     */
    private static int busListener(GroupMember m, Map<String, String> config, int announced) {
        int clusterPort = Integer.parseInt(config.getOrDefault("cluster-port", "0"));
        if (clusterPort != 0) {
            return clusterPort;
        }
        Set<Integer> candidates = new LinkedHashSet<>();
        int announceBus = Integer.parseInt(config.getOrDefault("cluster-announce-bus-port", "0"));
        if (announceBus == 0) {
            candidates.add(announced); // derived from the live ports: the listener, unless a port moved since start
        }
        candidates.add(Integer.parseInt(config.getOrDefault("port", "0")) + 10000);
        candidates.add(Integer.parseInt(config.getOrDefault("tls-port", "0")) + 10000);
        if (announceBus != 0) {
            // Where install pinned it live (the listener), also once the plain port it was derived from closed.
            candidates.add(announceBus);
        }
        for (int p : candidates) {
            try {
                if (p > 10000 && p <= 65535 && m.host().listening(p)) {
                    return p;
                }
            } catch (java.io.IOException e) {
                throw RedisTlsException.failed(m.label() + ": cannot tell where its cluster bus listens" + m.node().where()
                        + ": " + e.getMessage(), e);
            }
        }
        throw RedisTlsException.failed(m.label() + ": its cluster bus listens on none of " + candidates + m.node().where()
                + " (set cluster-port in its config to the port it listens on)");
    }

    List<ClusterNode> nodes() {
        return new ArrayList<>(nodes.values());
    }

    ClusterNode of(GroupMember m) {
        return nodes.get(m);
    }

    List<GroupMember> masters() {
        return nodes.values().stream().filter(ClusterNode::master).map(ClusterNode::member).toList();
    }

    List<GroupMember> replicas() {
        return nodes.values().stream().filter(n -> !n.master()).map(ClusterNode::member).toList();
    }

    Optional<ClusterNode> byId(String id) {
        return nodes.values().stream().filter(n -> n.id().equals(id)).findFirst();
    }

    /** Whether any node runs Redis before 7.2 (one announced client port; see {@link ClusterNode#before72()}). */
    boolean anyBefore72() {
        return nodes.values().stream().anyMatch(ClusterNode::before72);
    }

    static boolean before72(String version) {
        try {
            String[] v = version.split("\\.");
            int major = Integer.parseInt(v[0]);
            int minor = v.length > 1 ? Integer.parseInt(v[1]) : 0;
            return major < 7 || (major == 7 && minor < 2);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Refuses a cluster the rollout cannot move as a whole: a node the cluster knows that is not in the inventory, a
     * node flagged failing, a cluster not in state ok, nodes that disagree on the cluster's members.
     */
    void requireWhole(String inventory) {
        Set<String> ours = nodes.values().stream().map(ClusterNode::id).collect(Collectors.toSet());
        for (ClusterNode n : nodes.values()) {
            Set<String> missing = new LinkedHashSet<>(n.knownIds());
            missing.removeAll(ours);
            if (!missing.isEmpty()) {
                throw RedisTlsException.badInput("the cluster has node(s) " + missing + " (known to " + n.member().label()
                        + ") that are not in " + inventory + ": add every node of the cluster to 'nodes' (each would"
                        + " otherwise be left on a bus the others move off)");
            }
            if (!n.flagged().isEmpty()) {
                throw RedisTlsException.failed(n.member().label() + " sees node(s) failing: " + String.join(", ", n.flagged())
                        + "; the switch starts only on a healthy cluster (let it recover, then run the same command again)");
            }
            if (!"ok".equals(n.state())) {
                throw RedisTlsException.failed(n.member().label() + " reports cluster_state:" + n.state()
                        + "; the switch starts only on a healthy cluster (let it recover, then run the same command again)");
            }
        }
        if (ours.size() != nodes.size()) {
            throw RedisTlsException.badInput("two inventory entries are the same cluster node: give each node one entry");
        }
    }

    /** One line of CLUSTER NODES. */
    record NodeLine(String id, String address, int port, int busPort, String flags, String masterField, String linkState) {
        static List<NodeLine> parseAll(String text) {
            List<NodeLine> out = new ArrayList<>();
            for (String line : text.split("\r?\n")) {
                if (!line.isBlank()) {
                    out.add(parse(line));
                }
            }
            return out;
        }

        /** {@code <id> <ip:port@cport[,hostname]> <flags> <master> ...}. */
        static NodeLine parse(String line) {
            String[] w = line.trim().split(" ");
            String addr = w[1];
            int comma = addr.indexOf(',');
            String hostPart = comma >= 0 ? addr.substring(0, comma) : addr;
            int at = hostPart.indexOf('@');
            String ipPort = at >= 0 ? hostPart.substring(0, at) : hostPart;
            int colon = ipPort.lastIndexOf(':');
            int port = Integer.parseInt(ipPort.substring(colon + 1));
            int bus = at >= 0 ? Integer.parseInt(hostPart.substring(at + 1)) : port + 10000;
            return new NodeLine(w[0], ipPort, port, bus, w[2], w[3], w.length > 7 ? w[7] : "");
        }

        boolean myself() {
            return Set.of(flags.split(",")).contains("myself");
        }

        boolean master() {
            return Set.of(flags.split(",")).contains("master");
        }

        /** The master's id for a replica; null for a master ("-"). */
        String masterId() {
            return "-".equals(masterField) ? null : masterField;
        }

        /** Flagged failing ({@code fail}) or possibly failing ({@code fail?}) by the node that printed the line. */
        boolean failing() {
            Set<String> f = Set.of(flags.split(","));
            return f.contains("fail") || f.contains("fail?");
        }
    }
}
