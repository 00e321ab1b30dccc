package dev.redistls.install;

import dev.redistls.RedisTlsException;
import dev.redistls.conf.AuthClients;
import dev.redistls.conf.ConfChange;
import dev.redistls.conf.ConfEditor;
import dev.redistls.conf.ConfSyntax;
import dev.redistls.conf.ModeChange;
import dev.redistls.conf.RedisConf;
import dev.redistls.conf.TlsProfile;
import dev.redistls.conf.TlsSettings;
import dev.redistls.files.FileBatch;
import dev.redistls.files.FileModes;
import dev.redistls.files.FileOwner;
import dev.redistls.files.SafeFiles;
import dev.redistls.firewall.Firewall;
import dev.redistls.node.InstallRecord;
import dev.redistls.node.LiveApply;
import dev.redistls.node.LiveNode;
import dev.redistls.node.Node;
import dev.redistls.pki.CaHome;
import dev.redistls.pki.KeyType;
import dev.redistls.pki.NodeKeys;
import dev.redistls.pki.SubjectNames;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code install} and {@code configure}: bring a node to a TLS mode. Everything is checked and made in memory
 * first; then the files are written in one batch (certificates, then the install record, then the config); then the
 * running node is changed live with CONFIG SET; then the result is proven. If the live change fails, every file is
 * put back. A run killed at any point is finished by running the same command again.
 */
public final class Installer {
    /** What install needs beyond the node: how to make certificates, the mode, and how far to go. */
    public record Request(Node node, CaHome caHome, String hostname, List<String> sans, KeyType keyType, int days,
                          FileOwner owner, ModeChange mode, FirewallPlan firewall, boolean dryRun, boolean noLive) {
    }

    /** Directives that, when the file had them with other values, are a weaker TLS policy the install replaces. */
    private static final Set<String> POLICY = Set.of("tls-protocols", "tls-ciphers", "tls-ciphersuites", "tls-prefer-server-ciphers");

    private Installer() {
    }

    public static Report install(Request r) {
        return install(r, NodeHook.NONE);
    }

    /** Install with a group's additions to this node (see {@link NodeHook}). */
    public static Report install(Request r, NodeHook hook) {
        Report report = new Report();
        Node node = r.node();
        Optional<InstallRecord> record = node.record();
        TlsSettings base = record.map(rec -> settings(rec, node))
                .orElseGet(() -> new TlsSettings(node.plainPort(), ModeChange.DEFAULT_TLS_PORT, AuthClients.OPTIONAL,
                        false, false, TlsProfile.INTERMEDIATE, node.keys().serverCert(), node.keys().serverKey(),
                        node.keys().serverRoot()));
        TlsSettings target = r.mode().applyTo(base);
        SubjectNames names = SubjectNames.forNode(r.hostname(), r.sans(), node.host().facts());
        NodeKeys.Plan keys = NodeKeys.plan(new NodeKeys.Request(node.keys(), r.caHome(), r.hostname(), names,
                r.keyType(), r.days(), r.owner(), false));
        report.phases().mark("certificates");
        return converge(report, node, record, target, keys, r.firewall(), r.dryRun(), r.noLive(), hook);
    }

    /** {@code configure}: a new mode for an installed node; its certificates stay. */
    public static Report configure(Node node, ModeChange mode, FirewallPlan firewall, boolean dryRun) {
        return configure(node, mode, firewall, dryRun, NodeHook.NONE);
    }

    /** Configure with a group's additions to this node (see {@link NodeHook}). */
    public static Report configure(Node node, ModeChange mode, FirewallPlan firewall, boolean dryRun, NodeHook hook) {
        InstallRecord record = node.record().orElseThrow(() -> RedisTlsException.badInput(
                "redis-tls is not installed on " + node.confPath() + node.where() + " (no install record in "
                        + node.keys().dir() + "): run 'redis-tls install' first"));
        TlsSettings target = mode.applyTo(settings(record, node));
        return converge(new Report(), node, Optional.of(record), target, null, firewall, dryRun, false, hook);
    }

    static TlsSettings settings(InstallRecord rec, Node node) {
        return new TlsSettings(rec.port(), rec.tlsPort(), AuthClients.parse(rec.authClients()), rec.replication(),
                rec.cluster(), rec.tlsProfile() == null ? TlsProfile.INTERMEDIATE : TlsProfile.parse(rec.tlsProfile()),
                node.keys().serverCert(), node.keys().serverKey(), node.keys().serverRoot());
    }

