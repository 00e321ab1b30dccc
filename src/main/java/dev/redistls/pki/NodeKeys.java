package dev.redistls.pki;

import dev.redistls.RedisTlsException;
import dev.redistls.files.FileBatch;
import dev.redistls.files.FileOwner;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The add-on's {@code selfcertgen}, done right: fills a node's keys dir with a server certificate and a default
 * client certificate issued from the group's root in the CA home (made when the home is empty).
 * All inputs are checked and every certificate is made in memory before anything is written; the node's files then
 * land together or not at all. The node's private keys are made here, in memory, and written once, on its host.
 */
public final class NodeKeys {
    /** What to make; {@code force} re-issues a complete keys dir (and overrides a foreign root). */
    public record Request(KeysDir keysDir, CaHome caHome, String hostname, SubjectNames names, KeyType keyType,
                          int days, FileOwner owner, boolean force) {
    }

    /** The certificates made in memory (or found complete and kept), not yet written. */
    public record Plan(Request request, CertificateAuthority ca, boolean rootCreated, boolean kept,
                       IssuedCertificate server, IssuedCertificate client) {

        public X509Certificate root() {
            return ca.certificate();
        }

        /** Creates the keys dir (0750) and checks it, then saves a new root in the CA home (0700/0600). */
        public void prepare() {
            request.keysDir().prepare(request.owner());
            if (rootCreated) {
                request.caHome().save(ca);
            }
        }

        /** Takes back a root {@link #prepare} saved (and the CA home it made), when what it was for failed. */
        public void undoRoot() {
            if (rootCreated) {
                request.caHome().forget(ca);
            }
        }

        /** Adds the keys dir files to {@code batch}; nothing for a kept keys dir. */
        public FileBatch stage(FileBatch batch) {
            if (!kept) {
                // During a rollover a node made now trusts both roots, like every other node of the group.
                List<X509Certificate> trust = rootCreated ? List.of(ca.certificate()) : request.caHome().trust();
                request.keysDir().stageServer(batch, trust, server, request.owner());
                request.keysDir().stageClient(batch, trust, KeysDir.DEFAULT_CLIENT, client, request.owner());
            }
            return batch;
        }

        public X509Certificate serverCertificate() {
            return kept ? request.keysDir().certificate(request.keysDir().serverCert()) : server.certificate();
        }

        public X509Certificate clientCertificate() {
            return kept ? request.keysDir().certificate(request.keysDir().clientCert()) : client.certificate();
        }
    }

    /** What {@link #write} made (or kept). */
    public record Result(KeysDir keysDir, CaHome caHome, boolean rootCreated, boolean kept,
                         X509Certificate root, X509Certificate server, X509Certificate client, FileOwner owner) {
    }

    private NodeKeys() {
    }

    public static Plan plan(Request r) {
        CertificateAuthority.requireLeafDays(r.days());
        r.keysDir().requireApartFrom(r.caHome());
        CertificateAuthority existing = r.caHome().load().orElse(null);
        if (existing != null && !r.force()) {
            r.keysDir().requireSameRoot(existing, r.caHome());
        }
        // A complete keys dir is kept, unless a crash left a key beside another certificate.
        if (!r.force() && existing != null && r.keysDir().isComplete() && r.keysDir().mismatchedPairs().isEmpty()) {
            return new Plan(r, existing, false, true, null, null);
        }
        if (existing == null && !r.force()) {
            // A new root would silently replace the one this node's peers and clients already trust.
            r.keysDir().root().ifPresent(root -> {
                throw RedisTlsException.badInput("keys dir " + r.keysDir().dir() + " holds certificates from root ("
                        + root.getSubjectX500Principal().getName() + ") but CA home " + r.caHome().dir()
                        + " is empty: pass --ca-home with that root (or 'redis-tls ca import' it), or --force to start a new root");
            });
        }
        boolean created = existing == null;
        CertificateAuthority ca = created
                ? CertificateAuthority.createRoot(r.caHome().defaultGroupName(), r.keyType(), CertificateAuthority.ROOT_DAYS)
                : existing;
        IssuedCertificate server = ca.issueNode(r.hostname(), r.names(), r.keyType(), r.days());
        IssuedCertificate client = ca.issueClient(KeysDir.DEFAULT_CLIENT, r.keyType(), r.days());
        return new Plan(r, ca, created, false, server, client);
    }

    /** Plans and writes, under the caller's lock on the node ({@code underLock}). */
    public static Result write(Request r, boolean underLock) {
        Plan p = plan(r);
        if (!p.kept()) {
            p.prepare();
            try {
                p.stage(new FileBatch(r.keysDir().host(), underLock)).commit();
            } catch (RuntimeException e) {
                p.undoRoot();
                throw e;
            }
        }
        return new Result(r.keysDir(), r.caHome(), p.rootCreated(), p.kept(), p.root(),
                p.serverCertificate(), p.clientCertificate(), r.owner());
    }
}
