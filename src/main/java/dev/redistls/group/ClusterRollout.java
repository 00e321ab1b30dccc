package dev.redistls.group;

import dev.redistls.RedisTlsException;
import dev.redistls.conf.ConfEditor;
import dev.redistls.conf.EffectiveConf;
import dev.redistls.conf.ModeChange;
import dev.redistls.conf.RedisConf;
import dev.redistls.files.FileOwner;
import dev.redistls.files.SafeFiles;
import dev.redistls.group.ClusterTopology.ClusterNode;
import dev.redistls.group.GroupHosts.GroupMember;
import dev.redistls.install.Installer;
import dev.redistls.install.NodeHook;
import dev.redistls.install.Report;
import dev.redistls.install.Uninstaller;
import dev.redistls.node.InstallRecord;
import dev.redistls.node.LiveNode;
import dev.redistls.node.Node;
import dev.redistls.node.Verification;
import dev.redistls.pki.CaHome;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * {@code group install|configure|uninstall} of a Redis Cluster: every node's own change (certificate, TLS port,
 * config, proof) as for any group member, and with {@code --cluster} the cluster bus and replication moved to TLS
 * live, in the steps {@link ClusterBus} explains, with the cluster watched throughout ({@link ClusterWatch}) and the
 * result proven: every bus link made again since the switch, no node flagged failing, no epoch or role changed,
 * replicas on their masters' TLS ports, and clients of each kind sent to ports of their kind.
 * <ol>
 *   <li>every node (in parallel): certificate, TLS port open, bus and replication as they are;</li>
 *   <li>every node: tls-cluster yes, announcing its plain port as before (live);</li>
 *   <li>replicas, then masters: tls-replication yes, the TLS port announced, {@code cluster-port} pinned in the file;</li>
 *   <li>wait for every link to be made again and every replica to follow its master to its TLS port;</li>
 *   <li>with {@code --tls-only}: every node's plain port closed ({@link #closePlainPort}).</li>
 * </ol>
 * {@code --no-tls-only} opens the plain ports again first. Uninstall does that too, then goes back: replicas then
 * masters to plain replication announcing their plain port, then the plaintext bus on every node (links made again
 * in plain text), then every node's TLS closed and its config restored.
 */
final class ClusterRollout {
    /** Beyond the node timeout, how long links and replicas may take to come back. */
    private static final Duration MARGIN = Duration.ofSeconds(20);

    private final Inventory inventory;
    private final GroupHosts hosts;
    private final GroupRollout.Settings settings;
    private final GroupReport report = new GroupReport();
    private final Set<String> done = ConcurrentHashMap.newKeySet();
    private final Map<String, String> failed = new ConcurrentHashMap<>();

    private ClusterRollout(Inventory inventory, GroupHosts hosts, GroupRollout.Settings settings) {
        this.inventory = inventory;
        this.hosts = hosts;
        this.settings = settings;
    }

    static GroupReport install(Inventory inventory, GroupHosts hosts, GroupRollout.Settings settings, boolean install) {
        return new ClusterRollout(inventory, hosts, settings).runInstall(install);
    }

    static GroupReport uninstall(Inventory inventory, GroupHosts hosts, GroupRollout.Settings settings) {
        return new ClusterRollout(inventory, hosts, settings).runUninstall();
    }

    // ---------------------------------------------------------------- install / configure

