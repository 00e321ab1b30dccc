package dev.redistls.group;

import dev.redistls.RedisTlsException;
import dev.redistls.conf.ModeChange;
import dev.redistls.files.FileOwner;
import dev.redistls.group.GroupHosts.GroupMember;
import dev.redistls.install.FirewallPlan;
import dev.redistls.install.Installer;
import dev.redistls.install.NodeHook;
import dev.redistls.install.Report;
import dev.redistls.install.Uninstaller;
import dev.redistls.node.InstallRecord;
import dev.redistls.node.LiveNode;
import dev.redistls.node.Node;
import dev.redistls.node.TlsProbe;
import dev.redistls.pki.CaHome;
import dev.redistls.pki.CertInfo;
import dev.redistls.pki.KeyType;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code group install}, {@code configure} and {@code uninstall}: the single-node change of every member (certificates,
 * config, live CONFIG SET, proof — {@link Installer} and {@link Uninstaller}), in the order replication and Sentinel
 * need, with the links moved in between.
 * <ol>
 *   <li>masters (in parallel): TLS port open, {@code tls-replication yes}; the plain port stays;</li>
 *   <li>replicas (in parallel across hosts, one link move at a time per master): the same, then re-pointed live at
 *       their master's TLS port (partial resync where Redis allows);</li>
 *   <li>sentinels, one at a time: config edited, restarted, rejoined before the next;</li>
 *   <li>with {@code --tls-only}: plain ports closed, replicas before their masters.</li>
 * </ol>
 * Uninstall goes back in the reverse order. Each member's change is whole or undone, so a stop leaves every member
 * old or new; the roles are read again before each phase (a failover during the rollout stops it cleanly), and the
 * same command run again finishes the job: a member already new is left as it is.
 */
public final class GroupRollout {
    /** What a group command is asked to do beyond the inventory. */
    public record Settings(CaHome caHome, KeyType keyType, int days, Inventory.Mode mode, FirewallPlan firewall,
                           Duration rejoinTimeout, boolean keepCerts) {
    }

    private final Inventory inventory;
    private final GroupHosts hosts;
    private final Settings settings;
    private final GroupReport report = new GroupReport();
    private final Set<GroupMember> done = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Map<GroupMember, String> failed = new java.util.concurrent.ConcurrentHashMap<>();

    private GroupRollout(Inventory inventory, GroupHosts hosts, Settings settings) {
        this.inventory = inventory;
        this.hosts = hosts;
        this.settings = settings;
    }

    // ---------------------------------------------------------------- install / configure

    public static GroupReport install(Inventory inventory, GroupHosts hosts, Settings settings) {
        if (ClusterTopology.isCluster(hosts.dataNodes())) {
            return ClusterRollout.install(inventory, hosts, settings, true);
        }
        return new GroupRollout(inventory, hosts, settings).run(true);
    }

    /** A new mode for an installed group: the same phases, certificates kept. */
    public static GroupReport configure(Inventory inventory, GroupHosts hosts, Settings settings) {
        if (ClusterTopology.isCluster(hosts.dataNodes())) {
            return ClusterRollout.install(inventory, hosts, settings, false);
        }
        return new GroupRollout(inventory, hosts, settings).run(false);
    }

