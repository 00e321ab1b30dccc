package dev.redistls.group;

import dev.redistls.RedisTlsException;
import dev.redistls.conf.ModeChange;
import dev.redistls.files.FileOwner;
import dev.redistls.group.ClusterTopology.ClusterNode;
import dev.redistls.group.ClusterTopology.NodeLine;
import dev.redistls.group.GroupHosts.GroupMember;
import dev.redistls.install.Installer;
import dev.redistls.install.NodeHook;
import dev.redistls.install.Report;
import dev.redistls.node.LiveNode;
import dev.redistls.node.Node;
import dev.redistls.node.Verification;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * {@code group add-node} for a Redis Cluster whose bus runs TLS: the new node (an empty cluster-enabled Redis) gets
 * its certificate from the group's root, its TLS port, and tls-cluster yes with its bus port pinned, all before it
 * knows any peer; then it MEETs the cluster over TLS (so every link it ever has is encrypted), optionally becomes a
 * replica of a master (replicating over TLS). The command appends it to the inventory once it has joined.
 */
public final class ClusterJoin {
    /** The node to add, as an inventory entry would give it, and which master it replicates (null: an empty master). */
    public record Request(Inventory.Member node, String replicaOf, Path sshConfig, boolean waitForLock, Consumer<String> waiting,
                          Function<String, String> env) {
    }

    private ClusterJoin() {
    }

    /** Whether the group's data nodes form a Redis Cluster (add-node then joins the new node to it). */
    public static boolean isCluster(GroupHosts hosts) {
        return !hosts.dataNodes().isEmpty() && ClusterTopology.isCluster(hosts.dataNodes());
    }

    public static GroupReport addNode(Inventory inventory, GroupHosts hosts, GroupRollout.Settings settings, Request r) {
        GroupReport report = new GroupReport();
        if (hosts.dataNodes().isEmpty() || !ClusterTopology.isCluster(hosts.dataNodes())) {
            throw RedisTlsException.badInput(inventory.file() + " is no Redis Cluster: group add-node here adds cluster nodes");
        }
        ClusterTopology t = ClusterTopology.read(hosts.dataNodes());
        t.requireWhole(inventory.file().toString());
        List<String> plainBus = t.nodes().stream().filter(n -> !n.tlsCluster()).map(n -> n.member().label()).toList();
        if (!plainBus.isEmpty()) {
            throw RedisTlsException.badInput("the cluster bus is not on TLS on " + String.join(", ", plainBus)
                    + ": run 'redis-tls group install --cluster --inventory " + inventory.file() + "' first");
        }
        ClusterNode master = r.replicaOf() == null ? null : master(t, r.replicaOf());
        GroupMember m = hosts.add(r.node(), r.sshConfig(), r.waitForLock(), r.waiting(), r.env());
        requireEmpty(m);

        // 1. Certificate and TLS port, bus still as it is (it has no peers: nothing to cut).
        Inventory.Mode mode = settings.mode();
        Node n = m.node();
        FileOwner owner = FileOwner.choose(n.host(), null, n.confPath(), n.processOwner());
        String hostname = m.spec().hostname() != null ? m.spec().hostname() : n.host().facts().hostName();
        List<String> sans = new ArrayList<>(m.spec().sans());
        for (String d : List.of("cluster-announce-ip", "cluster-announce-hostname")) {
            n.effective().value(d).filter(v -> !v.isBlank()).ifPresent(sans::add);
        }
        report.member(m.label(), Installer.install(new Installer.Request(n, settings.caHome(), hostname, sans,
                settings.keyType(), settings.days(), owner, new ModeChange(null, m.tlsPort(), false, mode.authClients(),
                false, false, mode.profile()), settings.firewall(), false, false)));
        report.line("Using the root CA in " + settings.caHome().dir());
        // 2. TLS bus and replication, the bus port pinned where it listens, before any peer is known.
        GroupMember fresh = m.reread();
        ClusterNode self = ClusterTopology.read(List.of(fresh)).of(fresh);
        ClusterBus.set(fresh, ClusterBus.pin(self));
        long[] switched = new long[1];
        Map<String, String> original = ClusterRollout.originalSettings(self);
        Report tls = Installer.configure(fresh.node(), new ModeChange(null, fresh.tlsPort(), false, mode.authClients(), true,
                true, mode.profile()), settings.firewall(), false, new NodeHook(conf -> ClusterRollout.pinInFile(conf, self,
                fresh.tlsPort()), live -> switched[0] = ClusterBus.setRederiving(live, ClusterBus.unmasked(self, original, fresh.tlsPort()),
                        fresh.tlsPort())));
        report.member(m.label() + ": bus and replication over TLS, bus port pinned", tls);

        // 3. MEET over TLS, from the new node to a master as the cluster knows it.
        ClusterNode seed = t.nodes().stream().filter(ClusterNode::master).findFirst().orElseThrow();
        NodeLine seen = myself(seed.member());
        Duration timeout = Duration.ofMillis(t.nodes().stream().mapToLong(ClusterNode::nodeTimeoutMs).max().orElse(15000))
                .plus(Duration.ofSeconds(20));
        String id;
        try (LiveNode live = fresh.node().connect()) {
            id = (String) live.cluster("MYID");
            live.cluster("MEET", seen.address().substring(0, seen.address().lastIndexOf(':')), String.valueOf(seen.port()),
                    String.valueOf(seen.busPort()));
        }
        List<GroupMember> all = new ArrayList<>(t.nodes().stream().map(ClusterNode::member).toList());
        all.add(fresh);
        awaitKnown(all, id, timeout);
        Report join = new Report();
        join.done("Met the cluster over TLS from " + m.label() + " (CLUSTER MEET " + seen.address() + "@" + seen.busPort()
                + "); every node knows it, connected");
        Verification v = new Verification();
        if (master != null) {
            try (LiveNode live = fresh.node().connect()) {
                live.cluster("REPLICATE", master.id());
            }
            int port = ClusterRedirectCheck.tlsPort(master);
            awaitReplica(fresh, port, timeout);
            join.done(m.label() + " replicates from " + master.member().label() + " on its TLS port " + port);
            v.add("replicating over TLS from " + master.member().label(), true, "master_link_status up, port " + port);
        }
        ClusterBus.Links links = ClusterBus.awaitLinksSince(List.of(fresh), all.size(), Map.of(fresh, switched[0]), timeout);
        v.add("every link of the new node made over TLS (it had tls-cluster yes before it knew any peer)", true,
                links.links() + " links (CLUSTER LINKS)");
        join.verification(v);
        report.member("cluster join", join);
        // 4. In a TLS-only cluster, the new node's plain port closes as the others' did.
        if (t.nodes().stream().allMatch(x -> x.port() == 0)) {
            GroupMember joined = fresh.reread();
            report.member(m.label() + ": plain port closed, as every node's in the cluster (tls-only)",
                    ClusterRollout.closePlainPort(joined, ClusterTopology.read(List.of(joined)).of(joined), settings));
        }
        return report;
    }