    private GroupReport runInstall(boolean install) {
        refuseSentinels();
        Inventory.Mode mode = settings.mode();
        ClusterTopology topology = ClusterTopology.read(hosts.dataNodes());
        topology.requireWhole(inventory.file().toString());
        boolean bus = Boolean.TRUE.equals(mode.cluster());
        boolean anyTlsBus = topology.nodes().stream().anyMatch(ClusterNode::tlsCluster);
        boolean allTlsBus = topology.nodes().stream().allMatch(ClusterNode::tlsCluster);
        // Not given: as installed (a configure of another option keeps the plain ports closed).
        boolean tlsOnly = mode.tlsOnly() != null ? mode.tlsOnly() : !install && hosts.dataNodes().stream()
                .anyMatch(m -> m.node().record().isPresent() && m.node().plainPort() == 0);
        if (tlsOnly && !bus && !allTlsBus) {
            throw RedisTlsException.badInput("--tls-only closes the plain ports, and with them a plaintext cluster bus"
                    + " and replication: add --cluster (the bus and replication move to TLS first)");
        }
        List<String> plainReplication = topology.nodes().stream().filter(n -> !n.before72()
                && !"yes".equals(n.config().get("tls-replication"))).map(n -> n.member().label()).toList();
        if (tlsOnly && !bus && !plainReplication.isEmpty()) {
            // From 7.2 on replication is chosen apart from the bus: a link on a plain port would be cut.
            throw RedisTlsException.badInput("--tls-only closes the plain ports replication still uses on "
                    + String.join(", ", plainReplication) + ": add --cluster --replication");
        }
        // Bus and replication on TLS already: each node's plain port closes in its one change (any order will do,
        // nothing in the cluster uses plain ports any more).
        boolean closeNow = tlsOnly && !install && !bus;
        if (Boolean.FALSE.equals(mode.cluster()) && anyTlsBus) {
            throw RedisTlsException.badInput("--no-cluster on a cluster whose bus runs TLS: run 'redis-tls group uninstall"
                    + " --inventory " + inventory.file() + "' (it moves the bus back to plain text live), then install again");
        }
        boolean old = topology.anyBefore72();
        Boolean replication = mode.replication();
        if (old && Boolean.TRUE.equals(replication) && !bus && !anyTlsBus) {
            throw RedisTlsException.badInput("on Redis " + versions(topology) + " a cluster replica replicates from the one"
                    + " client port its master announces, which is the TLS port only with tls-cluster yes: add --cluster");
        }
        if (bus && old && !Boolean.TRUE.equals(replication)) {
            report.line("Replication over TLS as well: on Redis " + versions(topology) + " a replica in a TLS cluster"
                    + " replicates from its master's TLS port (tls-replication yes)");
        }
        if (!install) {
            for (GroupMember m : hosts.dataNodes()) {
                if (m.node().record().isEmpty()) {
                    throw RedisTlsException.badInput(m.label() + " is not installed: run 'redis-tls group install' first");
                }
            }
        }
        if (install) {
            CaHome.Loaded root = settings.caHome().loadOrCreate(inventory.name(), settings.keyType());
            report.line((root.created() ? "Created the group's root CA in " : "Using the root CA in ") + settings.caHome().dir()
                    + ": " + root.ca().certificate().getSubjectX500Principal().getName());
        }
        try {
            if (Boolean.FALSE.equals(mode.tlsOnly())) {
                topology = reopenPlainPorts(topology);
            }
            ClusterTopology t0 = topology;
            Map<GroupMember, long[]> beforeClosing = closeNow ? counters(t0.masters()) : null;
            // 1. Each node's own change; the bus and replication stay as they run now.
            phase("nodes", hosts.dataNodes(), m -> {
                ClusterNode n = t0.of(m);
                if (closeNow) {
                    return closePlainPort(m, n, settings);
                }
                return change(m, install, nodeMode(m, n.tlsCluster(), "yes".equals(n.config().get("tls-replication"))),
                        NodeHook.NONE);
            });
            if (!bus) {
                if (!anyTlsBus && old) {
                    report.line("warning: the cluster bus stays in plain text (no --cluster); on Redis " + versions(topology)
                            + " nodes send TLS clients that follow MOVED/ASK to plain ports: 'redis-tls group configure"
                            + " --cluster --inventory " + inventory.file() + "' switches the bus live");
                }
            } else {
                // Before 7.2 replication follows the bus (see above); from 7.2 on it is chosen apart, kept as it runs
                // by default (and over TLS when the plain ports close).
                boolean tlsReplication = old || tlsOnly || Boolean.TRUE.equals(replication) || (replication == null
                        && topology.nodes().stream().anyMatch(n -> "yes".equals(n.config().get("tls-replication"))));
                switchOn(ClusterTopology.read(hosts.dataNodes()), tlsReplication);
            }
            if (tlsOnly) {
                ClusterTopology t1 = closeNow ? t0 : ClusterTopology.read(hosts.dataNodes());
                closePlainPorts(t1, closeNow ? beforeClosing : counters(t1.masters()), closeNow);
            }
        } catch (Stop stop) {
            stopped(stop.getMessage());
        }
        return report;
    }