    private GroupReport run(boolean install) {
        boolean replication = Boolean.TRUE.equals(settings.mode().replication());
        boolean tlsOnly = Boolean.TRUE.equals(settings.mode().tlsOnly());
        // Everything is checked before anything is touched.
        Topology topology = Topology.read(hosts.dataNodes());
        topology.requireMastersInGroup();
        if (tlsOnly && !replication && (hosts.dataNodes().size() > 1 || !hosts.sentinels().isEmpty())) {
            throw RedisTlsException.badInput("--tls-only closes the plain ports replicas and sentinels connect to: add"
                    + " --replication (or 'replication: yes' under defaults)");
        }
        if (!install) {
            for (GroupMember m : hosts.members()) {
                if (m.node().record().isEmpty()) {
                    throw RedisTlsException.badInput(m.label() + " is not installed: run 'redis-tls group install' first");
                }
            }
        }
        Map<GroupMember, String> restarts = sentinelRestarts();
        if (install) {
            CaHome.Loaded root = settings.caHome().loadOrCreate(inventory.name(), settings.keyType());
            report.line((root.created() ? "Created the group's root CA in " : "Using the root CA in ") + settings.caHome().dir()
                    + ": " + root.ca().certificate().getSubjectX500Principal().getName());
        }
        try {
            phase("masters", topology.masters(), m -> change(m, install, NodeHook.NONE, dual(m)));
            topology = stillSame(topology);
            List<ReplicaLink.Resync> resyncs = new ArrayList<>();
            Map<GroupMember, Object> masterLocks = new HashMap<>();
            topology.masters().forEach(m -> masterLocks.put(m, new Object()));
            Topology t = topology;
            phase("replicas", topology.replicas(), r -> {
                GroupMember master = t.masterOf(r).orElseThrow();
                NodeHook hook = !replication ? NodeHook.NONE : ReplicaLink.hook(r, master, t.of(master).plainPort(),
                        master.tlsPort(), true, masterLocks.computeIfAbsent(master, k -> new Object()), resyncs);
                return change(r, install, hook, dual(r));
            });
            report.resyncs(resyncs);
            topology = stillSame(topology);
            sentinelPhase(topology, restarts, install, replication, false);
            if (tlsOnly) {
                phase("replicas: plain port closed", topology.replicas(), r -> change(r, false, NodeHook.NONE, closing(r)));
                phase("masters: plain port closed", topology.masters(), m -> change(m, false, NodeHook.NONE, closing(m)));
            }
        } catch (Stop stop) {
            stopped(stop.getMessage());
        }
        return report;
    }

    private Report change(GroupMember m, boolean install, NodeHook hook, ModeChange mode) {
        Node n = m.node();
        if (!install) {
            return Installer.configure(n, mode, settings.firewall(), false, hook);
        }
        FileOwner owner = FileOwner.choose(n.host(), null, n.confPath(), n.processOwner());
        String hostname = m.spec().hostname() != null ? m.spec().hostname() : n.host().facts().hostName();
        return Installer.install(new Installer.Request(n, settings.caHome(), hostname, m.spec().sans(), settings.keyType(),
                settings.days(), owner, mode, settings.firewall(), false, false), hook);
    }

    /** Dual mode on the member's TLS port: the plain port stays while its peers move. */
    private ModeChange dual(GroupMember m) {
        Inventory.Mode mode = settings.mode();
        return new ModeChange(null, m.tlsPort(), false, mode.authClients(), mode.replication(), mode.cluster(), mode.profile());
    }

    /** The last step of tls-only: the plain port closes, TLS stays where replicas and sentinels point. */
    private ModeChange closing(GroupMember m) {
        Inventory.Mode mode = settings.mode();
        return new ModeChange(null, m.tlsPort(), true, mode.authClients(), mode.replication(), mode.cluster(), mode.profile());
    }

