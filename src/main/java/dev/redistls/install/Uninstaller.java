package dev.redistls.install;

import dev.redistls.RedisTlsException;
import dev.redistls.conf.ConfEditor;
import dev.redistls.conf.EffectiveConf;
import dev.redistls.conf.RedisConf;
import dev.redistls.files.FileBatch;
import dev.redistls.files.FileModes;
import dev.redistls.files.FileOwner;
import dev.redistls.files.SafeFiles;
import dev.redistls.firewall.Firewall;
import dev.redistls.node.Endpoint;
import dev.redistls.node.InstallRecord;
import dev.redistls.node.LiveApply;
import dev.redistls.node.LiveNode;
import dev.redistls.node.Node;
import dev.redistls.node.NodeVerifier;
import dev.redistls.node.Verification;

import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * {@code uninstall}: the config goes back to what it was before install (byte for byte when nobody edited it
 * since; otherwise the tool's lines are taken out and a person's edits are kept and reported), the running node
 * closes TLS live, the firewall rule goes, the keys dir is removed (unless --keep-certs), and the install record goes
 * last. Until then the record says an uninstall is under way, so a run killed at any point is finished by running
 * the same command again. The CA home stays.
 */
public final class Uninstaller {
    private Uninstaller() {
    }

    public static Report uninstall(Node node, boolean keepCerts, FirewallPlan firewallPlan) {
        return uninstall(node, keepCerts, firewallPlan, NodeHook.NONE);
    }

    /**
     * Uninstall with a group's additions to this node (see {@link NodeHook}): its config edit runs on the config
     * being restored (lines its peers decide, which may have moved since install), its live step after TLS closed.
     */
    public static Report uninstall(Node node, boolean keepCerts, FirewallPlan firewallPlan, NodeHook hook) {
        Report report = new Report();
        Optional<InstallRecord> found = node.record();
        if (found.isEmpty()) {
            if (node.tlsPort() != 0) {
                // TLS is on, but whatever turned it on left no record of what the file was before.
                throw RedisTlsException.badInput(node.confPath() + node.where() + " serves TLS on port " + node.tlsPort()
                        + ", but " + node.keys().dir() + " holds no install record of redis-tls: pass the --keys-dir it was"
                        + " installed with, or take the tls-* lines out of the file by hand");
            }
            // A run killed after it removed the record leaves at most empty directories: those go, nothing else does.
            new SafeFiles(node.host()).removeEmptyTree(node.keys().dir());
            return report.done("redis-tls is not installed on " + node.confPath() + node.where() + " (no install record in "
                    + node.keys().dir() + "); nothing to do.");
        }
        InstallRecord record = found.get();
        Firewall firewall = firewallPlan.select(node.host(), found);
        byte[] current = node.conf().bytes();
        byte[] original = Base64.getDecoder().decode(record.originalConf());
        String currentSha = Installer.sha256(current);
        byte[] restored;
        if (record.uninstalling() && currentSha.equals(record.restoredSha256())) {
            restored = current;
            report.note("finishing an uninstall that was interrupted");
        } else if (record.wrote(currentSha)) {
            restored = original;
        } else {
            RedisConf copy = RedisConf.parse(node.confPath(), node.conf().text(), new SafeFiles(node.host()));
            ConfEditor.Reverted r = ConfEditor.revert(copy, record.changes());
            r.handEdited().forEach(report::note);
            report.note(node.confPath() + " was edited after install: the edits are kept, only redis-tls's lines were taken out");
            restored = copy.bytes();
        }
        RedisConf restoredConf = RedisConf.parse(node.confPath(), Installer.text(restored), new SafeFiles(node.host()));
        hook.confEdit().apply(restoredConf).forEach(report::done);
        restored = restoredConf.bytes();
        EffectiveConf after = EffectiveConf.of(restoredConf);
        Map<String, String> wanted = LiveValues.of(after);

        Optional<LiveNode> live = node.connectForChange();
        Optional<LiveNode> proven = Optional.empty();
        try {
            if (live.isPresent()) {
                ClusterGuard.refuseLoneBusSwitch(node, live.get(), LiveApply.snapshot(live.get()).get("tls-cluster"),
                        wanted.get("tls-cluster"));
            }
            // 1. The record says what is under way before anything changes.
            FileOwner me = FileOwner.current(node.host());
            InstallRecord marked = record.uninstalling(Installer.sha256(restored));
            FileBatch mark = new FileBatch(node.host(), true)
                    .write(InstallRecord.path(node.keys()), marked.toBytes(), FileModes.PRIVATE, me);
            mark.commit();
            // 2. The config, then the live node and the firewall, undone together if the live step fails.
            FileBatch conf = new FileBatch(node.host(), true).replace(node.confPath(), restored);
            report.done("Restored " + node.confPath() + node.where()
                    + (Installer.sha256(restored).equals(Installer.sha256(original)) ? " to its exact pre-install bytes" : ""));
            try {
                proven = Rollout.run(node, live, conf,
                        l -> {
                            LiveApply.apply(l, LiveApply.snapshot(l), wanted);
                            hook.afterLive().accept(l);
                        },
                        hook.afterRestart(),
                        () -> {
                            if (record.firewallPort() != 0 && !firewall.isNone()) {
                                FirewallPlan.report(firewall.close(record.firewallPort()), report);
                            }
                        },
                        "Closed TLS live on %s with CONFIG SET (no restart)",
                        "Redis is not running: the config is restored; it starts without TLS", report);
            } catch (RuntimeException e) {
                mark.undo();
                throw e;
            }
            // 3. Keys and their directories, then the record last.
            SafeFiles files = new SafeFiles(node.host());
            if (!keepCerts) {
                FileBatch keys = new FileBatch(node.host(), true);
                node.keys().files().stream().filter(files::exists).forEach(keys::delete);
                keys.commit();
                for (java.nio.file.Path d : java.util.List.of(node.keys().dir().resolve("server"), node.keys().dir().resolve("client"))) {
                    files.removeEmptyTree(d);
                }
            }
            new FileBatch(node.host(), true).delete(InstallRecord.path(node.keys())).commit();
            if (!keepCerts) {
                removeKeysDir(node, files, report);
            } else {
                report.done("Kept the certificates in " + node.keys().dir());
            }
            if (proven.isPresent()) {
                proveClosed(node, proven.get(), record, wanted, report);
            }
            return report;
        } finally {
            live.ifPresent(LiveNode::close);
            proven.filter(p -> p != live.orElse(null)).ifPresent(LiveNode::close);
        }
    }