    /** Steps 2-4 of install. {@code replication}: tls-replication wanted. */
    private void switchOn(ClusterTopology t, boolean replication) {
        Map<GroupMember, Map<String, String>> original = new LinkedHashMap<>();
        t.nodes().forEach(n -> original.put(n.member(), originalSettings(n)));
        Map<GroupMember, Long> switched = new ConcurrentHashMap<>();
        Report bus = new Report();
        Verification proof = new Verification();
        long start = System.nanoTime();
        List<ReplicaLink.Resync> resyncs = new ArrayList<>();
        Steps steps = new Steps();
        try (ClusterWatch watch = ClusterWatch.start(hosts.dataNodes())) {
            step("tls-cluster yes, plain ports still announced", hosts.dataNodes(),
                    m -> switched.put(m, ClusterBus.set(m, ClusterBus.masked(t.of(m)))));
            steps.mark("tls-cluster yes everywhere");
            Map<GroupMember, long[]> countersBefore = counters(t.masters());
            Function<GroupMember, Report> unmask = m -> {
                ClusterNode n = t.of(m);
                NodeHook hook = new NodeHook(conf -> pinInFile(conf, n, m.tlsPort()),
                        live -> ClusterBus.set(live, ClusterBus.unmasked(n, original.get(m), m.tlsPort())));
                return Installer.configure(m.node(), nodeMode(m, true, replication), settings.firewall(), false, hook);
            };
            phase("replicas", t.replicas(), unmask);
            steps.mark("replicas announce TLS");
            phase("masters", t.masters(), unmask);
            steps.mark("masters announce TLS");
            Duration timeout = Duration.ofMillis(maxTimeout(t)).plus(MARGIN);
            if (replication) {
                resyncs.addAll(awaitReplicas(t, true, countersBefore, timeout));
                report.resyncs(resyncs);
                steps.mark("replicas on TLS ports");
            }
            ClusterBus.Links links = awaitLinks(switched, timeout);
            steps.mark("every link re-made");
            bus.done("Every node switched its cluster bus to TLS live (tls-cluster yes) in "
                    + seconds(System.nanoTime() - start) + "; bus port pinned where it listens (cluster-port in the file)");
            bus.done(links.links() + " bus links re-made since their nodes switched (CLUSTER LINKS on " + t.nodes().size()
                    + " nodes); steps: " + steps);
            prove(proof, watch, links, t, resyncs, replication, true);
        } catch (RuntimeException e) {
            throw stop("cluster bus", e);
        }
        bus.verification(proof);
        report.member("cluster bus", bus);
    }

    private ModeChange nodeMode(GroupMember m, boolean cluster, boolean replication) {
        Inventory.Mode mode = settings.mode();
        return new ModeChange(null, m.tlsPort(), false, mode.authClients(), replication, cluster, mode.profile());
    }

    private Report change(GroupMember m, boolean install, ModeChange mode, NodeHook hook) {
        Node n = m.node();
        if (!install) {
            return Installer.configure(n, mode, settings.firewall(), false, hook);
        }
        FileOwner owner = FileOwner.choose(n.host(), null, n.confPath(), n.processOwner());
        String hostname = m.spec().hostname() != null ? m.spec().hostname() : n.host().facts().hostName();
        List<String> sans = new ArrayList<>(m.spec().sans());
        // The names peers and clients are told to use: certificates must name them.
        for (String d : List.of("cluster-announce-ip", "cluster-announce-hostname")) {
            n.effective().value(d).filter(v -> !v.isBlank()).ifPresent(sans::add);
        }
        return Installer.install(new Installer.Request(n, settings.caHome(), hostname, sans, settings.keyType(),
                settings.days(), owner, mode, settings.firewall(), false, false), hook);
    }

    /**
     * The file's side of the pin: {@code cluster-port} where the bus listens (a restart with tls-cluster yes would
     * otherwise open it at the TLS port + 10000), and {@code cluster-announce-tls-port} (with
     * {@code cluster-announce-port}) where announce settings are used.
     */
    static List<String> pinInFile(RedisConf conf, ClusterNode n, int tlsPort) {
        Map<String, List<String>> wanted = new LinkedHashMap<>();
        EffectiveConf eff = EffectiveConf.of(conf);
        if (eff.intValue("cluster-port", 0) == 0) {
            wanted.put("cluster-port", List.of(String.valueOf(n.busPort())));
        }
        if (n.announces() && eff.intValue("cluster-announce-tls-port", 0) == 0) {
            wanted.put("cluster-announce-tls-port", List.of(String.valueOf(tlsPort)));
            if (eff.intValue("cluster-announce-port", 0) == 0) {
                // With cluster-announce-tls-port set, 7.0 announces this as the plain port: unset, plain clients
                // would be sent to the TLS port.
                wanted.put("cluster-announce-port", List.of(String.valueOf(n.port())));
            }
        }
        return ConfEditor.apply(conf, wanted, List.of()).stream()
                .map(c -> conf.path() + ": " + c.after() + " (the cluster bus stays on its port)").toList();
    }

