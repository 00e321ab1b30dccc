package dev.redistls.group;

import dev.redistls.RedisTlsException;
import dev.redistls.conf.ModeChange;
import dev.redistls.files.FileOwner;
import dev.redistls.group.GroupHosts.GroupMember;
import dev.redistls.install.FirewallPlan;
import dev.redistls.install.Installer;
import dev.redistls.install.NodeHook;
import dev.redistls.install.PlaintextGate;
import dev.redistls.install.Report;
import dev.redistls.install.Rollover;
import dev.redistls.install.Uninstaller;
import dev.redistls.node.InstallRecord;
import dev.redistls.node.LiveNode;
import dev.redistls.node.Node;
import dev.redistls.node.TlsProbe;
import dev.redistls.pki.CaHome;
import dev.redistls.pki.CertInfo;
import dev.redistls.pki.KeyType;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
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
    /** The phases each member went through in this run. */
    private final Map<GroupMember, List<String>> done = new java.util.concurrent.ConcurrentHashMap<>();
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

    /**
     * {@code group add-node}: the member {@code added} (already in {@code inventory}, as the edited file will have
     * it) secured like the others, in the mode the group's masters were installed with: certificates from the group's
     * root, TLS live, and, when it is a replica, its link moved to its master's TLS port; then, with sentinels, a
     * wait until each of them lists it. The caller writes the inventory once this succeeded.
     */
    public static GroupReport addNode(Inventory inventory, GroupHosts hosts, Settings settings, Inventory.Member added) {
        GroupRollout g = new GroupRollout(inventory, hosts, settings);
        GroupMember m = hosts.dataNodes().stream().filter(x -> x.spec().equals(added)).findFirst().orElseThrow();
        Topology topology = Topology.read(hosts.dataNodes());
        topology.requireMastersInGroup();
        List<GroupMember> peers = hosts.members().stream().filter(x -> x != m).toList();
        for (GroupMember p : peers) {
            if (p.node().record().isEmpty()) {
                throw RedisTlsException.badInput(p.label() + " is not installed: run 'redis-tls group install' first;"
                        + " add-node secures one node the way the others already are");
            }
        }
        InstallRecord model = hosts.dataNodes().stream().filter(x -> x != m && topology.of(x).isMaster())
                .map(x -> x.node().record().orElseThrow()).findFirst().orElseThrow(() -> RedisTlsException.badInput(
                        "the group has no master besides the node to add: use 'redis-tls group install'"));
        g.requireOneRoot();
        boolean tlsOnly = "tls-only".equals(model.mode());
        Inventory.Mode mode = new Inventory.Mode(dev.redistls.conf.AuthClients.parse(model.authClients()), model.replication(),
                model.cluster(), tlsOnly, model.tlsProfile() == null ? null : dev.redistls.conf.TlsProfile.parse(model.tlsProfile()));
        g = new GroupRollout(inventory, hosts, new Settings(settings.caHome(), settings.keyType(), settings.days(), mode,
                settings.firewall(), settings.rejoinTimeout(), settings.keepCerts()));
        g.report.line(m.label() + ": secured as the group's masters are: " + model.mode() + ", client certificates "
                + model.authClients() + ", replication " + (model.replication() ? "over TLS" : "in plain text"));
        GroupRollout r = g;
        try {
            if (topology.of(m).isMaster()) {
                r.phase("new node", List.of(m), x -> r.change(x, true, NodeHook.NONE, r.dual(x)));
            } else {
                GroupMember master = topology.masterOf(m).orElseThrow();
                List<ReplicaLink.Resync> resyncs = new ArrayList<>();
                int to = model.replication() ? master.tlsPort() : topology.of(master).plainPort();
                NodeHook hook = ReplicaLink.hook(m, master, topology.of(m).masterPort(), to, model.replication(),
                        new ReplicaLink.Moves(master, resyncs));
                r.phase("new node", List.of(m), x -> r.change(x, true, hook, r.dual(x)));
                r.report.resyncs(resyncs);
            }
            if (tlsOnly) {
                r.phase("new node: plain port closed", List.of(m), x -> r.change(x, false, NodeHook.NONE, r.closing(x)));
            }
            if (!hosts.sentinels().isEmpty() && !topology.of(m).isMaster()) {
                try {
                    Sentinels.awaitReplicas(hosts.sentinels(), topology.replicas().size(), settings.rejoinTimeout());
                    r.report.line("Every sentinel lists the " + topology.replicas().size() + " replica(s), the new one included");
                } catch (RedisTlsException e) {
                    // The node is secured and stays so: the sentinels are told about it by its master, not by us.
                    r.report.line("warning: " + e.getMessage());
                }
            }
        } catch (Stop stop) {
            r.stopped(stop.getMessage());
        }
        return r.report;
    }

    private GroupReport run(boolean install) {
        Inventory.Mode mode = settings.mode();
        // Not given: as installed (a configure of another option keeps replication and tls-only as they are).
        boolean replication = mode.replication() != null ? mode.replication() : !install && installedWith(InstallRecord::replication);
        boolean tlsOnly = mode.tlsOnly() != null ? mode.tlsOnly() : !install && installedWith(r -> "tls-only".equals(r.mode()));
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
        } else {
            requireOneRoot();
        }
        Map<GroupMember, String> restarts = sentinelRestarts();
        if (install) {
            CaHome.Loaded root = settings.caHome().loadOrCreate(inventory.name(), settings.keyType());
            String group = dev.redistls.pki.CertificateAuthority.groupOf(root.ca().certificate());
            report.line((root.created() ? "Created the group's root CA in " : "Using the root CA in ") + settings.caHome().dir()
                    + ": " + root.ca().certificate().getSubjectX500Principal().getName()
                    + (root.created() || inventory.name().equals(group) ? "" : " (group " + group + "'s root, shared with"
                    + " this group: nodes of both trust each other)"));
        }
        if (Boolean.TRUE.equals(mode.tlsOnly())) {
            plaintextClients(hosts, false).forEach(report::line);
        }
        try {
            phase("masters", topology.masters(), m -> change(m, install, NodeHook.NONE, dual(m)));
            topology = stillSame(topology);
            List<ReplicaLink.Resync> resyncs = new ArrayList<>();
            Map<GroupMember, ReplicaLink.Moves> moves = new java.util.concurrent.ConcurrentHashMap<>();
            Topology t = topology;
            phase("replicas", topology.replicas(), r -> {
                GroupMember master = t.masterOf(r).orElseThrow();
                int to = replication ? master.tlsPort() : t.of(master).plainPort();
                NodeHook hook = ReplicaLink.hook(r, master, t.of(r).masterPort(), to, replication,
                        moves.computeIfAbsent(master, k -> new ReplicaLink.Moves(k, resyncs)));
                return change(r, install, hook, dual(r));
            });
            report.resyncs(resyncs);
            topology = stillSame(topology);
            sentinelPhase(topology, restarts, install, replication, false);
            if (tlsOnly) {
                topology = stillSame(topology);
                phase("replicas: plain port closed", topology.replicas(), r -> change(r, false, NodeHook.NONE, closing(r)));
                phase("masters: plain port closed", topology.masters(), m -> change(m, false, NodeHook.NONE, closing(m)));
            }
        } catch (Stop stop) {
            stopped(stop.getMessage());
        }
        return report;
    }

    /** Whether the data nodes were installed with a setting (their records say; a group shares one mode). */
    private boolean installedWith(java.util.function.Predicate<InstallRecord> setting) {
        return hosts.dataNodes().stream().anyMatch(m -> m.node().record().map(setting::test).orElse(false));
    }

    /**
     * A keys dir from another root than the group's would be refused when its member's turn came, half-way through
     * the rollout: every member's is checked first.
     */
    private void requireOneRoot() {
        CaHome home = settings.caHome();
        for (GroupMember m : hosts.members()) {
            try {
                if (home.holdsRoot()) {
                    m.node().keys().requireSameRoot(home);
                } else if (m.node().keys().root().isPresent()) {
                    throw RedisTlsException.badInput("keys dir " + m.node().keys().dir() + m.node().where() + " holds"
                            + " certificates from root " + m.node().keys().root().get().getSubjectX500Principal().getName()
                            + " but CA home " + home.dir() + " is empty: pass --ca-home with that root (or 'redis-tls ca"
                            + " import' it)");
                }
            } catch (RedisTlsException e) {
                throw new RedisTlsException(e.exitCode(), m.label() + ": " + e.getMessage());
            }
        }
    }

    /**
     * The clients still on plain text, every member asked before any is changed: lines to print; with
     * {@code refuse}, a failure naming them all when there is any (nothing changed).
     */
    public static List<String> plaintextClients(GroupHosts hosts, boolean refuse) {
        List<String> lines = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (GroupMember m : hosts.members()) {
            if (m.isSentinel()) {
                var plain = Sentinels.plaintextClients(m);
                int port = m.node().plainPort();
                if (port != 0) {
                    lines.add(m.label() + ": " + (plain.isEmpty() ? "No client is" : plain.size() + " client(s) still")
                            + " on plain text port " + port + m.node().where() + (plain.isEmpty() ? "." : ":"));
                }
                plain.forEach(c -> lines.add(m.label() + ":   " + c.describe()));
                if (refuse && !plain.isEmpty()) {
                    refused.add(m.label() + ": " + plain.size() + " client(s) still on plain text port " + port + ": "
                            + String.join(", ", plain.stream().map(c -> c.address()).toList()) + "; move them to TLS (port "
                            + m.node().tlsPort() + ") first, or run without --if-no-plaintext");
                }
                continue;
            }
            try {
                PlaintextGate.check(m.node(), refuse).forEach(l -> lines.add(m.label() + ": " + l));
            } catch (PlaintextGate.Refused e) {
                e.listing().forEach(l -> lines.add(m.label() + ": " + l));
                refused.add(m.label() + ": " + e.getMessage());
            }
        }
        if (!refused.isEmpty()) {
            throw RedisTlsException.failed(String.join("; ", refused) + " (nothing was changed)");
        }
        return lines;
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

    /**
     * Dual mode on the member's TLS port: the plain port stays while its peers move; with {@code --no-tls-only} a
     * closed one opens again where it was before install.
     */
    private ModeChange dual(GroupMember m) {
        Inventory.Mode mode = settings.mode();
        return new ModeChange(reopened(m), m.tlsPort(), false, mode.authClients(), mode.replication(), mode.cluster(),
                mode.profile());
    }

    /** The plain port a member closed by tls-only gets back with {@code --no-tls-only}; null: leave it as it is. */
    private Integer reopened(GroupMember m) {
        return Boolean.FALSE.equals(settings.mode().tlsOnly()) && m.node().plainPort() == 0 ? originalPlainPort(m) : null;
    }

    /** The plain port in the member's config before install (where uninstall puts it back). */
    static int originalPlainPort(GroupMember m) {
        int fallback = m.isSentinel() ? 26379 : 6379;
        return originalConf(m).map(b -> dev.redistls.conf.EffectiveConf.of(dev.redistls.conf.RedisConf.parse(
                m.node().confPath(), new String(b, StandardCharsets.ISO_8859_1), new dev.redistls.files.SafeFiles(m.host())))
                .intValue("port", fallback)).orElse(m.node().plainPort());
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
        long start = System.nanoTime();
        Map<String, GroupMember> byRunId = Sentinels.byRunId(hosts.members());
        boolean tls = replication && !uninstall;
        java.util.function.ToIntFunction<GroupMember> target = m -> uninstall ? originalPlainPort(m)
                : tls ? m.tlsPort() : plainPortOf(m);
        Set<Integer> masterPorts = topology.masters().stream().map(target::applyAsInt).collect(Collectors.toSet());
        int replicas = topology.replicas().size();
        for (GroupMember s : sentinels) {
            String label = s.label();
            if (!uninstall && alreadyNew(withRestart(s, restarts.get(s)), sentinelMode(s), masterPorts)) {
                report.line(label + ": already on TLS as asked, left as it is");
                done(s, "sentinels");
                continue;
            }
            try {
                List<String> rewrites = new ArrayList<>();
                for (int attempt = 1; ; attempt++) {
                    // Read again each time: a failed attempt put the files back, and Sentinel may have rewritten them.
                    GroupMember fresh = withRestart(s, restarts.get(s));
                    List<GroupMember> all = sentinels.stream().map(o -> withRestart(o, restarts.get(o))).toList();
                    List<Sentinels.Move> moves = Sentinels.moves(all, byRunId, target);
                    AtomicReference<Map<String, String>> written = new AtomicReference<>(Map.of());
                    AtomicReference<String> rejoined = new AtomicReference<>();
                    NodeHook hook = new NodeHook(conf -> {
                        List<String> lines = Sentinels.edit(conf, moves);
                        written.set(Sentinels.owned(conf));
                        return lines;
                    }, live -> { }, Sentinels.afterRestart(fresh, written::get, all, replicas, masterPorts,
                            settings.rejoinTimeout(), rejoined::set));
                    Optional<byte[]> original = uninstall ? originalConf(fresh) : Optional.empty();
                    try {
                        Report r = uninstall
                                ? Uninstaller.uninstall(fresh.node(), settings.keepCerts(), settings.firewall(), hook)
                                : change(fresh, install, hook, sentinelMode(fresh));
                        original.ifPresent(o -> sentinelRewrites(fresh, o).ifPresent(r::note));
                        rewrites.forEach(w -> r.note(w + ": edited and restarted it again"));
                        report.member(label, r);
                        if (rejoined.get() != null) {
                            report.line(label + ": " + rejoined.get());
                        }
                        break;
                    } catch (RuntimeException e) {
                        if (attempt < 3 && Sentinels.LostEdit.in(e)) {
                            rewrites.add(Sentinels.LostEdit.message(e));
                            continue;
                        }
                        throw e;
                    }
                }
                done(s, "sentinels");
            } catch (RuntimeException e) {
                failed.put(s, withoutLabel(s, e.getMessage()));
                report.took("sentinels", System.nanoTime() - start);
                throw new Stop("sentinels: " + label + ": " + withoutLabel(s, e.getMessage()));
            }
        }
        report.took("sentinels", System.nanoTime() - start);
        Sentinels.awaitMesh(sentinels.stream().map(s -> withRestart(s, restarts.get(s))).toList(), settings.rejoinTimeout());
        report.line("Every sentinel reaches the others" + (tls ? " over TLS" : ""));
    }

    private ModeChange sentinelMode(GroupMember s) {
        Inventory.Mode mode = settings.mode();
        return new ModeChange(reopened(s), s.tlsPort(), Boolean.TRUE.equals(mode.tlsOnly()), mode.authClients(),
                mode.replication(), false, mode.profile());
    }

    /**
     * Installed with the settings asked for, its file holding them, serving the file's certificate on its TLS port,
     * and monitoring the masters at {@code masterPorts}: a rerun leaves it alone (a sentinel's change is a restart).
     */
    private static boolean alreadyNew(GroupMember s, ModeChange want, Set<Integer> masterPorts) {
        Node node = s.node().reread();
        Optional<InstallRecord> found = node.record();
        if (found.isEmpty() || node.tlsPort() == 0 || !node.keys().isComplete()) {
            return false;
        }
        InstallRecord r = found.get();
        int port = want.tlsOnly() ? 0 : want.port() != null ? want.port() : r.port();
        int tlsPort = want.tlsPort() != null ? want.tlsPort() : r.tlsPort();
        boolean same = r.port() == port && node.plainPort() == port && r.tlsPort() == tlsPort && node.tlsPort() == tlsPort
                && (want.authClients() == null || want.authClients().word().equals(r.authClients()))
                && (want.replication() == null || want.replication() == r.replication())
                && (want.profile() == null || want.profile().word().equals(r.tlsProfile() == null ? "intermediate" : r.tlsProfile()));
        if (!same) {
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

    /**
     * The sentinel read again with its restart command. Its endpoint follows its file (the ports move with the
     * change), except the inventory's, or Sentinel's own default port when the file names none.
     */
    private static GroupMember withRestart(GroupMember s, String command) {
        Node n = s.node().reread();
        String endpoint = s.spec().endpoint() != null ? s.spec().endpoint()
                : n.effective().value("port").isEmpty() ? n.address() + ":26379" : null;
        Node again = Node.resolve(s.host(), n.confPath(), n.keys().dir(), endpoint, command, System::getenv);
        return new GroupMember(s.spec(), s.host(), again);
    }

    // ---------------------------------------------------------------- reissue / renew

    /**
     * New leaves from the group's root for every member ({@code withinDays} non-null: only those expiring within it):
     * data nodes reload live in parallel; sentinels restart one at a time, each rejoining before the next.
     */
    public static GroupReport reissue(Inventory inventory, GroupHosts hosts, Settings settings, Integer withinDays) {
        GroupRollout g = new GroupRollout(inventory, hosts, settings);
        return g.rolling(m -> {
            Node n = m.node();
            FileOwner owner = FileOwner.choose(n.host(), null, n.confPath(), n.processOwner());
            return withinDays != null
                    ? dev.redistls.install.Reissuer.renew(n, settings.caHome(), withinDays, settings.days(), owner)
                    : dev.redistls.install.Reissuer.reissue(new dev.redistls.install.Reissuer.Request(n, settings.caHome(),
                    true, true, null, settings.days(), List.of(), owner));
        });
    }

    // ---------------------------------------------------------------- root rollover

    /**
     * {@code group rotate begin}: a new root in the group's CA home (once), then every member trusts it beside the old
     * one: data nodes load both live in parallel, sentinels restart one at a time. Leaves are not touched: {@code group
     * reissue} next gives every member leaves from the new root, which every member already trusts.
     */
    public static GroupReport rotateBegin(Inventory inventory, GroupHosts hosts, Settings settings) {
        GroupRollout g = new GroupRollout(inventory, hosts, settings);
        CaHome home = settings.caHome();
        g.requireOneRoot();
        if (!home.rotating()) {
            X509Certificate issuing = home.load().orElseThrow(() -> RedisTlsException.badInput("no root CA in "
                    + home.dir() + " to roll over: run 'redis-tls group install' first")).certificate();
            for (GroupMember m : hosts.members()) {
                List<X509Certificate> trusted = m.node().keys().trustedRoots();
                if (!trusted.equals(List.of(issuing))) {
                    throw RedisTlsException.badInput(m.label() + ": keys dir " + m.node().keys().dir() + m.node().where()
                            + " trusts " + trusted.size() + " root(s), not exactly CA home " + home.dir() + "'s: finish the"
                            + " last rollover first ('redis-tls group rotate finish')");
                }
            }
        }
        CaHome.Rotation r = home.beginRotation();
        g.report.line((r.started() ? "Began a root rollover" : "A root rollover is under way") + " in " + home.dir()
                + ": new root " + r.issuing().certificate().getSubjectX500Principal().getName() + " (sha256 "
                + CertInfo.sha256(r.issuing().certificate()) + ") issues from now on; the old root (sha256 "
                + CertInfo.sha256(r.retiring()) + ") stays trusted until 'redis-tls group rotate finish'");
        GroupReport report = g.rolling(m -> Rollover.trustBoth(m.node(), home));
        if (report.failure() == null) {
            report.line("Next: redis-tls group reissue --inventory " + inventory.file() + " (and export new client bundles),"
                    + " then: redis-tls group rotate finish --inventory " + inventory.file());
        }
        return report;
    }

    /**
     * {@code group rotate finish}: refused, naming them all, while any member has a leaf from the old root (nothing
     * changed); else every member trusts the new root alone (the same rolling order), and the old root leaves the CA
     * home once every member has dropped it.
     */
    public static GroupReport rotateFinish(Inventory inventory, GroupHosts hosts, Settings settings) {
        GroupRollout g = new GroupRollout(inventory, hosts, settings);
        CaHome home = settings.caHome();
        g.requireOneRoot();
        Map<GroupMember, List<String>> remaining = Parallel.map(hosts.members(), m -> Rollover.remaining(m.node(), home));
        List<String> old = new ArrayList<>();
        remaining.forEach((m, leaves) -> leaves.forEach(l -> old.add(m.label() + ": " + l)));
        if (!old.isEmpty()) {
            throw RedisTlsException.failed(old.size() + " certificate(s) of the group are not from the new root yet: "
                    + String.join("; ", old) + ": run 'redis-tls group reissue --inventory " + inventory.file()
                    + "' first (nothing was changed)");
        }
        GroupReport report = g.rolling(m -> Rollover.retire(m.node(), home));
        if (report.failure() == null) {
            report.line(home.finishRotation().map(r -> "Retired the old root (sha256 " + CertInfo.sha256(r) + ") from CA home "
                    + home.dir() + ": its key is gone").orElse("CA home " + home.dir() + " holds no retiring root"));
        }
        return report;
    }

    /**
     * One step on every member, in the group's rolling order: data nodes live and in parallel across hosts, then each
     * sentinel restarted and rejoined before the next.
     */
    private GroupReport rolling(Function<GroupMember, Report> step) {
        Topology topology = Topology.read(hosts.dataNodes());
        Map<GroupMember, String> restarts = sentinelRestarts();
        try {
            phase("nodes", hosts.dataNodes(), step);
            Set<Integer> masterPorts = topology.masters().stream()
                    .map(m -> m.node().tlsPort() != 0 && m.node().configuredSettings().replication() ? m.node().tlsPort() : m.node().plainPort())
                    .collect(Collectors.toSet());
            for (GroupMember s : hosts.sentinels()) {
                GroupMember r = withRestart(s, restarts.get(s));
                phase("sentinels", List.of(r), step);
                report.line(s.label() + ": " + Sentinels.awaitRejoin(r, hosts.sentinels().stream()
                        .map(o -> withRestart(o, restarts.get(o))).toList(), topology.replicas().size(), masterPorts,
                        settings.rejoinTimeout()));
            }
        } catch (Stop stop) {
            stopped(stop.getMessage());
        }
        return report;
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
        Map<GroupMember, String> restarts = sentinelRestarts();
        try {
            // A tls-only group first gets its plain ports back (masters, then replicas), so that replicas and
            // sentinels have them to go back to; the links stay on TLS meanwhile.
            phase("masters: plain port reopened", plainClosed(topology.masters()), m -> reopen(m));
            phase("replicas: plain port reopened", plainClosed(topology.replicas()), r -> reopen(r));
            topology = stillSame(topology);
            // Replicas back to plain replication while they still serve TLS: a replica with tls-replication yes
            // announces its TLS port, so sentinels, restarted next, learn it at the plain port only.
            List<ReplicaLink.Resync> resyncs = new ArrayList<>();
            Map<GroupMember, ReplicaLink.Moves> moves = new java.util.concurrent.ConcurrentHashMap<>();
            Topology t = topology;
            List<GroupMember> linked = topology.replicas().stream().filter(r -> r.node().record().isPresent()
                    && (r.node().record().get().replication() || t.of(r).masterPort() != t.of(t.masterOf(r).orElseThrow()).plainPort()))
                    .toList();
            phase("replicas: replication in plain text", linked, r -> {
                GroupMember master = t.masterOf(r).orElseThrow();
                NodeHook hook = ReplicaLink.hook(r, master, t.of(r).masterPort(), t.of(master).plainPort(), false,
                        moves.computeIfAbsent(master, k -> new ReplicaLink.Moves(k, resyncs)));
                return Installer.configure(r.node(), new ModeChange(null, null, false, null, false, null, null),
                        settings.firewall(), false, hook);
            });
            report.resyncs(resyncs);
            topology = stillSame(topology);
            sentinelPhase(topology, restarts, false, false, true);
            topology = stillSame(topology);
            Topology u = topology;
            // Links already moved above; one still on a TLS port (the step above skipped it) moves with its uninstall.
            List<ReplicaLink.Resync> late = new ArrayList<>();
            Map<GroupMember, ReplicaLink.Moves> lateMoves = new java.util.concurrent.ConcurrentHashMap<>();
            phase("replicas", topology.replicas(), r -> {
                GroupMember master = u.masterOf(r).orElseThrow();
                NodeHook hook = ReplicaLink.hook(r, master, master.tlsPort(), u.of(master).plainPort(), false,
                        lateMoves.computeIfAbsent(master, k -> new ReplicaLink.Moves(k, late)));
                return Uninstaller.uninstall(r.node(), settings.keepCerts(), settings.firewall(), hook);
            });
            report.resyncs(late);
            phase("masters", topology.masters(), m -> Uninstaller.uninstall(m.node(), settings.keepCerts(), settings.firewall()));
        } catch (Stop stop) {
            stopped(stop.getMessage());
        }
        return report;
    }

    private static List<GroupMember> plainClosed(List<GroupMember> members) {
        return members.stream().filter(m -> m.node().record().isPresent() && m.node().plainPort() == 0).toList();
    }

    /** Live, the plain port a tls-only member had before install opens again; TLS and links stay as they are. */
    private Report reopen(GroupMember m) {
        return Installer.configure(m.node(), new ModeChange(originalPlainPort(m), m.node().tlsPort(), false, null, null,
                null, null), settings.firewall(), false);
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
        long start = System.nanoTime();
        Parallel.perHost(members, m -> {
            report.member(m.label(), change.apply(m));
            done(m, name);
        }).forEach((m, e) -> failed.put(m, withoutLabel(m, e.getMessage())));
        report.took(name, System.nanoTime() - start);
        if (!failed.isEmpty()) {
            Map.Entry<GroupMember, String> first = failed.entrySet().iterator().next();
            throw new Stop(name + ": " + first.getKey().label() + ": " + first.getValue());
        }
    }

    /** Roles read again: a failover during the rollout stops it before the next phase. */
    private Topology stillSame(Topology before) {
        Topology now = Topology.read(hosts.dataNodes());
        Optional<String> change = now.roleChangeSince(before);
        if (change.isPresent()) {
            throw new Stop("the roles changed during the rollout, a failover? (" + change.get() + ")");
        }
        return now;
    }

    private void done(GroupMember m, String phase) {
        done.computeIfAbsent(m, k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(phase);
    }

    /** A member's message without the member's own label in front (the report puts it there once). */
    private static String withoutLabel(GroupMember m, String message) {
        String s = String.valueOf(message);
        return s.startsWith(m.label() + ": ") ? s.substring(m.label().length() + 2)
                : s.startsWith(m.label() + " ") ? s.substring(m.label().length() + 1) : s;
    }

    private void stopped(String why) {
        for (GroupMember m : hosts.members()) {
            String state;
            if (failed.containsKey(m)) {
                state = "old: its change failed and was undone (" + failed.get(m) + ")";
            } else if (done.containsKey(m)) {
                state = "new as far as this run went (" + String.join(", ", done.get(m)) + ")";
            } else {
                state = "old: not reached by this run";
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
