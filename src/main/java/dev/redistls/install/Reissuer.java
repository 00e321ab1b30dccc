package dev.redistls.install;

import dev.redistls.RedisTlsException;
import dev.redistls.conf.TlsSettings;
import dev.redistls.files.FileBatch;
import dev.redistls.files.FileOwner;
import dev.redistls.node.InstallRecord;
import dev.redistls.node.LiveNode;
import dev.redistls.node.Node;
import dev.redistls.pki.CaHome;
import dev.redistls.pki.CertInfo;
import dev.redistls.pki.CertificateAuthority;
import dev.redistls.pki.HostNames;
import dev.redistls.pki.IssuedCertificate;
import dev.redistls.pki.KeyType;
import dev.redistls.pki.KeysDir;
import dev.redistls.pki.SubjectNames;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code reissue} and {@code renew}: new leaf certificates from the same root, for the same names, written over
 * the old ones and loaded live; the node keeps serving throughout and the new fingerprint is proven.
 */
public final class Reissuer {
    /** Which leaves, and how: {@code keyType} null keeps each leaf's current key type. */
    public record Request(Node node, CaHome caHome, boolean server, boolean client, KeyType keyType, int days,
                          List<String> extraSans, FileOwner owner, Names names) {
        /** The names of the server certificate kept, with the host's current ones added. */
        public Request(Node node, CaHome caHome, boolean server, boolean client, KeyType keyType, int days,
                       List<String> extraSans, FileOwner owner) {
            this(node, caHome, server, client, keyType, days, extraSans, owner, Names.KEEP);
        }
    }

    /**
     * The names of a new server certificate. KEEP: the old certificate's names, plus the host's current name, FQDN and
     * addresses (adding a name never breaks a client). REFRESH: what install gives today (CN = the host's name, its
     * FQDN, addresses and the loopback names), dropping names the host no longer has; operator names must be given
     * again with --san.
     */
    public enum Names { KEEP, REFRESH }

    private Reissuer() {
    }

    public static Report reissue(Request r) {
        Node node = r.node();
        KeysDir keys = node.keys();
        if (!keys.isComplete()) {
            throw RedisTlsException.badInput("keys dir " + keys.dir() + node.where() + " is missing certificates: run 'redis-tls install' (or 'certs') first");
        }
        CertificateAuthority.requireLeafDays(r.days());
        CertificateAuthority ca = r.caHome().load().orElseThrow(() -> RedisTlsException.badInput(
                "no root CA in " + r.caHome().dir() + ": reissue needs the root that signed " + keys.dir() + "; pass --ca-home"));
        keys.requireSameRoot(r.caHome());
        keys.prepare(r.owner());
        X509Certificate oldServer = keys.certificate(keys.serverCert());
        X509Certificate oldClient = keys.certificate(keys.clientCert());
        // A reissue never drops a root the node trusts: only 'ca rotate finish' does, once no leaf needs it.
        List<X509Certificate> trust = Rollover.union(r.caHome().trust(), keys.trust(keys.serverRoot()));

        Report report = new Report();
        FileBatch batch = new FileBatch(node.host(), true);
        if (r.server()) {
            boolean refresh = r.names() == Names.REFRESH;
            String cn = refresh ? node.host().facts().hostName() : commonName(oldServer);
            SubjectNames names = refresh ? SubjectNames.forNode(cn, r.extraSans(), node.host().facts())
                    : HostNames.kept(oldServer, node.host().facts(), r.extraSans());
            IssuedCertificate s = ca.issueNode(cn, names, keyType(r.keyType(), keys, keys.serverKey()), r.days());
            keys.stageServer(batch, trust, s, r.owner());
            report.done("Issued a new server certificate for " + cn + node.where() + ", valid until "
                    + s.certificate().getNotAfter().toInstant() + " (sha256 " + CertInfo.sha256(s.certificate()) + ")");
            namesChanged(report, oldServer, s.certificate());
        }
        if (r.client()) {
            IssuedCertificate c = ca.issueClient(commonName(oldClient), keyType(r.keyType(), keys, keys.clientKey()), r.days());
            keys.stageClient(batch, trust, KeysDir.DEFAULT_CLIENT, c, r.owner());
            report.done("Issued a new client certificate " + commonName(oldClient) + ", valid until " + c.certificate().getNotAfter().toInstant());
        }
        if (trust.size() > 1) {
            report.note("A root rollover is under way: " + keys.dir() + " trusts " + trust.size()
                    + " roots until 'redis-tls ca rotate finish'");
        }
        Optional<InstallRecord> record = node.record();
        if (record.isEmpty()) {
            batch.commit();
            report.note("TLS is not installed on " + node.confPath() + node.where() + ": only the files were changed");
            return report;
        }
        TlsSettings settings = Installer.settings(record.get(), node);
        Optional<LiveNode> live = node.connectForChange();
        Optional<LiveNode> proven = Optional.empty();
        try {
            proven = Rollout.run(node, live, batch,
                    l -> {
                        if (r.server()) {
                            Installer.reload(l, node, settings);
                        }
                    },
                    () -> { },
                    r.server() ? "Reloaded live on %s (no restart)" : null,
                    "Redis is not running: it loads the new certificates when started", report);
            if (proven.isPresent()) {
                report.verification(Proof.verify(node, settings, proven.get()));
            }
            return report;
        } finally {
            live.ifPresent(LiveNode::close);
            proven.filter(p -> p != live.orElse(null)).ifPresent(LiveNode::close);
        }
    }