    private static Report converge(Report report, Node node, Optional<InstallRecord> record, TlsSettings target,
                                   NodeKeys.Plan keys, FirewallPlan firewallPlan, boolean dryRun, boolean noLive,
                                   NodeHook hook) {
        SessionCaching.require(node, target.authClients());
        // Chosen (and its tool checked) before anything is touched.
        Firewall firewall = firewallPlan.select(node.host(), record);
        Optional<LiveNode> live = node.connectForChange();
        try {
            if (live.isEmpty() && !noLive && !dryRun && node.restartCommand() == null) {
                throw RedisTlsException.failed("Redis at " + node.address() + ":" + (node.plainPort() != 0 ? node.plainPort() : node.tlsPort())
                        + node.where() + " is not running: start it, or pass --restart-command CMD, or --no-live to only write files");
            }
            Map<String, String> liveNow = live.map(LiveApply::snapshot).orElse(null);
            if (liveNow != null) {
                checkPorts(node, liveNow, target);
                ClusterGuard.refuseLoneBusSwitch(node, live.get(), liveNow.get("tls-cluster"), target.cluster() ? "yes" : "no");
            }

            SafeFiles files = new SafeFiles(node.host());
            RedisConf edited = RedisConf.parse(node.confPath(), node.conf().text(), files);
            List<ConfChange> earlier = record.map(InstallRecord::changes).orElse(List.of());
            List<ConfChange> changes = ConfEditor.apply(edited, target.directives(), earlier);
            List<String> peerLines = hook.confEdit().apply(edited);
            report.phases().mark("read live node and config");
            if (dryRun) {
                return dryRunReport(report, node, changes, keys, target, live.isPresent(), firewall);
            }

            byte[] current = node.conf().bytes();
            byte[] newConf = edited.bytes();
            String firewallName = firewall.isNone() ? null : firewall.name();
            InstallRecord newRecord = record.orElseGet(() -> InstallRecord.first(node.confPath(),
                            Base64.getEncoder().encodeToString(current)))
                    .with(sha256(newConf), sha256(current), changes, target.modeName(), target.port(), target.tlsPort(),
                            target.authClients().word(), target.replication(), target.cluster(), target.profile().word(),
                            firewallName, firewallName == null ? 0 : target.tlsPort());

            // A keys dir made here goes again if the change fails, so that a failed install leaves nothing behind.
            boolean keysDirMade = keys != null && !files.exists(node.keys().dir());
            if (keys != null) {
                keys.prepare();
            }
            FileBatch batch = new FileBatch(node.host(), true);
            if (keys != null) {
                keys.stage(batch);
            }
            // The record lands before the config it describes: a run killed in between is recognised and finished.
            batch.write(InstallRecord.path(node.keys()), newRecord.toBytes(), FileModes.PRIVATE, FileOwner.current(node.host()));
            batch.replace(node.confPath(), newConf);
            Runnable undoMore = () -> {
                if (keysDirMade) {
                    files.removeEmptyTree(node.keys().dir());
                }
                if (keys != null) {
                    keys.undoRoot();
                }
            };
            Optional<LiveNode> proven;
            try {
                if (keys != null && !keys.kept()) {
                    report.done((keys.rootCreated() ? "Created root CA in " + keys.request().caHome().dir() + "; issued" : "Issued")
                            + " certificates for " + keys.request().hostname() + " in " + node.keys().dir() + node.where());
                }
                reportConfChanges(report, node, changes, earlier, target.profile());
                peerLines.forEach(report::done);
                proven = Rollout.run(node, live, batch,
                        l -> {
                            LiveApply.apply(l, liveNow, LiveValues.of(target));
                            // Redis skips loading certificate files while no TLS listener is open, and a node that had TLS
                            // before keeps its old context in memory: load them now that the port is open, proven by fingerprint.
                            reload(l, node, target);
                            hook.afterLive().accept(l);
                        },
                        hook.afterRestart(),
                        () -> moveFirewall(firewall, firewallPlan.allowFrom(), record, target, report),
                        "Applied live on %s with CONFIG SET (no restart)",
                        "Redis is not running: the files are written; it serves TLS when started", report);
            } catch (RuntimeException e) {
                undoMore.run();
                throw e;
            }
            if (proven.isPresent()) {
                if (proven.get() != live.orElse(null)) {
                    try (LiveNode restarted = proven.get()) {
                        report.verification(Proof.verify(node, target, restarted));
                    }
                } else {
                    report.verification(Proof.verify(node, target, proven.get()));
                }
                report.phases().mark("proof");
            }
            nextSteps(report, node, target);
            return report;
        } finally {
            live.ifPresent(LiveNode::close);
        }
    }

