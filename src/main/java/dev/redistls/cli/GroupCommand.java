package dev.redistls.cli;

import dev.redistls.RedisTlsException;
import dev.redistls.conf.AuthClients;
import dev.redistls.conf.TlsProfile;
import dev.redistls.group.ClusterJoin;
import dev.redistls.group.ClusterStatus;
import dev.redistls.group.GroupHosts;
import dev.redistls.group.GroupReport;
import dev.redistls.group.GroupRollout;
import dev.redistls.group.GroupStatus;
import dev.redistls.group.Inventory;
import dev.redistls.group.InventoryEditor;
import dev.redistls.group.InventoryReader;
import dev.redistls.install.Report;
import dev.redistls.install.Status;
import dev.redistls.metrics.NodeMetrics;
import dev.redistls.node.Verification;
import dev.redistls.pki.CaHome;
import dev.redistls.pki.CertificateAuthority;
import dev.redistls.pki.KeyType;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;


import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code redis-tls group ...}: every node and sentinel of an inventory, in the order replication and Sentinel need. */
@Command(name = "group", mixinStandardHelpOptions = true,
        description = "Secure a replicated group and its sentinels together, from an inventory file (YAML).",
        subcommands = {GroupCommand.Install.class, GroupCommand.Configure.class, GroupCommand.StatusCmd.class,
                GroupCommand.Reissue.class, GroupCommand.Renew.class, GroupCommand.Rotate.class, GroupCommand.AddNode.class,
                GroupCommand.Uninstall.class})