    private void sentinelPhase(Topology topology, Map<GroupMember, String> restarts, boolean install, boolean replication,
                               boolean uninstall) {
        List<GroupMember> sentinels = hosts.sentinels();
        if (sentinels.isEmpty()) {
            return;
        }
        Map<String, GroupMember> byRunId = Sentinels.byRunId(hosts.members());
        boolean tls = replication && !uninstall;
        java.util.function.ToIntFunction<GroupMember> target = m -> tls ? m.tlsPort() : plainPortOf(m);
        Set<Integer> masterPorts = topology.masters().stream().map(target::applyAsInt).collect(Collectors.toSet());
        for (GroupMember s : sentinels) {
            String label = s.label();
            GroupMember withRestart = withRestart(s, restarts.get(s));
            if (!uninstall && alreadyNew(withRestart, masterPorts)) {
                report.line(label + ": already on TLS, left as it is");
                done.add(s);
                continue;
            }
            Sentinels.awaitQuietConf(s, Duration.ofMillis(2500), Duration.ofSeconds(20));
            List<Sentinels.Move> moves = Sentinels.moves(sentinels, byRunId, target);
            NodeHook hook = new NodeHook(conf -> Sentinels.edit(conf, moves), live -> { });
            Optional<byte[]> original = uninstall ? originalConf(s) : Optional.empty();
            try {
                Report r = uninstall
                        ? Uninstaller.uninstall(withRestart.node(), settings.keepCerts(), settings.firewall(), hook)
                        : change(withRestart, install, hook, sentinelMode(s));
                original.ifPresent(o -> sentinelRewrites(withRestart, o).ifPresent(r::note));
                report.member(label, r);
                report.line(label + ": " + Sentinels.awaitRejoin(withRestart, topology.replicas().size(),
                        sentinels.size() - 1, masterPorts, settings.rejoinTimeout()));
                done.add(s);
            } catch (RuntimeException e) {
                failed.put(s, e.getMessage());
                throw new Stop(label + ": " + e.getMessage());
            }
        }
        Sentinels.awaitMesh(sentinels.stream().map(s -> withRestart(s, restarts.get(s))).toList(), settings.rejoinTimeout());
        report.line("Every sentinel reaches the others" + (tls ? " over TLS" : ""));
    }

    private ModeChange sentinelMode(GroupMember s) {
        Inventory.Mode mode = settings.mode();
        return new ModeChange(null, s.tlsPort(), Boolean.TRUE.equals(mode.tlsOnly()), mode.authClients(),
                mode.replication(), false, mode.profile());
    }

    /** Installed, serving the file's certificate on its TLS port, and monitoring the masters at their TLS ports. */
    private static boolean alreadyNew(GroupMember s, Set<Integer> masterPorts) {
        Node node = s.node().reread();
        if (node.record().isEmpty() || node.tlsPort() == 0 || !node.keys().isComplete()) {
            return false;
        }
        Optional<LiveNode> live = node.connectIfRunning();
        if (live.isEmpty()) {
            return false;
        }
        try (LiveNode l = live.get()) {
            TlsProbe.Handshake hs = TlsProbe.handshake(node.host(), l.endpoint().withPort(node.tlsPort()), node.keys().clientContext());
            if (!hs.ok() || !CertInfo.sha256(hs.served()).equals(CertInfo.sha256(node.keys().certificate(node.keys().serverCert())))) {
                return false;
            }
            return Sentinels.maps(l.sentinel("masters")).stream()
                    .allMatch(m -> masterPorts.contains(Integer.parseInt(m.get("port"))));
        } catch (RedisTlsException e) {
            return false;
        }
    }

    private Map<GroupMember, String> sentinelRestarts() {
        Map<GroupMember, String> out = new LinkedHashMap<>();
        for (GroupMember s : hosts.sentinels()) {
            Optional<LiveNode> live = s.node().connectIfRunning();
            if (live.isEmpty()) {
                throw RedisTlsException.failed(s.label() + " is down: a group change needs every sentinel running (start it,"
                        + " then run the same command again)");
            }
            try (LiveNode l = live.get()) {
                if (!l.isSentinel()) {
                    throw RedisTlsException.badInput(s.label() + " is listed under 'sentinels' but " + l.endpoint()
                            + " is not a Sentinel");
                }
                out.put(s, Sentinels.restartCommand(s, l));
            }
        }
        return out;
    }

    private static GroupMember withRestart(GroupMember s, String command) {
        Node n = s.node();
        Node again = Node.resolve(s.host(), n.confPath(), n.keys().dir(), s.spec().endpoint() != null ? s.spec().endpoint()
                : s.plainEndpoint().toString(), command, System::getenv);
        return new GroupMember(s.spec(), s.host(), again);
    }

    // ---------------------------------------------------------------- reissue / renew

