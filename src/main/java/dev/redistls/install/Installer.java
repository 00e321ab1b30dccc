package dev.redistls.install;

import dev.redistls.RedisTlsException;
import dev.redistls.conf.AuthClients;
import dev.redistls.conf.ConfChange;
import dev.redistls.conf.ConfEditor;
import dev.redistls.conf.ModeChange;
import dev.redistls.conf.RedisConf;
import dev.redistls.conf.TlsSettings;
import dev.redistls.files.AtomicFile;
import dev.redistls.files.FileBatch;
import dev.redistls.files.FileOwner;
import dev.redistls.firewall.Firewall;
import dev.redistls.node.LiveApply;
import dev.redistls.node.LiveNode;
import dev.redistls.pki.CaHome;
import dev.redistls.pki.KeyType;
import dev.redistls.pki.NodeKeys;
import dev.redistls.pki.Pem;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code install} and {@code configure}: bring a node to a TLS mode. Everything is checked and made in memory
 * first; then the files are written (certificates, config, install record) in one batch; then the running node
 * is changed live with CONFIG SET; then the result is proven. If the live change fails, every file is put back.
 */
public final class Installer {
    /** What install needs beyond the node: how to make certificates, the mode, and how far to go. */
    public record Request(Node node, CaHome caHome, String hostname, List<String> sans, KeyType keyType, int days,
                          FileOwner owner, ModeChange mode, FirewallPlan firewall, boolean dryRun, boolean noLive) {
    }

    private Installer() {
    }

    public static Report install(Request r) {
        Node node = r.node();
        Optional<InstallRecord> record = node.record();
        TlsSettings base = record.map(rec -> settings(rec, node))
                .orElseGet(() -> new TlsSettings(node.plainPort(), ModeChange.DEFAULT_TLS_PORT, AuthClients.OPTIONAL,
                        false, false, node.keys().serverCert(), node.keys().serverKey(), node.keys().serverRoot()));
        TlsSettings target = r.mode().applyTo(base);
        NodeKeys.Plan keys = NodeKeys.plan(new NodeKeys.Request(node.keys(), r.caHome(), r.hostname(), r.sans(),
                r.keyType(), r.days(), r.owner(), false));
        return converge(node, record, target, keys, r.firewall(), r.dryRun(), r.noLive());
    }

    /** {@code configure}: a new mode for an installed node; its certificates stay. */
    public static Report configure(Node node, ModeChange mode, FirewallPlan firewall, boolean dryRun) {
        InstallRecord record = node.record().orElseThrow(() -> RedisTlsException.badInput(
                "redis-tls is not installed on " + node.confPath() + " (no install record in " + node.keys().dir()
                        + "): run 'redis-tls install' first"));
        TlsSettings target = mode.applyTo(settings(record, node));
        return converge(node, Optional.of(record), target, null, firewall, dryRun, false);
    }

    static TlsSettings settings(InstallRecord rec, Node node) {
        return new TlsSettings(rec.port(), rec.tlsPort(), AuthClients.parse(rec.authClients()), rec.replication(),
                rec.cluster(), node.keys().serverCert(), node.keys().serverKey(), node.keys().serverRoot());
    }