    // ---------------------------------------------------------------- tls-only

    /**
     * {@code --tls-only}, once the bus and replication run over TLS: every node's plain port closes live (replicas,
     * then masters; or already in each node's one change of a configure: {@code closedAlready}); where announce
     * settings name ports, the plain one announced becomes none. With tls-cluster yes the cluster already sends TLS
     * clients, replicas and peers to TLS ports only, so nothing that works on TLS notices. Proven after: every node,
     * asked over TLS, names every node at its TLS port.
     */
    private void closePlainPorts(ClusterTopology t, Map<GroupMember, long[]> countersBefore, boolean closedAlready) {
        List<ClusterNode> open = t.nodes().stream().filter(n -> n.port() != 0).toList();
        if (open.isEmpty()) {
            report.line("Every node's plain port is closed already (tls-only)");
            return;
        }
        if (!closedAlready) {
            Function<GroupMember, Report> close = m -> closePlainPort(m, t.of(m), settings);
            phase("replicas: plain port closed", members(t.replicas(), open), close);
            phase("masters: plain port closed", members(t.masters(), open), close);
        }
        hosts.reread();
        Verification proof = new Verification();
        Duration timeout = Duration.ofMillis(maxTimeout(t)).plus(MARGIN);
        ClusterTopology after = ClusterTopology.read(hosts.dataNodes());
        // A master's announced plain port changed (to none): each of its replicas reconnects to it once, when it
        // hears of the change (Redis re-points a replica whenever its master's announced ports change: cluster.c
        // nodeUpdateAddressIfNeeded), by partial resync. Waited for, so that the command ends on a settled cluster.
        if (!after.replicas().isEmpty()) {
            Map<GroupMember, long[]> before = reread(countersBefore, after);
            List<ReplicaLink.Resync> resyncs;
            try {
                awaitReconnects(after, before, ids(open), timeout);
                resyncs = awaitReplicas(after, true, before, timeout);
            } catch (RuntimeException e) {
                throw stop("plain ports", e);
            }
            report.resyncs(resyncs);
            long partial = resyncs.stream().filter(x -> x.kind().equals("partial resync")).count();
            proof.add("replicas linked to their masters' TLS ports", true, resyncs.size() + " replica(s), " + partial
                    + " by partial resync");
        }
        List<String> unnamed = ClusterRedirectCheck.awaitEveryReplicaNamed(hosts.dataNodes(), after, timeout);
        proof.add("every replica named again by every node (CLUSTER SLOTS over TLS)", unnamed.isEmpty(), String.join("; ", unnamed));
        List<String> notOk = ClusterTopology.read(hosts.dataNodes()).nodes().stream().filter(a -> !"ok".equals(a.state()))
                .map(a -> a.member().label() + ": cluster_state:" + a.state()).toList();
        proof.add("cluster_state ok on every node with the plain ports closed", notOk.isEmpty(), String.join("; ", notOk));
        List<String> misdirected = ClusterRedirectCheck.awaitRight(hosts.dataNodes(), after, true, timeout);
        proof.add("TLS clients sent to TLS ports (CLUSTER SLOTS over TLS on every node)", misdirected.isEmpty(),
                String.join("; ", misdirected));
        Report r = new Report();
        r.done("Every node's plain port closed live (tls-only): " + open.size() + " node(s)");
        r.verification(proof);
        report.member("plain ports", r);
    }

    private static Set<String> ids(List<ClusterNode> nodes) {
        return nodes.stream().map(ClusterNode::id).collect(java.util.stream.Collectors.toSet());
    }

    /** Counters read from members before they were read again ({@link GroupHosts#reread}), keyed by the new ones. */
    private static Map<GroupMember, long[]> reread(Map<GroupMember, long[]> counters, ClusterTopology now) {
        Map<GroupMember, long[]> out = new LinkedHashMap<>();
        counters.forEach((m, c) -> out.put(now.nodes().stream().map(ClusterNode::member)
                .filter(x -> x.label().equals(m.label())).findFirst().orElse(m), c));
        return out;
    }