    /**
     * Removes the keys dir's directories when empty. A keys dir that is an operator's link stays (with its target
     * directory): only what the tool made inside it goes.
     */
    private static void removeKeysDir(Node node, SafeFiles files, Report report) {
        boolean link = files.lstat(node.keys().dir()).map(s -> s.isSymlink()).orElse(false);
        if (link) {
            report.done("Removed the certificates from " + node.keys().dir() + " (a symbolic link, kept with its target)");
            return;
        }
        files.removeEmptyTree(node.keys().dir());
        report.done("Removed " + node.keys().dir() + node.where() + " (the root CA stays in its CA home)");
    }

    private static void proveClosed(Node node, LiveNode live, InstallRecord record, Map<String, String> wanted,
                                    Report report) {
        Verification v = new Verification();
        int plain = Integer.parseInt(wanted.get("port"));
        if (plain != record.tlsPort()) {
            v.add("TLS port " + record.tlsPort() + " closed", !NodeVerifier.listening(node.host(), record.tlsPort()), "");
        }
        if (plain > 0) {
            boolean pong;
            Endpoint endpoint = live.endpoint().withPort(plain);
            try (LiveNode plainNode = LiveNode.connect(node.host(), endpoint, null, node.credentials())) {
                pong = "PONG".equals(plainNode.ping());
            } catch (RuntimeException e) {
                pong = false;
            }
            v.add("plain port " + plain + " answers PING", pong, "");
        }
        report.verification(v);
    }
}
