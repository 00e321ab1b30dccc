package dev.redistls.install;

import dev.redistls.RedisTlsException;
import dev.redistls.files.FileBatch;
import dev.redistls.files.FileOwner;
import dev.redistls.node.LiveNode;
import dev.redistls.node.Verification;
import dev.redistls.pki.CaHome;
import dev.redistls.pki.CertInfo;
import dev.redistls.pki.CertificateAuthority;
import dev.redistls.pki.IssuedCertificate;
import dev.redistls.pki.KeyType;
import dev.redistls.pki.KeysDir;
import dev.redistls.pki.Pem;
import dev.redistls.pki.SubjectNames;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code reissue} and {@code renew}: new leaf certificates from the same root, for the same names, written over
 * the old ones and loaded live; the node keeps serving throughout and the new fingerprint is proven.
 */
public final class Reissuer {
    /** Which leaves, and how: {@code keyType} null keeps each leaf's current key type. */
    public record Request(Node node, CaHome caHome, boolean server, boolean client, KeyType keyType, int days,
                          List<String> extraSans, FileOwner owner) {
    }

    private Reissuer() {
    }

    public static Report reissue(Request r) {
        KeysDir keys = r.node().keys();
        if (!keys.isComplete()) {
            throw RedisTlsException.badInput("keys dir " + keys.dir() + " is missing certificates: run 'redis-tls install' (or 'certs') first");
        }
        CertificateAuthority.requireLeafDays(r.days());
        CertificateAuthority ca = r.caHome().load().orElseThrow(() -> RedisTlsException.badInput(
                "no root CA in " + r.caHome().dir() + ": reissue needs the root that signed " + keys.dir() + "; pass --ca-home"));
        keys.requireSameRoot(ca, r.caHome());
        X509Certificate oldServer = Pem.readCertificate(keys.serverCert());
        X509Certificate oldClient = Pem.readCertificate(keys.clientCert());

        Report report = new Report();
        FileBatch batch = new FileBatch();
        X509Certificate newServer = oldServer;
        if (r.server()) {
            IssuedCertificate s = ca.issueNode(commonName(oldServer), sameNames(oldServer, r.extraSans()),
                    keyType(r.keyType(), keys.serverKey()), r.days());
            keys.stageServer(batch, ca.certificate(), s, r.owner());
            newServer = s.certificate();
            report.done("Issued a new server certificate for " + commonName(oldServer) + ", valid until "
                    + newServer.getNotAfter().toInstant() + " (sha256 " + CertInfo.sha256(newServer) + ")");
        }
        if (r.client()) {
            IssuedCertificate c = ca.issueClient(commonName(oldClient), keyType(r.keyType(), keys.clientKey()), r.days());
            keys.stageClient(batch, ca.certificate(), KeysDir.DEFAULT_CLIENT, c, r.owner());
            report.done("Issued a new client certificate " + commonName(oldClient) + ", valid until " + c.certificate().getNotAfter().toInstant());
        }
        Optional<InstallRecord> record = r.node().record();
        Optional<LiveNode> live = record.isPresent() ? r.node().connectForChange() : Optional.empty();
        try {
            batch.commit();
            if (live.isEmpty() && record.isPresent() && r.node().restartCommand() != null) {
                try {
                    Restart.run(r.node().restartCommand());
                    live = Optional.of(Waits.untilRunning(r.node()));
                } catch (RuntimeException e) {
                    batch.undo();
                    throw e;
                }
                report.done("Restarted the node with: " + r.node().restartCommand());
            } else if (live.isEmpty()) {
                report.note(record.isPresent() ? "Redis is not running: it loads the new certificates when started"
                        : "TLS is not installed on " + r.node().confPath() + ": only the files were changed");
                return report;
            } else if (r.server()) {
                try {
                    Installer.reload(live.get(), r.node(), Installer.settings(record.get(), r.node()));
                } catch (RuntimeException e) {
                    batch.undo();
                    throw e;
                }
                report.done("Reloaded live on " + live.get().endpoint() + " (no restart)");
            }
            Verification v = Proof.verify(r.node(), Installer.settings(record.get(), r.node()), live.get());
            report.verification(v);
            return report;
        } finally {
            live.ifPresent(LiveNode::close);
        }
    }

    /** Reissues only the leaves with fewer than {@code withinDays} days left. */
    public static Report renew(Node node, CaHome caHome, int withinDays, int days, FileOwner owner) {
        if (withinDays < 1) {
            throw RedisTlsException.badInput("--within must be at least 1 day, got " + withinDays);
        }
        KeysDir keys = node.keys();
        if (!keys.isComplete()) {
            throw RedisTlsException.badInput("keys dir " + keys.dir() + " is missing certificates: nothing to renew");
        }
        long serverLeft = CertInfo.daysLeft(Pem.readCertificate(keys.serverCert()));
        long clientLeft = CertInfo.daysLeft(Pem.readCertificate(keys.clientCert()));
        boolean server = serverLeft < withinDays;
        boolean client = clientLeft < withinDays;
        if (!server && !client) {
            return new Report().done("Nothing to renew: the server certificate has " + serverLeft
                    + " days left, the client certificate " + clientLeft + " (threshold " + withinDays + " days).");
        }
        return reissue(new Request(node, caHome, server, client, null, days, List.of(), owner));
    }

    private static String commonName(X509Certificate cert) {
        for (String rdn : cert.getSubjectX500Principal().getName().split(",")) {
            if (rdn.startsWith("CN=")) {
                return rdn.substring(3);
            }
        }
        throw RedisTlsException.badInput("certificate " + cert.getSubjectX500Principal().getName() + " has no CN");
    }

    private static SubjectNames sameNames(X509Certificate cert, List<String> extra) {
        SubjectNames names = new SubjectNames();
        List<String> all = new ArrayList<>();
        for (String san : CertInfo.sans(cert)) {
            all.add(san.substring(san.indexOf(':') + 1));
        }
        all.addAll(extra);
        all.forEach(names::add);
        return names;
    }

    private static KeyType keyType(KeyType requested, java.nio.file.Path keyFile) {
        return requested != null ? requested : KeyType.of(Pem.readPrivateKey(keyFile));
    }
}