    /**
     * Until each master whose ports changed counts one more resync (partial or full) per replica it has than
     * {@code before}: every replica has reconnected since.
     */
    private static void awaitReconnects(ClusterTopology t, Map<GroupMember, long[]> before, Set<String> changed, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (ClusterNode master : t.nodes()) {
            long replicas = t.nodes().stream().filter(n -> !n.master() && master.id().equals(n.masterId())).count();
            long[] b = before.get(master.member());
            if (!master.master() || replicas == 0 || !changed.contains(master.id()) || b == null) {
                continue;
            }
            try (LiveNode live = master.member().node().connect()) {
                while (true) {
                    long[] a = ReplicaLink.counters(live);
                    if ((a[0] - b[0]) + (a[1] - b[1]) >= replicas) {
                        break;
                    }
                    if (System.nanoTime() > deadline) {
                        throw RedisTlsException.failed(master.member().label() + ": its " + replicas + " replica(s) did not"
                                + " reconnect within " + timeout.toSeconds() + " s after its plain port closed");
                    }
                    ReplicaLink.sleep(50);
                }
            }
        }
    }

    /** One node's plain port closed live (tls-only), its announced plain port none where one is announced. */
    static Report closePlainPort(GroupMember m, ClusterNode n, GroupRollout.Settings settings) {
        Map<String, String> announce = n.intValue("cluster-announce-port") != 0 ? Map.of("cluster-announce-port", "0") : Map.of();
        NodeHook hook = new NodeHook(conf -> ConfEditor.apply(conf, listed(announce), List.of()).stream()
                .map(c -> conf.path() + ": " + c.after() + " (no plain port to announce)").toList(),
                live -> ClusterBus.set(live, announce));
        return Installer.configure(m.node(), new ModeChange(null, m.tlsPort(), true, settings.mode().authClients(),
                true, true, settings.mode().profile()), settings.firewall(), false, hook);
    }

    /**
     * {@code --no-tls-only} and the first step of uninstall: every node's plain port as it was before install opens
     * again, live; its own announced plain port is derived again (Redis 7.0 does so only when an announce setting
     * changes), and where announce settings are used the plain port is announced again. Returns the cluster as
     * read after ({@code t} itself when no port was closed).
     */
    private ClusterTopology reopenPlainPorts(ClusterTopology t) {
        List<ClusterNode> closed = t.nodes().stream().filter(n -> n.port() == 0 && n.member().node().record().isPresent()).toList();
        if (closed.isEmpty()) {
            return t;
        }
        Function<GroupMember, Report> reopen = m -> {
            ClusterNode n = t.of(m);
            int plain = GroupRollout.originalPlainPort(m);
            // Where the TLS port is announced explicitly, 7.0 announces cluster-announce-port as the plain one.
            int announced = Integer.parseInt(originalSettings(n).getOrDefault("cluster-announce-port", "0"));
            Map<String, String> announce = n.tlsCluster() && n.intValue("cluster-announce-tls-port") != 0
                    ? Map.of("cluster-announce-port", String.valueOf(announced != 0 ? announced : plain)) : Map.of();
            NodeHook hook = new NodeHook(conf -> ConfEditor.apply(conf, listed(announce), List.of()).stream()
                    .map(c -> conf.path() + ": " + c.after() + " (the plain port announced again)").toList(),
                    live -> ClusterBus.setRederiving(live, announce, m.tlsPort()));
            return Installer.configure(m.node(), new ModeChange(plain, m.tlsPort(), false, null, null, null, null),
                    settings.firewall(), false, hook);
        };
        Map<GroupMember, long[]> countersBefore = counters(t.masters());
        phase("masters: plain port reopened", members(t.masters(), closed), reopen);
        phase("replicas: plain port reopened", members(t.replicas(), closed), reopen);
        hosts.reread();
        // Peers learn a reopened plain port from the node's next PING: until then they send plain clients elsewhere;
        // and each replica of a master whose port reopened reconnects once when it hears (as when it closed).
        Duration timeout = Duration.ofMillis(maxTimeout(t)).plus(MARGIN);
        ClusterTopology after = ClusterTopology.read(hosts.dataNodes());
        List<String> misdirected;
        try {
            awaitReconnects(after, reread(countersBefore, after), ids(closed), timeout);
            misdirected = ClusterRedirectCheck.awaitRight(hosts.dataNodes(), after,
                    after.nodes().stream().anyMatch(ClusterNode::tlsCluster), timeout);
        } catch (RuntimeException e) {
            throw stop("plain ports", e);
        }
        Verification proof = new Verification();
        proof.add("clients sent to ports they speak (CLUSTER SLOTS on every node, over plain text and TLS)",
                misdirected.isEmpty(), String.join("; ", misdirected));
        Report r = new Report();
        r.done("Every node's plain port open again live: " + closed.size() + " node(s)");
        r.verification(proof);
        report.member("plain ports", r);
        return after;
    }