    private static void reportConfChanges(Report report, Node node, List<ConfChange> changes, List<ConfChange> earlier,
                                          TlsProfile profile) {
        List<ConfChange> fresh = new ArrayList<>();
        for (ConfChange c : changes) {
            if (earlier.stream().noneMatch(e -> e.after().equals(c.after()))) {
                fresh.add(c);
            }
        }
        report.done(fresh.isEmpty() ? node.confPath() + " already has these TLS settings"
                : "Wrote " + fresh.size() + " TLS setting(s) to " + node.confPath() + node.where());
        for (ConfChange c : fresh) {
            if (c.before() != null && POLICY.contains(c.directive())
                    && earlier.stream().noneMatch(e -> e.directive().equals(c.directive()))) {
                List<String> before = ConfSyntax.split(c.before());
                String value = before == null ? "" : String.join(" ", before.subList(1, before.size()));
                String change = "'" + c.before().strip() + "' is now '" + c.after() + "'";
                if (!profile.allowsNoMoreThan(c.directive(), value)) {
                    report.done("Replaced a weaker TLS setting: " + change);
                } else if (profile.allowsLessThan(c.directive(), value)) {
                    // An operator's stricter choice is widened to the profile: say so, and how to keep TLS 1.3 only.
                    boolean tls13Only = "tls-protocols".equals(c.directive()) && profile != TlsProfile.MODERN
                            && TlsProfile.MODERN.allowsNoMoreThan(c.directive(), value);
                    report.done("Widened a stricter TLS setting to the " + profile.word() + " profile: " + change
                            + (tls13Only ? " (--tls-profile modern keeps TLS 1.3 only)" : ""));
                }
            }
        }
    }

    static void reload(LiveNode live, Node node, TlsSettings target) {
        LiveApply.reloadCertificates(live, node.host(), live.endpoint().withPort(target.tlsPort()), node.keys());
    }

    private static void moveFirewall(Firewall firewall, List<String> allowFrom, Optional<InstallRecord> record,
                                     TlsSettings target, Report report) {
        if (firewall.isNone()) {
            return;
        }
        int old = record.map(InstallRecord::firewallPort).orElse(0);
        FirewallPlan.report(firewall.open(target.tlsPort(), allowFrom), report);
        if (old != 0 && old != target.tlsPort()) {
            // the add-on's "remove the rule for port 6380" step of forcing TLS
            FirewallPlan.report(firewall.close(old), report);
        }
    }

    private static void checkPorts(Node node, Map<String, String> liveNow, TlsSettings target) {
        String tlsNow = liveNow.get("tls-port");
        String plainNow = liveNow.get("port");
        String tls = String.valueOf(target.tlsPort());
        if (!tls.equals(tlsNow) && !tls.equals(plainNow)) {
            PortCheck.requireFree(node, "TLS port", target.tlsPort());
        }
        String plain = String.valueOf(target.port());
        if (target.port() != 0 && !plain.equals(plainNow) && !plain.equals(tlsNow)) {
            PortCheck.requireFree(node, "port", target.port());
        }
    }

    private static Report dryRunReport(Report report, Node node, List<ConfChange> changes, NodeKeys.Plan keys,
                                       TlsSettings target, boolean running, Firewall firewall) {
        report.done("Dry run: nothing was changed. " + node.confPath() + node.where() + " would get:");
        for (ConfChange c : changes) {
            if (c.before() != null) {
                report.done("- " + c.before());
            }
            report.done("+ " + c.after());
        }
        if (keys != null && !keys.kept()) {
            report.done("and " + node.keys().dir() + " would get server/{root.crt,server.crt,server.key}, client/{root.crt,client.crt,client.key}"
                    + (keys.rootCreated() ? ", from a new root CA in " + keys.request().caHome().dir() : ""));
        }
        report.done(running ? "then apply them live with CONFIG SET (no restart) and verify with a TLS handshake"
                : node.restartCommand() != null ? "then restart the node with: " + node.restartCommand()
                : "Redis is not running: it would serve TLS when started");
        if (!firewall.isNone()) {
            report.done("and open tcp port " + target.tlsPort() + " with " + firewall.name() + " (" + firewall.reason() + ")");
        }
        return report;
    }

    static void nextSteps(Report report, Node node, TlsSettings target) {
        String auth = target.authClients() == AuthClients.YES
                ? " --cert " + node.keys().clientCert() + " --key " + node.keys().clientKey() : "";
        report.next("redis-cli --tls -h " + node.address() + " -p " + target.tlsPort() + " --cacert " + node.keys().clientRoot() + auth + " PING");
        report.next("redis-tls status --conf " + node.confPath()
                + (node.keys().dir().equals(dev.redistls.pki.KeysDir.DEFAULT) ? "" : " --keys-dir " + node.keys().dir())
                + (node.host().isLocal() ? "" : " --host " + node.host().name()));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