    /** An inventory member of the cluster ({@code nodes[N]}) or a node id, which must be a master. */
    private static ClusterNode master(ClusterTopology t, String ref) {
        Optional<ClusterNode> found = t.nodes().stream().filter(n -> n.id().equals(ref)
                || (n.member().spec().kind().section() + "[" + n.member().spec().index() + "]").equals(ref)).findFirst();
        ClusterNode n = found.orElseThrow(() -> RedisTlsException.badInput("--replica-of " + ref + ": no such node in the"
                + " cluster (give nodes[N] of the inventory or a node id)"));
        if (!n.master()) {
            throw RedisTlsException.badInput("--replica-of " + ref + ": " + n.member().label() + " is a replica, not a master");
        }
        return n;
    }

    /** A node that joins must be empty: cluster-enabled, knowing no peer, serving no slot, holding no key. */
    private static void requireEmpty(GroupMember m) {
        try (LiveNode live = m.node().connect()) {
            Map<String, String> info = ClusterBus.fields((String) live.cluster("INFO"));
            if (!"1".equals(live.info("cluster").get("cluster_enabled"))) {
                throw RedisTlsException.badInput(m.label() + " does not run Redis Cluster (cluster-enabled yes in its config)");
            }
            if (!"1".equals(info.get("cluster_known_nodes")) || !"0".equals(info.get("cluster_slots_assigned"))) {
                throw RedisTlsException.badInput(m.label() + " already knows " + info.get("cluster_known_nodes")
                        + " node(s) and serves " + info.get("cluster_slots_assigned") + " slot(s): a node joins empty");
            }
            if (!live.info("keyspace").isEmpty()) {
                throw RedisTlsException.badInput(m.label() + " holds keys: a node joins empty (FLUSHALL it if they are not needed)");
            }
        } catch (LiveNode.Unreachable e) {
            throw RedisTlsException.failed(m.label() + " is down: " + e.getMessage() + "; start it, then run the same command again");
        }
    }

    private static NodeLine myself(GroupMember m) {
        try (LiveNode live = m.node().connect()) {
            return NodeLine.parseAll((String) live.cluster("NODES")).stream().filter(NodeLine::myself).findFirst().orElseThrow();
        }
    }

    /** Until every node lists {@code id} connected (not in handshake) and it knows them all, cluster_state ok. */
    private static void awaitKnown(List<GroupMember> all, String id, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> missing = new ArrayList<>();
            for (GroupMember g : all) {
                try (LiveNode live = g.node().connect()) {
                    List<NodeLine> view = NodeLine.parseAll((String) live.cluster("NODES"));
                    Map<String, String> info = ClusterBus.fields((String) live.cluster("INFO"));
                    boolean knows = view.stream().anyMatch(l -> l.id().equals(id) && !l.flags().contains("handshake"));
                    boolean complete = String.valueOf(all.size()).equals(info.get("cluster_known_nodes"))
                            && "ok".equals(info.get("cluster_state"))
                            && view.stream().allMatch(l -> l.myself() || "connected".equals(l.linkState()));
                    if (!knows || !complete) {
                        missing.add(g.label());
                    }
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw RedisTlsException.failed("the new node did not join within " + timeout.toSeconds() + " s: not yet seen"
                        + " by (or not yet seeing) " + missing);
            }
            ReplicaLink.sleep(100);
        }
    }

    private static void awaitReplica(GroupMember m, int port, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (LiveNode live = m.node().connect()) {
            while (true) {
                Map<String, String> repl = live.info("replication");
                if (String.valueOf(port).equals(repl.get("master_port")) && "up".equals(repl.get("master_link_status"))
                        && "0".equals(repl.getOrDefault("master_sync_in_progress", "0"))) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw RedisTlsException.failed(m.label() + ": its replication link did not come up on port " + port
                            + " within " + timeout.toSeconds() + " s");
                }
                ReplicaLink.sleep(50);
            }
        }
    }
}