    private static List<GroupMember> members(List<GroupMember> of, List<ClusterNode> in) {
        Set<GroupMember> wanted = new java.util.HashSet<>(in.stream().map(ClusterNode::member).toList());
        return of.stream().filter(wanted::contains).toList();
    }

    private static Map<String, List<String>> listed(Map<String, String> values) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, List.of(v)));
        return out;
    }

    // ---------------------------------------------------------------- uninstall

    private GroupReport runUninstall() {
        refuseSentinels();
        ClusterTopology t = ClusterTopology.read(hosts.dataNodes());
        t.requireWhole(inventory.file().toString());
        try {
            t = reopenPlainPorts(t);
            if (t.nodes().stream().anyMatch(ClusterNode::tlsCluster)) {
                switchOff(t);
            }
            phase("nodes", hosts.dataNodes(), m -> Uninstaller.uninstall(m.node(), settings.keepCerts(), settings.firewall()));
        } catch (Stop stop) {
            stopped(stop.getMessage());
        }
        return report;
    }

    private void switchOff(ClusterTopology t) {
        Map<GroupMember, Map<String, String>> original = new LinkedHashMap<>();
        t.nodes().forEach(n -> original.put(n.member(), originalSettings(n)));
        Map<GroupMember, Long> switched = new ConcurrentHashMap<>();
        Report bus = new Report();
        Verification proof = new Verification();
        long start = System.nanoTime();
        List<ReplicaLink.Resync> resyncs = new ArrayList<>();
        Steps steps = new Steps();
        try (ClusterWatch watch = ClusterWatch.start(hosts.dataNodes())) {
            Map<GroupMember, long[]> countersBefore = counters(t.masters());
            step("replicas: plain replication, plain port announced", t.replicas(),
                    m -> ClusterBus.set(m, ClusterBus.remasked(t.of(m), original.get(m))));
            step("masters: plain replication, plain port announced", t.masters(),
                    m -> ClusterBus.set(m, ClusterBus.remasked(t.of(m), original.get(m))));
            steps.mark("plain ports announced");
            Duration timeout = Duration.ofMillis(maxTimeout(t)).plus(MARGIN);
            resyncs.addAll(awaitReplicas(t, false, countersBefore, timeout));
            report.resyncs(resyncs);
            steps.mark("replicas on plain ports");
            // A node with tls-cluster no answers plain clients with the one port it knows for each peer: every node
            // must have heard every other announce its plain port before any turns it off.
            List<String> stale = ClusterRedirectCheck.awaitPlainAnnounced(hosts.dataNodes(), t, timeout);
            if (!stale.isEmpty()) {
                throw new Stop("cluster bus: nodes still name TLS ports after " + timeout.toSeconds() + " s: " + stale);
            }
            steps.mark("every node names plain ports");
            step("tls-cluster no", hosts.dataNodes(), m -> switched.put(m, ClusterBus.set(m, ClusterBus.plain(original.get(m)))));
            ClusterBus.Links links = awaitLinks(switched, timeout);
            steps.mark("every link re-made");
            bus.done("Every node switched its cluster bus back to plain text live (tls-cluster no) in "
                    + seconds(System.nanoTime() - start));
            bus.done(links.links() + " bus links re-made since their nodes switched (CLUSTER LINKS on " + t.nodes().size()
                    + " nodes); steps: " + steps);
            prove(proof, watch, links, t, resyncs, true, false);
        } catch (RuntimeException e) {
            throw stop("cluster bus", e);
        }
        bus.verification(proof);
        report.member("cluster bus", bus);
    }

    // ---------------------------------------------------------------- proof

    private void prove(Verification v, ClusterWatch watch, ClusterBus.Links links, ClusterTopology t,
                       List<ReplicaLink.Resync> resyncs, boolean replication, boolean tls) {
        ClusterWatch.Seen seen;
        ClusterTopology after = ClusterTopology.read(hosts.dataNodes());
        watch.close();
        seen = watch.seen();
        int n = t.nodes().size();
        v.add("every cluster-bus link made again since its node switched" + (tls ? " (so over TLS)" : " (plain text)"), true,
                links.links() + " links on " + n + " nodes (CLUSTER LINKS), within " + seconds(links.took().toNanos()));
        v.add("no node flagged failing (fail? or fail) by any node", seen.failing().isEmpty(),
                seen.failing().isEmpty() ? seen.rounds() + " reads of every node's CLUSTER NODES" : String.join("; ", seen.failing()));
        List<String> epochs = new ArrayList<>(seen.epochChanges());
        for (ClusterNode a : after.nodes()) {
            long before = t.of(a.member()).currentEpoch();
            if (a.currentEpoch() != before) {
                epochs.add(a.member().label() + ": " + before + " -> " + a.currentEpoch());
            }
        }
        v.add("cluster_current_epoch unchanged on every node", epochs.isEmpty(), epochs.isEmpty()
                ? after.nodes().stream().map(ClusterNode::currentEpoch).distinct().map(String::valueOf)
                .reduce((a, b) -> a + ", " + b).orElse("") : String.join("; ", epochs));
        List<String> roles = new ArrayList<>(seen.roleChanges());
        for (ClusterNode a : after.nodes()) {
            if (a.master() != t.of(a.member()).master()) {
                roles.add(a.member().label() + " is now a " + (a.master() ? "master" : "replica"));
            }
        }
        v.add("no failover (every role as before)", roles.isEmpty(), roles.isEmpty()
                ? t.masters().size() + " masters, " + t.replicas().size() + " replicas" : String.join("; ", roles));
        List<String> notOk = new ArrayList<>(seen.notOk());
        after.nodes().stream().filter(a -> !"ok".equals(a.state()))
                .forEach(a -> notOk.add(a.member().label() + ": cluster_state:" + a.state()));
        v.add("cluster_state ok on every node throughout", notOk.isEmpty(), String.join("; ", notOk));
        if (replication && !t.replicas().isEmpty()) {
            long partial = resyncs.stream().filter(r -> r.kind().equals("partial resync")).count();
            v.add("replicas linked to their masters' " + (tls ? "TLS" : "plain") + " ports", true, resyncs.size() + " replica(s), "
                    + partial + " by partial resync");
        }
        List<String> misdirected = ClusterRedirectCheck.awaitRight(hosts.dataNodes(), after, tls,
                Duration.ofMillis(maxTimeout(t)).plus(MARGIN));
        v.add("clients sent to ports they speak (CLUSTER SLOTS on every node, over plain text"
                + (tls ? " and TLS)" : ")"), misdirected.isEmpty(), String.join("; ", misdirected));
    }

    /** Waits until every replica is linked to its master's TLS (or plain) port; the master's resync counters say how. */
    private static List<ReplicaLink.Resync> awaitReplicas(ClusterTopology t, boolean tls, Map<GroupMember, long[]> before,
                                                          Duration timeout) {
        List<ReplicaLink.Resync> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (GroupMember r : t.replicas()) {
            ClusterNode master = t.byId(t.of(r).masterId()).orElseThrow(() -> RedisTlsException.failed(r.label()
                    + " replicates from a node that is not in the inventory"));
            int port = tls ? master.member().tlsPort() : master.announcedPlainPort();
            try (LiveNode live = r.node().connect()) {
                while (true) {
                    Map<String, String> repl = live.info("replication");
                    if (String.valueOf(port).equals(repl.get("master_port")) && "up".equals(repl.get("master_link_status"))
                            && "0".equals(repl.getOrDefault("master_sync_in_progress", "0"))) {
                        break;
                    }
                    if (System.nanoTime() > deadline) {
                        throw RedisTlsException.failed(r.label() + ": its replication link did not come up on "
                                + master.member().label() + " port " + port + " within " + timeout.toSeconds() + " s (master_port "
                                + repl.get("master_port") + ", link " + repl.get("master_link_status") + ")");
                    }
                    ReplicaLink.sleep(50);
                }
            }
            long[] b = before.get(master.member());
            long[] a;
            try (LiveNode m = master.member().node().connect()) {
                a = ReplicaLink.counters(m);
            }
            out.add(new ReplicaLink.Resync(List.of(r.label()), master.member().label(), port, tls, b[0], a[0], b[1], a[1]));
        }
        return out;
    }

    private ClusterBus.Links awaitLinks(Map<GroupMember, Long> switched, Duration timeout) {
        return ClusterBus.awaitLinksSince(hosts.dataNodes(), switched, timeout);
    }

    private static Map<GroupMember, long[]> counters(List<GroupMember> masters) {
        return Parallel.map(masters, m -> {
            try (LiveNode live = m.node().connect()) {
                return ReplicaLink.counters(live);
            }
        });
    }

    private static long maxTimeout(ClusterTopology t) {
        return t.nodes().stream().mapToLong(ClusterNode::nodeTimeoutMs).max().orElse(15000);
    }

    /** The node's announce settings before install: its original config's (Redis's defaults where absent). */
    static Map<String, String> originalSettings(ClusterNode n) {
        Node node = n.member().node();
        Map<String, String> out = new LinkedHashMap<>();
        EffectiveConf eff = node.record().map(InstallRecord::originalConf)
                .map(b -> EffectiveConf.of(RedisConf.parse(node.confPath(),
                        new String(Base64.getDecoder().decode(b), StandardCharsets.ISO_8859_1), new SafeFiles(node.host()))))
                .orElse(node.effective());
        for (String k : List.of("cluster-announce-port", "cluster-announce-tls-port", "cluster-announce-bus-port")) {
            out.put(k, String.valueOf(eff.intValue(k, 0)));
        }
        return out;
    }

    private static String versions(ClusterTopology t) {
        return String.join(", ", t.nodes().stream().map(ClusterNode::version).distinct().toList());
    }

    /** When each step of a switch ended, for the report: where the time goes. */
    private static final class Steps {
        private final long start = System.nanoTime();
        private final List<String> marks = new ArrayList<>();

        void mark(String what) {
            marks.add(what + " +" + seconds(System.nanoTime() - start));
        }

        @Override
        public String toString() {
            return String.join(", ", marks);
        }
    }

    private static String seconds(long nanos) {
        return String.format("%.1f s", nanos / 1e9);
    }

    private void refuseSentinels() {
        if (!hosts.sentinels().isEmpty()) {
            throw RedisTlsException.badInput(inventory.file() + ": a Redis Cluster fails over by itself and has no"
                    + " sentinels: remove 'sentinels' from the inventory");
        }
    }

    // ---------------------------------------------------------------- phases

    /** A live step on every member at once (no files): a failure stops the rollout. */
    private void step(String name, List<GroupMember> members, java.util.function.Consumer<GroupMember> action) {
        try {
            Parallel.map(members, m -> {
                action.accept(m);
                return Boolean.TRUE;
            });
        } catch (RuntimeException e) {
            throw new Stop(name + ": " + e.getMessage());
        }
    }

    /** Each member's change: hosts in parallel, members of one SSH host one after the other (as a group rollout). */
    private void phase(String name, List<GroupMember> members, Function<GroupMember, Report> change) {
        Parallel.perHost(members, m -> {
            report.member(m.label(), change.apply(m));
            done.add(m.label());
        }).forEach((m, e) -> failed.put(m.label(), e.getMessage()));
        if (!failed.isEmpty()) {
            Map.Entry<String, String> first = failed.entrySet().iterator().next();
            throw new Stop(name + ": " + first.getKey() + ": " + first.getValue());
        }
    }

    private void stopped(String why) {
        for (GroupMember m : hosts.members()) {
            String state = failed.containsKey(m.label()) ? "old (this member's change failed and was undone: "
                    + failed.get(m.label()) + ")" : done.contains(m.label()) ? "changed by this run" : "not changed by this run";
            report.state(m.label(), state);
        }
        report.failed("the rollout stopped: " + why + "; fix the cause and run the same command again to finish");
    }

    /** A failure in {@code step} as the stop of the rollout (one line; the members' states are reported). */
    private static Stop stop(String step, RuntimeException e) {
        return e instanceof Stop s ? s : new Stop(step + ": " + e.getMessage());
    }

    private static final class Stop extends RuntimeException {
        Stop(String message) {
            super(message);
        }
    }
}
