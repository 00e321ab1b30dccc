package dev.redistls.install;

import dev.redistls.RedisTlsException;
import dev.redistls.conf.ConfEditor;
import dev.redistls.conf.EffectiveConf;
import dev.redistls.conf.RedisConf;
import dev.redistls.files.AtomicFile;
import dev.redistls.files.FileBatch;
import dev.redistls.firewall.Firewall;
import dev.redistls.node.Endpoint;
import dev.redistls.node.LiveApply;
import dev.redistls.node.LiveNode;
import dev.redistls.node.TlsProbe;
import dev.redistls.node.Verification;

import java.nio.file.Files;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * {@code uninstall}: the config goes back to what it was before install (byte for byte when nobody edited it
 * since; otherwise the tool's lines are taken out and a person's edits are kept and reported), the running node
 * closes TLS live, the keys dir is removed (unless --keep-certs), and the firewall rule goes. The CA home stays.
 */
public final class Uninstaller {
    private Uninstaller() {
    }

    public static Report uninstall(Node node, boolean keepCerts, FirewallPlan firewallPlan) {
        Report report = new Report();
        Optional<InstallRecord> found = node.record();
        if (found.isEmpty()) {
            if (node.tlsPort() != 0) {
                // TLS is on, but whatever turned it on left no record of what the file was before.
                throw RedisTlsException.badInput(node.confPath() + " serves TLS on port " + node.tlsPort()
                        + ", but " + node.keys().dir() + " holds no install record of redis-tls: pass the --keys-dir it was"
                        + " installed with, or take the tls-* lines out of the file by hand");
            }
            return report.done("redis-tls is not installed on " + node.confPath() + " (no install record in "
                    + node.keys().dir() + "); nothing to do.");
        }
        InstallRecord record = found.get();
        Firewall firewall = firewallPlan.select(found);
        byte[] restored;
        byte[] current = node.conf().bytes();
        if (Installer.sha256(current).equals(record.installedSha256())) {
            restored = Base64.getDecoder().decode(record.originalConf());
        } else {
            RedisConf copy = RedisConf.parse(node.confPath(), node.conf().text());
            ConfEditor.Reverted r = ConfEditor.revert(copy, record.changes());
            r.handEdited().forEach(report::note);
            report.note(node.confPath() + " was edited after install: the edits are kept, only redis-tls's lines were taken out");
            restored = copy.bytes();
        }
        EffectiveConf after = EffectiveConf.of(RedisConf.parse(node.confPath(), Installer.text(restored)));
        Map<String, String> wanted = LiveValues.of(after);

        Optional<LiveNode> live = node.connectForChange();
        try {
            FileBatch batch = new FileBatch().replace(node.confPath(), restored).delete(InstallRecord.path(node.keys()));
            if (!keepCerts) {
                node.keys().files().stream().filter(Files::exists).forEach(batch::delete);
            }
            batch.commit();
            report.done("Restored " + node.confPath() + (Installer.sha256(restored).equals(Installer.sha256(
                    Base64.getDecoder().decode(record.originalConf()))) ? " to its exact pre-install bytes" : ""));
            Map<String, String> before = null;
            try {
                if (live.isPresent()) {
                    before = LiveApply.snapshot(live.get());
                    LiveApply.apply(live.get(), before, wanted);
                    report.done("Closed TLS live on " + live.get().endpoint() + " with CONFIG SET (no restart)");
                } else if (node.restartCommand() != null) {
                    Restart.run(node.restartCommand());
                    report.done("Restarted the node with: " + node.restartCommand());
                } else {
                    report.note("Redis is not running: the config is restored; it starts without TLS");
                }
                if (record.firewallPort() != 0 && !"none".equals(firewall.name())) {
                    FirewallPlan.report(firewall.close(record.firewallPort()), report);
                }
            } catch (RuntimeException e) {
                batch.undo();
                if (live.isPresent() && before != null) {
                    try {
                        LiveApply.apply(live.get(), LiveApply.snapshot(live.get()), before);
                    } catch (RuntimeException ignored) {
                        // the original failure is the one to report
                    }
                }
                throw e;
            }
            if (!keepCerts) {
                AtomicFile.removeEmptyTree(node.keys().dir());
                report.done("Removed " + node.keys().dir() + " (the root CA stays in its CA home)");
            } else {
                report.done("Kept the certificates in " + node.keys().dir());
            }
            live.ifPresent(n -> proveClosed(node, n, record, wanted, report));
            return report;
        } finally {
            live.ifPresent(LiveNode::close);
        }
    }

    private static void proveClosed(Node node, LiveNode live, InstallRecord record, Map<String, String> wanted,
                                    Report report) {
        Verification v = new Verification();
        int plain = Integer.parseInt(wanted.get("port"));
        if (plain != record.tlsPort()) {
            Endpoint tls = live.endpoint().withPort(record.tlsPort());
            v.add("TLS port " + record.tlsPort() + " closed", !TlsProbe.listening(tls), "");
        }
        if (plain > 0) {
            boolean pong;
            try (LiveNode plainNode = LiveNode.connect(live.endpoint().withPort(plain), null, node.credentials())) {
                pong = "PONG".equals(plainNode.ping());
            } catch (RuntimeException e) {
                pong = false;
            }
            v.add("plain port " + plain + " answers PING", pong, "");
        }
        report.verification(v);
    }
}