final class GroupCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The inventory, how to reach its hosts, and whether to wait for other runs. */
    static final class InventoryOptions {
        @Option(names = "--inventory", paramLabel = "FILE", required = true, description = "The group's inventory (YAML).")
        Path inventory;

        @Option(names = "--ssh-config", paramLabel = "FILE", description = "OpenSSH client config for the inventory's hosts (default: ~/.ssh/config).")
        Path sshConfig;

        @Option(names = "--ca-home", paramLabel = "DIR", description = "The group's CA home (default: the inventory's ca-home, else as for single nodes).")
        Path caHome;

        @Option(names = "--no-wait", description = "Fail at once when another redis-tls is changing a member.")
        boolean noWait;

        Inventory read() {
            return InventoryReader.read(inventory);
        }

        GroupHosts open(CommandSpec spec, Inventory inv, boolean change) {
            return GroupHosts.open(inv, sshConfig, change, !noWait, m -> spec.commandLine().getErr().println("note: " + m),
                    System::getenv);
        }

        CaHome caHome(Inventory inv) {
            return CaHome.resolve(caHome != null ? caHome : inv.caHome());
        }
    }

    /** The group's mode; given options override the inventory's {@code defaults}. */
    static final class GroupModeOptions {
        @Option(names = "--auth-clients", paramLabel = "no|optional|yes", description = "Require client certificates (default: optional).")
        String authClients;

        @Option(names = "--replication", negatable = true, description = "Replication over TLS: replicas re-pointed at their master's TLS port; sentinels talk TLS.")
        Boolean replication;

        @Option(names = "--tls-only", negatable = true, description = "Close every plain port (replicas first), TLS staying on each node's TLS port.")
        Boolean tlsOnly;

        @Option(names = "--cluster", negatable = true, description = "Redis Cluster: every cluster-bus link and replication moved to TLS live, no failover.")
        Boolean cluster;

        @Option(names = "--tls-profile", paramLabel = "intermediate|modern", description = "TLS 1.2+1.3 (default) or 1.3 only.")
        String profile;

        Inventory.Mode merged(Inventory.Mode inv) {
            return new Inventory.Mode(authClients != null ? AuthClients.parse(authClients) : inv.authClients(),
                    replication != null ? replication : inv.replication(), cluster != null ? cluster : inv.cluster(),
                    tlsOnly != null ? tlsOnly : inv.tlsOnly(), profile != null ? TlsProfile.parse(profile) : inv.profile());
        }
    }

    abstract static class Change implements Callable<Integer> {
        @Mixin InventoryOptions inv;
        @Mixin FirewallOption firewall;

        @Option(names = "--rejoin-timeout", paramLabel = "SECONDS", defaultValue = "60",
                description = "How long a restarted sentinel may take to rejoin (default: ${DEFAULT-VALUE}).")
        int rejoinTimeout;

        @Spec CommandSpec spec;

        GroupRollout.Settings settings(Inventory i, Inventory.Mode mode, KeyType keyType, int days, boolean keepCerts) {
            if (rejoinTimeout < 1) {
                throw RedisTlsException.badInput("--rejoin-timeout must be at least 1 second");
            }
            return new GroupRollout.Settings(inv.caHome(i), keyType, days, mode, firewall.plan(),
                    Duration.ofSeconds(rejoinTimeout), keepCerts);
        }

        int run(java.util.function.BiFunction<Inventory, GroupHosts, GroupReport> work) {
            Inventory i = inv.read();
            try (GroupHosts hosts = inv.open(spec, i, true)) {
                return print(spec.commandLine(), work.apply(i, hosts));
            }
        }
    }

    @Command(name = "install", mixinStandardHelpOptions = true,
            description = "Certificates from the group's root for every member, TLS live on masters then replicas, sentinels restarted one at a time.")
    static final class Install extends Change {
        @Mixin GroupModeOptions mode;
        @Option(names = "--key-type", paramLabel = "TYPE", defaultValue = "ec-p256", description = "Key type (default: ${DEFAULT-VALUE}).")
        String keyType;
        @Option(names = "--days", paramLabel = "N", defaultValue = "" + CertificateAuthority.LEAF_DAYS, description = "Leaf validity in days.")
        int days;

        @Override
        public Integer call() {
            return run((i, hosts) -> GroupRollout.install(i, hosts,
                    settings(i, mode.merged(i.mode()), KeyType.parse(keyType), days, false)));
        }
    }

    @Command(name = "configure", mixinStandardHelpOptions = true, description = "A new mode for every member of an installed group.")
    static final class Configure extends Change {
        @Mixin GroupModeOptions mode;
        @Option(names = "--if-no-plaintext",
                description = "With --tls-only: refuse (exit 1, nothing changed) while any client is connected on a member's plain port.")
        boolean ifNoPlaintext;

        @Override
        public Integer call() {
            if (ifNoPlaintext && !Boolean.TRUE.equals(mode.tlsOnly)) {
                throw RedisTlsException.badInput("--if-no-plaintext goes with --tls-only: only closing the plain ports cuts clients off");
            }
            return run((i, hosts) -> {
                if (ifNoPlaintext) {
                    // Every member is asked before any is changed.
                    GroupRollout.plaintextClients(hosts, true);
                }
                return GroupRollout.configure(i, hosts,
                        settings(i, mode.merged(i.mode()), KeyType.DEFAULT, CertificateAuthority.LEAF_DAYS, false));
            });
        }
    }

    @Command(name = "reissue", mixinStandardHelpOptions = true, description = "New certificates for every member from the group's root, loaded live (sentinels: one restart each).")
    static final class Reissue extends Change {
        @Option(names = "--days", paramLabel = "N", defaultValue = "" + CertificateAuthority.LEAF_DAYS, description = "Leaf validity in days.")
        int days;

        @Override
        public Integer call() {
            return run((i, hosts) -> GroupRollout.reissue(i, hosts,
                    settings(i, i.mode(), KeyType.DEFAULT, days, false), null));
        }
    }

    @Command(name = "renew", mixinStandardHelpOptions = true, description = "Reissue what expires within --within days, member by member.")
    static final class Renew extends Change {
        @Option(names = "--within", paramLabel = "DAYS", defaultValue = "30", description = "Threshold in days (default: ${DEFAULT-VALUE}).")
        int within;
        @Option(names = "--days", paramLabel = "N", defaultValue = "" + CertificateAuthority.LEAF_DAYS, description = "Leaf validity in days.")
        int days;

        @Override
        public Integer call() {
            return run((i, hosts) -> GroupRollout.reissue(i, hosts,
                    settings(i, i.mode(), KeyType.DEFAULT, days, false), within));
        }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = "Replace the group's root with overlapping trust: begin (every member trusts old + new), group"
                    + " reissue, finish (the new root alone).",
            subcommands = {Rotate.Begin.class, Rotate.Finish.class})
    static final class Rotate implements Runnable {
        @Spec CommandSpec spec;

        @Override
        public void run() {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand: begin or finish");
        }

        @Command(name = "begin", mixinStandardHelpOptions = true,
                description = "A new root in the group's CA home; every member trusts it beside the old one (data nodes live,"
                        + " sentinels one restart each).")
        static final class Begin extends Change {
            @Override
            public Integer call() {
                return run((i, hosts) -> GroupRollout.rotateBegin(i, hosts,
                        settings(i, i.mode(), KeyType.DEFAULT, CertificateAuthority.LEAF_DAYS, false)));
            }
        }

        @Command(name = "finish", mixinStandardHelpOptions = true,
                description = "Every member trusts the new root alone, and the old root leaves the CA home; refused, naming"
                        + " them, while a member has a certificate from the old root.")
        static final class Finish extends Change {
            @Override
            public Integer call() {
                return run((i, hosts) -> GroupRollout.rotateFinish(i, hosts,
                        settings(i, i.mode(), KeyType.DEFAULT, CertificateAuthority.LEAF_DAYS, false)));
            }
        }
    }

    @Command(name = "add-node", mixinStandardHelpOptions = true,
            description = "Secure one more data node like the others (a replica replicates over TLS; in a Redis Cluster it"
                    + " joins over the encrypted bus), then append it to the inventory, keeping the file's comments.")
    static final class AddNode extends Change {
        @Option(names = "--host", paramLabel = "[USER@]NAME[:PORT]", description = "The node's host (default: this machine).")
        String host;
        @Option(names = "--sudo", description = "Act as root there through sudo -n ('become: true' in the inventory).")
        boolean sudo;
        @Option(names = "--conf", required = true, paramLabel = "PATH", description = "The node's redis.conf on its host.")
        Path conf;
        @Option(names = "--keys-dir", paramLabel = "DIR", description = "Its keys dir (default: the inventory's defaults, else /etc/redis/tls).")
        Path keysDir;
        @Option(names = "--tls-port", paramLabel = "N", description = "Its TLS port (default: 6380).")
        Integer tlsPort;
        @Option(names = "--hostname", paramLabel = "NAME", description = "The name its certificate is for (default: its host's name).")
        String hostname;
        @Option(names = "--san", paramLabel = "VALUE", description = "Another name or address for its certificate (repeatable).")
        List<String> sans = new java.util.ArrayList<>();
        @Option(names = "--endpoint", paramLabel = "HOST:PORT", description = "Where it is reached on its host (default: from its config).")
        String endpoint;
        @Option(names = "--replica-of", paramLabel = "nodes[N]|NODE-ID",
                description = "Redis Cluster: make the new node a replica of this master (default: an empty master).")
        String replicaOf;
        @Option(names = "--key-type", paramLabel = "TYPE", defaultValue = "ec-p256", description = "Key type (default: ${DEFAULT-VALUE}).")
        String keyType;
        @Option(names = "--days", paramLabel = "N", defaultValue = "" + CertificateAuthority.LEAF_DAYS, description = "Leaf validity in days.")
        int days;

        @Override
        public Integer call() throws java.io.IOException {
            if (conf != null && !conf.isAbsolute()) {
                throw RedisTlsException.badInput("--conf " + conf + " must be an absolute path (it is on the node's host)");
            }
            Inventory before = inv.read();
            Path file = before.file();
            String text = java.nio.file.Files.readString(file, StandardCharsets.UTF_8);
            InventoryEditor.Edit edit = InventoryEditor.appendNode(file, text, InventoryEditor.entry(host, sudo, conf,
                    keysDir == null ? null : keysDir.toAbsolutePath().normalize(), tlsPort, hostname, sans, endpoint));
            // The edited file is read as any inventory is: a duplicate or a bad value is refused before anything is touched.
            Inventory after = InventoryReader.parse(file, edit.text());
            Inventory.Member added = after.nodes().get(after.nodes().size() - 1);
            GroupReport report;
            try (GroupHosts hosts = inv.open(spec, before, true)) {
                GroupRollout.Settings settings = settings(after, after.mode(), KeyType.parse(keyType), days, false);
                if (ClusterJoin.isCluster(hosts)) {
                    report = ClusterJoin.addNode(after, hosts, settings, new ClusterJoin.Request(added, replicaOf,
                            inv.sshConfig, !inv.noWait, w -> spec.commandLine().getErr().println("note: " + w), System::getenv));
                } else {
                    if (replicaOf != null) {
                        throw RedisTlsException.badInput("--replica-of is for a Redis Cluster; in a replicated group the new"
                                + " node's own 'replicaof' says whose replica it is");
                    }
                    hosts.add(added, inv.sshConfig, !inv.noWait, w -> spec.commandLine().getErr().println("note: " + w),
                            System::getenv);
                    report = GroupRollout.addNode(after, hosts, settings, added);
                }
            }
            int code = print(spec.commandLine(), report);
            if (report.failure() == null) {
                InventoryEditor.write(file, text, edit.text());
                spec.commandLine().getOut().println("Added " + added.kind().section() + "[" + added.index() + "] to " + file
                        + " (line " + edit.line() + ")");
            }
            return code;
        }
    }

    @Command(name = "uninstall", mixinStandardHelpOptions = true,
            description = "Sentinels, then replicas, then masters back to plain text; configs restored byte for byte where unedited.")
    static final class Uninstall extends Change {
        @Option(names = "--keep-certs", description = "Keep each member's keys dir.")
        boolean keepCerts;

        @Override
        public Integer call() {
            return run((i, hosts) -> GroupRollout.uninstall(i, hosts,
                    settings(i, i.mode(), KeyType.DEFAULT, CertificateAuthority.LEAF_DAYS, keepCerts)));
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "One row per node and sentinel: role, ports, mode, days left, handshake, replication link and whether it is TLS.")
    static final class StatusCmd implements Callable<Integer> {
        @Mixin InventoryOptions inv;
        @Option(names = "--json", description = "One object per member: the single-node status fields plus host, role, replication, monitoring.")
        boolean json;
        @Option(names = "--format", paramLabel = "prometheus",
                description = "prometheus: node_exporter textfile-collector metrics for every member (labels role and group added).")
        String format;
        @Option(names = "--output", paramLabel = "FILE",
                description = "With --format prometheus: replace FILE (*.prom) atomically instead of printing.")
        Path output;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            boolean prometheus = PrometheusOutput.requested(format, json, output);
            Inventory i = inv.read();
            List<GroupStatus.Row> rows;
            java.util.Optional<ClusterStatus.View> cluster;
            try (GroupHosts hosts = inv.open(spec, i, false)) {
                rows = GroupStatus.of(hosts);
                cluster = ClusterStatus.of(hosts);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (prometheus) {
                byte[] text = NodeMetrics.text(rows.stream().map(r -> new NodeMetrics.Node(r.status(),
                        Map.of("role", r.role(), "group", i.name()))).toList(), Instant.now());
                PrometheusOutput.write(out, output, text);
                return 0;
            }
            if (json) {
                List<Map<String, Object>> objects = GroupStatus.json(rows);
                cluster.ifPresent(c -> {
                    for (int k = 0; k < rows.size(); k++) {
                        ClusterStatus.NodeView v = c.nodes().get(rows.get(k).member());
                        if (v != null) {
                            objects.get(k).put("cluster", v.json());
                        }
                    }
                });
                Json.print(out, objects);
                return 0;
            }
            out.printf("%-12s %-22s %-9s %-6s %-8s %-5s %-9s %-10s %s%n", "MEMBER", "HOST", "ROLE", "PLAIN", "TLS", "DAYS",
                    "HANDSHAKE", "MODE", "REPLICATION / MONITORING");
            for (GroupStatus.Row r : rows) {
                Status.Snapshot s = r.status();
                String days = s.certs().server() == null ? "-" : String.valueOf(s.certs().server().daysLeft());
                String link;
                if (r.role().equals("sentinel")) {
                    link = r.monitoring().stream().map(m -> m.master() + " " + m.ip() + ":" + m.port()
                            + (m.overTls() ? " over TLS" : " plain") + " (" + m.flags() + ")").reduce((a, b) -> a + ", " + b).orElse("-");
                } else if (r.masterLink() != null) {
                    link = "link " + r.masterLink() + (Boolean.TRUE.equals(r.overTls()) ? " over TLS" : " plain")
                            + (r.linkProblem() == null ? "" : ": " + r.linkProblem());
                } else {
                    link = "-";
                }
                out.printf("%-12s %-22s %-9s %-6d %-8d %-5s %-9s %-10s %s%n",
                        r.member().spec().kind().section() + "[" + r.member().spec().index() + "]",
                        r.member().spec().host() == null ? "this machine" : r.member().spec().host(), r.role(),
                        s.configured().port(), s.configured().tlsPort(), days, s.live().tlsHandshake() ? "ok" : "no",
                        s.mode(), link);
                Status.expiryWarning("server", s.certs().server()).ifPresent(w -> out.println("warning: "
                        + r.member().label() + ": " + w.replace("redis-tls renew", "redis-tls group renew --inventory " + i.file())));
            }
            cluster.ifPresent(c -> printCluster(out, c, i));
            return 0;
        }
    }

    /** The cluster's bus per node, then every warning about where clients are sent. */
    private static void printCluster(PrintWriter out, ClusterStatus.View c, Inventory i) {
        c.nodes().forEach((m, v) -> out.printf("cluster: %s: bus %s on port %d, replication %s, Redis %s%n",
                m.spec().kind().section() + "[" + m.spec().index() + "]", v.tlsCluster() ? "TLS" : "plain text", v.busPort(),
                v.tlsReplication() ? "TLS" : "plain text", v.version()));
        c.warnings().forEach(w -> out.println("warning: " + w));
        c.nodes().forEach((m, v) -> v.warnings().forEach(w -> out.println("warning: " + m.label() + ": " + w
                + " (fix: redis-tls group configure --cluster --inventory " + i.file() + ")")));
    }

    /** Prints a group report; returns 1 when the rollout stopped, 3 when a member's proof failed, else 0. */
    static int print(CommandLine cl, GroupReport report) {
        PrintWriter out = cl.getOut();
        report.lines().forEach(out::println);
        int code = 0;
        String firstFailure = null;
        for (Map.Entry<String, Report> e : report.members().entrySet()) {
            out.println("== " + e.getKey());
            Report r = e.getValue();
            r.doneLines().forEach(l -> out.println("  " + l));
            r.notes().forEach(n -> out.println("  note: " + n));
            Verification v = r.verification();
            if (v != null) {
                out.println(v.passed() ? "  Verified: " + v.checks().size() + " checks passed"
                        : "  Verification FAILED:");
                for (Verification.Check c : v.checks()) {
                    if (!v.passed()) {
                        out.printf("    [%s] %s%s%n", c.passed() ? "ok" : "FAIL", c.name(), c.detail().isEmpty() ? "" : " (" + c.detail() + ")");
                    }
                }
                if (!v.passed() && firstFailure == null) {
                    firstFailure = e.getKey() + ": " + v.failures().get(0).name();
                    code = RedisTlsException.VERIFICATION_FAILED;
                }
            }
        }
        report.resyncLines().forEach(out::println);
        out.println(report.timing());
        if (report.failure() != null) {
            report.states().forEach((m, s) -> out.println("  " + m + ": " + s));
            cl.getErr().println("error: " + report.failure());
            return RedisTlsException.FAILED;
        }
        if (firstFailure != null) {
            cl.getErr().println("error: applied, but verification failed: " + firstFailure);
        }
        return code;
    }
}