    /**
     * New leaves from the group's root for every member ({@code withinDays} non-null: only those expiring within it):
     * data nodes reload live in parallel; sentinels restart one at a time, each rejoining before the next.
     */
    public static GroupReport reissue(Inventory inventory, GroupHosts hosts, Settings settings, Integer withinDays) {
        GroupRollout g = new GroupRollout(inventory, hosts, settings);
        Topology topology = Topology.read(hosts.dataNodes());
        Map<GroupMember, String> restarts = g.sentinelRestarts();
        Function<GroupMember, Report> reissue = m -> {
            Node n = m.node();
            FileOwner owner = FileOwner.choose(n.host(), null, n.confPath(), n.processOwner());
            return withinDays != null
                    ? dev.redistls.install.Reissuer.renew(n, settings.caHome(), withinDays, settings.days(), owner)
                    : dev.redistls.install.Reissuer.reissue(new dev.redistls.install.Reissuer.Request(n, settings.caHome(),
                    true, true, null, settings.days(), List.of(), owner));
        };
        try {
            g.phase("nodes", hosts.dataNodes(), reissue);
            Set<Integer> masterPorts = topology.masters().stream()
                    .map(m -> m.node().tlsPort() != 0 && m.node().configuredSettings().replication() ? m.node().tlsPort() : m.node().plainPort())
                    .collect(Collectors.toSet());
            for (GroupMember s : hosts.sentinels()) {
                GroupMember r = withRestart(s, restarts.get(s));
                g.phase("sentinels", List.of(r), reissue);
                g.report.line(s.label() + ": " + Sentinels.awaitRejoin(r, topology.replicas().size(),
                        hosts.sentinels().size() - 1, masterPorts, settings.rejoinTimeout()));
            }
        } catch (Stop stop) {
            g.stopped(stop.getMessage());
        }
        return g.report;
    }

    // ---------------------------------------------------------------- uninstall

    /** Replication and Sentinel back to plain text in the reverse order, then every member's TLS closed. */
    public static GroupReport uninstall(Inventory inventory, GroupHosts hosts, Settings settings) {
        if (ClusterTopology.isCluster(hosts.dataNodes())) {
            return ClusterRollout.uninstall(inventory, hosts, settings);
        }
        return new GroupRollout(inventory, hosts, settings).runUninstall();
    }

    private GroupReport runUninstall() {
        Topology topology = Topology.read(hosts.dataNodes());
        topology.requireMastersInGroup();
        for (GroupMember m : hosts.members()) {
            if (m.node().record().map(r -> "tls-only".equals(r.mode())).orElse(false)) {
                throw RedisTlsException.badInput(m.label() + " serves TLS only: run 'redis-tls group configure --inventory "
                        + inventory.file() + " --no-tls-only' first, so that replicas and sentinels have a plain port to go back to");
            }
        }
        Map<GroupMember, String> restarts = sentinelRestarts();
        try {
            sentinelPhase(topology, restarts, false, false, true);
            topology = stillSame(topology);
            List<ReplicaLink.Resync> resyncs = new ArrayList<>();
            Topology t = topology;
            phase("replicas", topology.replicas(), r -> {
                GroupMember master = t.masterOf(r).orElseThrow();
                int plain = t.of(master).plainPort();
                NodeHook hook = new NodeHook(conf -> ReplicaLink.repointConf(conf, master.tlsPort(), plain, master),
                        live -> {
                            synchronized (master) {
                                ReplicaLink.Resync rs = ReplicaLink.move(r, live, master, plain, false);
                                if (rs != null) {
                                    synchronized (resyncs) {
                                        resyncs.add(rs);
                                    }
                                }
                            }
                        });
                return Uninstaller.uninstall(r.node(), settings.keepCerts(), settings.firewall(), hook);
            });
            report.resyncs(resyncs);
            topology = stillSame(topology);
            if (!hosts.sentinels().isEmpty() && !topology.replicas().isEmpty()) {
                Set<Integer> masterPorts = topology.masters().stream().map(GroupRollout::plainPortOf).collect(Collectors.toSet());
                List<GroupMember> withRestarts = hosts.sentinels().stream().map(s -> withRestart(s, restarts.get(s))).toList();
                try {
                    Sentinels.reset(withRestarts, topology.replicas().size(), masterPorts, settings.rejoinTimeout())
                            .forEach(report::line);
                } catch (RuntimeException e) {
                    throw new Stop("sentinels: " + e.getMessage());
                }
            }
            phase("masters", topology.masters(), m -> Uninstaller.uninstall(m.node(), settings.keepCerts(), settings.firewall()));
        } catch (Stop stop) {
            stopped(stop.getMessage());
        }
        return report;
    }

