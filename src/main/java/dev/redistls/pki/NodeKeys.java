package dev.redistls.pki;

import dev.redistls.files.FileBatch;
import dev.redistls.files.FileOwner;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The add-on's {@code selfcertgen}, done right: fills a node's keys dir with a server certificate and a default
 * client certificate issued from the group's root in the CA home (made when the home is empty).
 * All inputs are checked before anything is written; the files land together or not at all.
 */
public final class NodeKeys {
    /** What to make; {@code force} re-issues a complete keys dir (and overrides a foreign root). */
    public record Request(KeysDir keysDir, CaHome caHome, String hostname, List<String> sans, KeyType keyType,
                          int days, FileOwner owner, boolean force) {
    }

    /** What was made (or kept). */
    public record Result(KeysDir keysDir, CaHome caHome, boolean rootCreated, boolean kept,
                         X509Certificate root, X509Certificate server, X509Certificate client, FileOwner owner) {
    }

    private NodeKeys() {
    }

    public static Result write(Request r) {
        CertificateAuthority.requireLeafDays(r.days());
        SubjectNames names = SubjectNames.forNode(r.hostname(), r.sans());
        r.keysDir().requireApartFrom(r.caHome());
        CertificateAuthority existing = r.caHome().load().orElse(null);
        if (existing != null && !r.force()) {
            r.keysDir().requireSameRoot(existing, r.caHome());
        }
        if (!r.force() && r.keysDir().isComplete()) {
            return new Result(r.keysDir(), r.caHome(), false, true, r.keysDir().root().orElseThrow(),
                    Pem.readCertificate(r.keysDir().serverCert()), Pem.readCertificate(r.keysDir().clientCert()), r.owner());
        }
        if (existing == null && !r.force()) {
            // A new root would silently replace the one this node's peers and clients already trust.
            r.keysDir().root().ifPresent(root -> {
                throw dev.redistls.RedisTlsException.badInput("keys dir " + r.keysDir().dir() + " holds certificates from root ("
                        + root.getSubjectX500Principal().getName() + ") but CA home " + r.caHome().dir()
                        + " is empty: pass --ca-home with that root (or 'redis-tls ca import' it), or --force to start a new root");
            });
        }
        // Everything is made in memory first: a failure here leaves no directory, no root and no key behind.
        boolean rootCreated = existing == null;
        CertificateAuthority ca = rootCreated
                ? CertificateAuthority.createRoot(r.hostname(), r.keyType(), CertificateAuthority.ROOT_DAYS)
                : existing;
        IssuedCertificate server = ca.issueNode(r.hostname(), names, r.keyType(), r.days());
        IssuedCertificate client = ca.issueClient(KeysDir.DEFAULT_CLIENT, r.keyType(), r.days());
        r.keysDir().prepare(r.owner());
        if (rootCreated) {
            r.caHome().save(ca);
        }
        FileBatch batch = new FileBatch();
        r.keysDir().stageServer(batch, ca.certificate(), server, r.owner());
        r.keysDir().stageClient(batch, ca.certificate(), KeysDir.DEFAULT_CLIENT, client, r.owner());
        batch.commit();
        return new Result(r.keysDir(), r.caHome(), rootCreated, false, ca.certificate(),
                server.certificate(), client.certificate(), r.owner());
    }
}