    /**
     * Reissues only the leaves with fewer than {@code withinDays} days left, and the server certificate when the host
     * moved (its name or a current address is missing): cron then heals a migrated or cloned node by itself.
     */
    public static Report renew(Node node, CaHome caHome, int withinDays, int days, FileOwner owner) {
        return renew(node, caHome, withinDays, days, () -> owner);
    }

    /**
     * As {@link #renew(Node, CaHome, int, int, FileOwner)}, choosing the owner of the keys only when there is
     * something to renew: finding the user Redis runs as means connecting to it, which a run with nothing due
     * (every day from the timer) does not need.
     */
    public static Report renew(Node node, CaHome caHome, int withinDays, int days, Supplier<FileOwner> owner) {
        if (withinDays < 1) {
            throw RedisTlsException.badInput("--within must be at least 1 day, got " + withinDays);
        }
        KeysDir keys = node.keys();
        if (!keys.isComplete()) {
            throw RedisTlsException.badInput("keys dir " + keys.dir() + " is missing certificates: nothing to renew");
        }
        X509Certificate serverCert = keys.certificate(keys.serverCert());
        long serverLeft = CertInfo.daysLeft(serverCert);
        long clientLeft = CertInfo.daysLeft(keys.certificate(keys.clientCert()));
        HostNames.Check names = HostNames.check(serverCert, node.host().facts());
        // A key beside a certificate it does not belong to (a run killed between the two renames) is renewed too.
        List<java.nio.file.Path> broken = keys.mismatchedPairs();
        boolean server = serverLeft < withinDays || broken.contains(keys.serverKey()) || !names.ok();
        boolean client = clientLeft < withinDays || broken.contains(keys.clientKey());
        if (!server && !client) {
            return new Report().done("Nothing to renew: the server certificate has " + serverLeft
                    + " days left, the client certificate " + clientLeft + " (threshold " + withinDays + " days),"
                    + " and it names this host and its addresses.");
        }
        Report report = reissue(new Request(node, caHome, server, client, null, days, List.of(), owner.get(), Names.KEEP));
        if (!names.ok()) {
            report.note("the server certificate lacked the host's current " + String.join(", ", names.missing())
                    + " (the host moved?): the new one names them");
        }
        return report;
    }

    /** Says which names a new server certificate gained and lost. */
    private static void namesChanged(Report report, X509Certificate before, X509Certificate after) {
        List<String> old = CertInfo.sans(before);
        List<String> now = CertInfo.sans(after);
        List<String> added = now.stream().filter(n -> !old.contains(n)).toList();
        List<String> dropped = old.stream().filter(n -> !now.contains(n)).toList();
        if (!added.isEmpty()) {
            report.done("  names added: " + String.join(", ", added));
        }
        if (!dropped.isEmpty()) {
            report.done("  names dropped: " + String.join(", ", dropped));
        }
    }

    private static String commonName(X509Certificate cert) {
        for (String rdn : cert.getSubjectX500Principal().getName().split(",")) {
            if (rdn.startsWith("CN=")) {
                return rdn.substring(3);
            }
        }
        throw RedisTlsException.badInput("certificate " + cert.getSubjectX500Principal().getName() + " has no CN");
    }


    private static KeyType keyType(KeyType requested, KeysDir keys, java.nio.file.Path keyFile) {
        if (requested != null) {
            return requested;
        }
        try {
            return KeyType.of(keys.privateKey(keyFile));
        } catch (RedisTlsException unreadable) {
            return KeyType.DEFAULT;
        }
    }
}