    private static Report converge(Node node, Optional<InstallRecord> record, TlsSettings target, NodeKeys.Plan keys,
                                   FirewallPlan firewallPlan, boolean dryRun, boolean noLive) {
        Report report = new Report();
        // Chosen (and its tool checked) before anything is touched.
        Firewall firewall = firewallPlan.select(record);
        Optional<LiveNode> live = node.connectForChange();
        try {
            if (live.isEmpty() && !noLive && !dryRun && node.restartCommand() == null) {
                throw RedisTlsException.failed("Redis at " + node.host() + ":" + (node.plainPort() != 0 ? node.plainPort() : node.tlsPort())
                        + " is not running: start it, or pass --restart-command CMD, or --no-live to only write files");
            }
            Map<String, String> liveNow = live.map(LiveApply::snapshot).orElse(null);
            if (liveNow != null) {
                checkPorts(liveNow, target);
            }

            RedisConf edited = RedisConf.parse(node.confPath(), node.conf().text());
            List<ConfChange> changes = ConfEditor.apply(edited, target.directives(),
                    record.map(InstallRecord::changes).orElse(List.of()));
            if (dryRun) {
                return dryRunReport(report, node, changes, keys, target, live.isPresent(), firewall);
            }

            byte[] newConf = edited.bytes();
            String firewallName = "none".equals(firewall.name()) ? null : firewall.name();
            InstallRecord newRecord = record.orElseGet(() -> new InstallRecord(1, node.confPath().toAbsolutePath().toString(),
                            Base64.getEncoder().encodeToString(node.conf().bytes()), null, List.of(), null, 0, 0, null,
                            false, false, null, 0))
                    .with(sha256(newConf), changes, target.modeName(), target.port(), target.tlsPort(),
                            target.authClients().word(), target.replication(), target.cluster(),
                            firewallName, firewallName == null ? 0 : target.tlsPort());

            // Directories made here go again if the change fails, so that a failed install leaves nothing behind.
            List<Path> madeDirs = new ArrayList<>();
            if (keys != null) {
                if (!Files.exists(node.keys().dir())) {
                    madeDirs.add(node.keys().dir());
                }
                if (keys.rootCreated() && !Files.exists(keys.request().caHome().dir())) {
                    madeDirs.add(keys.request().caHome().dir());
                }
            }
            FileBatch batch = new FileBatch();
            try {
                if (keys != null) {
                    keys.prepare();
                    keys.stage(batch);
                }
                batch.replace(node.confPath(), newConf);
                batch.write(InstallRecord.path(node.keys()), newRecord.toBytes(),
                        AtomicFile.PRIVATE, keys != null ? keys.request().owner() : null);
                batch.commit();
            } catch (RuntimeException e) {
                madeDirs.forEach(AtomicFile::removeEmptyTree);
                throw e;
            }
            if (keys != null && !keys.kept()) {
                report.done((keys.rootCreated() ? "Created root CA in " + keys.request().caHome().dir() + "; issued" : "Issued")
                        + " certificates for " + keys.request().hostname() + " in " + node.keys().dir());
            }
            long changed = changes.stream().filter(c -> record.map(InstallRecord::changes).orElse(List.of()).stream()
                    .noneMatch(e -> e.after().equals(c.after()))).count();
            report.done(changed == 0 ? node.confPath() + " already has these TLS settings"
                    : "Wrote " + changed + " TLS setting(s) to " + node.confPath());

            try {
                if (live.isPresent()) {
                    LiveApply.apply(live.get(), liveNow, LiveValues.of(target));
                    // Redis skips loading certificate files while no TLS listener is open, and a node that had TLS
                    // before keeps its old context in memory: load them now that the port is open, proven by fingerprint.
                    reload(live.get(), node, target);
                    report.done("Applied live on " + live.get().endpoint() + " with CONFIG SET (no restart)");
                } else if (node.restartCommand() != null) {
                    Restart.run(node.restartCommand());
                    live = Optional.of(Waits.untilRunning(node));
                    report.done("Restarted the node with: " + node.restartCommand());
                } else {
                    report.note("Redis is not running: the files are written; it serves TLS when started");
                }
                moveFirewall(firewall, firewallPlan.allowFrom(), record, target, report);
            } catch (RuntimeException e) {
                batch.undo();
                madeDirs.forEach(AtomicFile::removeEmptyTree);
                live.ifPresent(n -> restoreQuietly(n, liveNow));
                throw e;
            }
            if (live.isPresent()) {
                report.verification(Proof.verify(node, target, live.get()));
            }
            nextSteps(report, node, target);
            return report;
        } finally {
            live.ifPresent(LiveNode::close);
        }
    }

    static void reload(LiveNode live, Node node, TlsSettings target) {
        dev.redistls.pki.KeysDir k = node.keys();
        LiveApply.reloadCertificates(live, live.endpoint().withPort(target.tlsPort()), k.serverCert(), k.serverKey(),
                k.serverRoot(), Pem.readCertificate(k.clientRoot()), Pem.readCertificate(k.clientCert()),
                Pem.readPrivateKey(k.clientKey()), Pem.readCertificate(k.serverCert()));
    }

    private static void moveFirewall(Firewall firewall, List<String> allowFrom, Optional<InstallRecord> record,
                                     TlsSettings target, Report report) {
        if ("none".equals(firewall.name())) {
            return;
        }
        int old = record.map(InstallRecord::firewallPort).orElse(0);
        FirewallPlan.report(firewall.open(target.tlsPort(), allowFrom), report);
        if (old != 0 && old != target.tlsPort()) {
            // the add-on's "remove the rule for port 6380" step of forcing TLS
            FirewallPlan.report(firewall.close(old), report);
        }
    }

    private static void checkPorts(Map<String, String> liveNow, TlsSettings target) {
        String tlsNow = liveNow.get("tls-port");
        String plainNow = liveNow.get("port");
        String tls = String.valueOf(target.tlsPort());
        if (!tls.equals(tlsNow) && !tls.equals(plainNow)) {
            PortCheck.requireFree("TLS port", target.tlsPort());
        }
        String plain = String.valueOf(target.port());
        if (target.port() != 0 && !plain.equals(plainNow) && !plain.equals(tlsNow)) {
            PortCheck.requireFree("port", target.port());
        }
    }

    private static void restoreQuietly(LiveNode node, Map<String, String> before) {
        try {
            LiveApply.apply(node, LiveApply.snapshot(node), before);
        } catch (RuntimeException ignored) {
            // the original failure is the one to report
        }
    }

    private static Report dryRunReport(Report report, Node node, List<ConfChange> changes, NodeKeys.Plan keys,
                                       TlsSettings target, boolean running, Firewall firewall) {
        report.done("Dry run: nothing was changed. " + node.confPath() + " would get:");
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
        if (!"none".equals(firewall.name())) {
            report.done("and open tcp port " + target.tlsPort() + " with " + firewall.name() + " (" + firewall.reason() + ")");
        }
        return report;
    }

    static void nextSteps(Report report, Node node, TlsSettings target) {
        String auth = target.authClients() == AuthClients.YES
                ? " --cert " + node.keys().clientCert() + " --key " + node.keys().clientKey() : "";
        report.next("redis-cli --tls -h " + node.host() + " -p " + target.tlsPort() + " --cacert " + node.keys().clientRoot() + auth + " PING");
        report.next("redis-tls status --conf " + node.confPath());
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