    private static int plainPortOf(GroupMember m) {
        return m.node().reread().plainPort();
    }

    /** The sentinel.conf bytes before install, from its install record. */
    private static Optional<byte[]> originalConf(GroupMember s) {
        return s.node().record().map(InstallRecord::originalConf).map(b -> Base64.getDecoder().decode(b));
    }

    /** What Sentinel itself changed in its file since install (its state: myid, epochs, known peers), in one line. */
    private static Optional<String> sentinelRewrites(GroupMember s, byte[] original) {
        byte[] now = s.node().reread().conf().bytes();
        if (java.util.Arrays.equals(now, original)) {
            return Optional.empty();
        }
        List<String> before = new ArrayList<>(new String(original, StandardCharsets.ISO_8859_1).lines().toList());
        List<String> added = new ArrayList<>();
        for (String line : new String(now, StandardCharsets.ISO_8859_1).lines().toList()) {
            if (!before.remove(line)) {
                added.add(line);
            }
        }
        String what = added.stream().map(l -> l.strip().split("\\s+")).map(w -> w.length > 1 && w[0].equals("sentinel")
                ? "sentinel " + w[1] : w[0]).distinct().collect(Collectors.joining(", "));
        return Optional.of(s.node().confPath() + ": our TLS lines are restored exactly; Sentinel itself rewrote "
                + added.size() + " line(s) since install (" + what + "), " + before.size() + " line(s) of the original are"
                + " gone or rewritten" + (before.isEmpty() ? "" : " (" + before.stream().map(String::strip).limit(3)
                .collect(Collectors.joining("; ")) + ")"));
    }

    // ---------------------------------------------------------------- phases

    /**
     * Changes {@code members}: hosts in parallel, members of one SSH host one after the other. After a failure no
     * further member starts; those under way finish (each change is whole or undone).
     */
    private void phase(String name, List<GroupMember> members, Function<GroupMember, Report> change) {
        if (members.isEmpty()) {
            return;
        }
        Map<Object, List<GroupMember>> byHost = new LinkedHashMap<>();
        members.forEach(m -> byHost.computeIfAbsent(GroupHosts.hostKey(m), k -> new ArrayList<>()).add(m));
        AtomicBoolean stop = new AtomicBoolean();
        Parallel.map(new ArrayList<>(byHost.keySet()), key -> {
            for (GroupMember m : byHost.get(key)) {
                if (stop.get()) {
                    return null;
                }
                try {
                    report.member(m.label(), change.apply(m));
                    done.add(m);
                } catch (RuntimeException e) {
                    failed.put(m, e.getMessage());
                    stop.set(true);
                    return null;
                }
            }
            return null;
        });
        if (!failed.isEmpty()) {
            throw new Stop(name + ": " + failed.entrySet().iterator().next().getKey().label() + ": "
                    + failed.entrySet().iterator().next().getValue());
        }
    }

    /** Roles read again: a failover during the rollout stops it before the next phase. */
    private Topology stillSame(Topology before) {
        Topology now = Topology.read(hosts.dataNodes());
        Optional<String> change = now.roleChangeSince(before);
        if (change.isPresent()) {
            throw new Stop("the roles changed during the rollout (" + change.get() + ")");
        }
        return now;
    }

    private void stopped(String why) {
        for (GroupMember m : hosts.members()) {
            String state;
            if (failed.containsKey(m)) {
                state = "old (this member's change failed and was undone: " + failed.get(m) + ")";
            } else if (done.contains(m)) {
                state = "new";
            } else {
                state = "not changed by this run";
            }
            report.state(m.label(), state);
        }
        report.failed("the rollout stopped: " + why + "; every member is old or new as listed; fix the cause and run the"
                + " same command again to finish");
    }

    /** Ends a rollout early; the report says where every member stands. */
    private static final class Stop extends RuntimeException {
        Stop(String message) {
            super(message);
        }
    }
}
