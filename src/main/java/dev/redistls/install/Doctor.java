package dev.redistls.install;

import dev.redistls.RedisTlsException;
import dev.redistls.conf.TlsProfile;
import dev.redistls.conf.TlsSettings;
import dev.redistls.files.FileOwner;
import dev.redistls.files.SafeFiles;
import dev.redistls.host.FileStat;
import dev.redistls.host.HostFacts;
import dev.redistls.node.Endpoint;
import dev.redistls.node.InstallRecord;
import dev.redistls.node.Node;
import dev.redistls.node.TlsProbe;
import dev.redistls.pki.CaHome;
import dev.redistls.pki.CertInfo;
import dev.redistls.pki.CertificateAuthority;
import dev.redistls.pki.KeysDir;
import dev.redistls.pki.HostNames;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code doctor}: every check the tool knows, each failure with the one command that fixes it. Host facts (names,
 * addresses, the Redis user) are the node host's.
 */
public final class Doctor {
    /** One finding: passed, or failed with a fix. */
    public record Finding(String check, boolean ok, String detail, String fix) {
    }

    private Doctor() {
    }

    public static List<Finding> examine(Node node, CaHome caHome) {
        List<Finding> f = new ArrayList<>();
        KeysDir keys = node.keys();
        String nodeArgs = "--conf " + node.confPath() + " --keys-dir " + keys.dir()
                + (node.host().isLocal() ? "" : " --host " + node.host().name());
        boolean installed;
        try {
            installed = node.record().isPresent();
        } catch (RedisTlsException e) {
            f.add(new Finding("install record trustworthy", false, e.getMessage(), "see the message"));
            return f;
        }
        f.add(new Finding("installed by redis-tls", installed, installed ? "" : "no install record in " + keys.dir(),
                "redis-tls install " + nodeArgs));
        if (!keys.isComplete()) {
            f.add(new Finding("keys dir complete", false, keys.dir() + " lacks certificates", "redis-tls install " + nodeArgs));
            return f;
        }
        List<X509Certificate> roots = keys.trust(keys.serverRoot());
        X509Certificate root = roots.get(0);
        X509Certificate server = keys.certificate(keys.serverCert());
        X509Certificate client = keys.certificate(keys.clientCert());
        f.add(signedBy("server certificate", server, roots, "redis-tls reissue --server " + nodeArgs));
        f.add(signedBy("client certificate", client, roots, "redis-tls reissue --client " + nodeArgs));
        f.add(sameTrust(keys, roots));
        f.add(keyMatches(keys, "server key", server, keys.serverKey(), "redis-tls reissue --server " + nodeArgs));
        f.add(keyMatches(keys, "client key", client, keys.clientKey(), "redis-tls reissue --client " + nodeArgs));
        f.add(expiry("server", server, nodeArgs));
        f.add(expiry("client", client, nodeArgs));
        SafeFiles files = new SafeFiles(node.host());
        f.add(permissions(files, keys.serverKey()));
        f.add(permissions(files, keys.clientKey()));
        node.processOwner().ifPresent(user -> f.add(ownedBy(files, keys.serverKey(), user)));
        for (Path dir : keys.directories()) {
            f.add(directory(keys, dir));
        }
        f.add(names(server, nodeArgs, node.host().facts()));
        for (X509Certificate r : roots) {
            f.add(noRootKey(keys, files, r));
        }
        try {
            f.addAll(Rollover.findings(caHome, roots, server, client, nodeArgs));
        } catch (RedisTlsException e) {
            f.add(new Finding("CA home safe and complete", false, e.getMessage(), "see the message"));
        }

        Status.Snapshot s = Status.of(node);
        f.add(new Finding("node reachable", s.live().reachable(), s.live().reachable() ? "" : s.live().error(),
                "start Redis (e.g. systemctl start redis-server), then: redis-tls status " + nodeArgs));
        if (s.live().reachable() && s.live().config() != null) {
            List<String> drift = drift(node.configuredSettings(), s.live().config());
            f.add(new Finding("live config matches the file", drift.isEmpty(), String.join("; ", drift),
                    "redis-tls install " + nodeArgs + " (re-applies the file's settings live)"));
            boolean tlsWanted = node.configuredSettings().tlsPort() != 0;
            if (tlsWanted) {
                f.add(new Finding("TLS handshake", s.live().tlsHandshake(), s.live().error() == null ? "" : s.live().error(),
                        "redis-tls install " + nodeArgs));
                f.add(new Finding("served certificate is the keys dir's", s.servesFileCertificate(),
                        s.live().servedSha256() == null ? "" : "served sha256 " + s.live().servedSha256(),
                        "redis-tls reissue --server " + nodeArgs));
                f.add(policy(node, s, nodeArgs));
                Optional<String> caching = SessionCaching.problem(node, node.configuredSettings().authClients());
                f.add(new Finding("clients can resume TLS sessions", caching.isEmpty(), caching.orElse(""),
                        "remove 'tls-session-caching no' from " + node.confPath() + ", then: redis-tls install " + nodeArgs));
            }
            f.addAll(ClusterFindings.of(node));
        }
        return f;
    }

    /** The TLS policy served: one of our profiles live, a negotiated AEAD suite, weak suites refused. */
    private static Finding policy(Node node, Status.Snapshot s, String nodeArgs) {
        String fix = "redis-tls configure --tls-profile intermediate " + nodeArgs;
        Optional<TlsProfile> live = TlsProfile.of(s.live().config());
        if (live.isEmpty()) {
            return new Finding("TLS 1.2+ with forward-secret AEAD suites only", false,
                    "tls-protocols '" + s.live().config().get("tls-protocols") + "', tls-ciphers '"
                            + s.live().config().get("tls-ciphers") + "'", fix);
        }
        if (s.live().suite() != null && !live.get().allows(s.live().protocol(), s.live().suite())) {
            return new Finding("TLS 1.2+ with forward-secret AEAD suites only", false, "negotiated " + s.live().suite(), fix);
        }
        Endpoint tls = new Endpoint(node.address(), Integer.parseInt(s.live().config().get("tls-port")));
        TlsProbe.Handshake weak = TlsProbe.handshake(node.host(), tls, node.keys().clientContext(),
                new String[] {"TLSv1.2"}, TlsProfile.WEAK_JAVA_SUITES);
        return new Finding("TLS 1.2+ with forward-secret AEAD suites only (" + live.get().word() + ")", !weak.ok(),
                weak.ok() ? "accepted " + weak.suite() : "", fix);
    }

    private static Finding signedBy(String what, X509Certificate cert, List<X509Certificate> roots, String fix) {
        Optional<X509Certificate> signer = Status.signer(roots, cert);
        return new Finding(what + " signed by a root the keys dir trusts", signer.isPresent(),
                signer.map(r -> "by " + r.getSubjectX500Principal().getName() + ", sha256 " + CertInfo.sha256(r))
                        .orElse("no trusted root's signature verifies"), fix);
    }

    /** server/root.crt and client/root.crt trust the same roots (clients download the second). */
    private static Finding sameTrust(KeysDir keys, List<X509Certificate> serverTrust) {
        List<X509Certificate> clientTrust = keys.has(keys.clientRoot()) ? keys.trust(keys.clientRoot()) : List.of();
        boolean same = new java.util.HashSet<>(clientTrust).equals(new java.util.HashSet<>(serverTrust));
        return new Finding("server/root.crt and client/root.crt trust the same roots", same,
                serverTrust.size() + " and " + clientTrust.size() + " root(s)", "redis-tls ca rotate begin (or reissue)");
    }

    private static Finding keyMatches(KeysDir keys, String what, X509Certificate cert, Path keyFile, String fix) {
        try {
            PrivateKey key = keys.privateKey(keyFile);
            boolean ok = CertificateAuthority.matches(cert, key);
            return new Finding(what + " matches its certificate", ok, ok ? "" : keyFile + " belongs to another certificate", fix);
        } catch (RuntimeException e) {
            return new Finding(what + " matches its certificate", false, e.getMessage(), fix);
        }
    }

    private static Finding expiry(String what, X509Certificate cert, String nodeArgs) {
        long left = CertInfo.daysLeft(cert);
        return new Finding(what + " certificate valid for " + Status.WARN_DAYS + "+ days", left >= Status.WARN_DAYS,
                left + " days left", "redis-tls renew " + nodeArgs);
    }

    private static Finding permissions(SafeFiles files, Path key) {
        Optional<FileStat> st = files.lstat(key);
        if (st.isEmpty()) {
            return new Finding(key + " readable", false, "missing", "ls -l " + key);
        }
        boolean ok = st.get().isFile() && (st.get().mode() & 0077) == 0;
        return new Finding(key.getFileName() + " is private (0600)", ok, st.get().octal() + " uid " + st.get().uid(),
                "chmod 600 " + key);
    }

    private static Finding ownedBy(SafeFiles files, Path key, HostFacts.Account user) {
        int owner = files.lstat(key).map(FileStat::uid).orElse(-1);
        return new Finding(key.getFileName() + " is owned by " + user.name() + ", the user Redis runs as", owner == user.uid(),
                "owner uid " + owner, "chown " + user.name() + ": " + key);
    }

    private static Finding directory(KeysDir keys, Path dir) {
        try {
            keys.requireTrusted(dir, FileOwner.current(keys.host()));
            return new Finding(dir + " is writable only by root (0750 or tighter)", true, "", "");
        } catch (RedisTlsException e) {
            return new Finding(dir + " is writable only by root (0750 or tighter)", false, e.getMessage(), "chmod 750 " + dir);
        }
    }

    /** A host that moved (migration, clone, new address) is named with what it has now; renew heals it. */
    private static Finding names(X509Certificate server, String nodeArgs, HostFacts facts) {
        HostNames.Check c = HostNames.check(server, facts);
        String stale = c.stale().isEmpty() ? "" : "; no longer the host's: " + String.join(", ", c.stale());
        return new Finding("server certificate names this host and its addresses", c.ok(),
                c.ok() ? "" : "missing: " + String.join(", ", c.missing()) + stale + " (the host moved?)",
                "redis-tls renew " + nodeArgs + "  (or: redis-tls reissue --server --refresh-names " + nodeArgs + ")");
    }

    private static Finding noRootKey(KeysDir keys, SafeFiles files, X509Certificate root) {
        List<String> found = new ArrayList<>();
        for (Path dir : keys.directories()) {
            try {
                for (String name : files.list(dir)) {
                    Path p = dir.resolve(name);
                    if (name.endsWith(".key") && files.isFile(p)) {
                        try {
                            if (CertificateAuthority.matches(root, keys.privateKey(p))) {
                                found.add(p.toString());
                            }
                        } catch (RuntimeException ignored) {
                            // not a key we can read: not the root's
                        }
                    }
                }
            } catch (IOException ignored) {
                // an unreadable dir is reported by the directory checks
            }
        }
        return new Finding("root CA key kept out of the keys dir", found.isEmpty(), String.join(", ", found),
                "rm " + String.join(" ", found) + "  (the root key belongs in the CA home only)");
    }

    private static List<String> drift(TlsSettings file, Map<String, String> live) {
        List<String> d = new ArrayList<>();
        compare(d, "port", String.valueOf(file.port()), live.get("port"));
        compare(d, "tls-port", String.valueOf(file.tlsPort()), live.get("tls-port"));
        if (file.tlsPort() != 0) {
            compare(d, "tls-auth-clients", file.authClients().word(), live.get("tls-auth-clients"));
            compare(d, "tls-cert-file", file.certFile().toString(), live.get("tls-cert-file"));
            // A policy weakened live (CONFIG SET) is drift too, not only a failed policy check.
            if (file.profile() != null && live.containsKey("tls-ciphers")
                    && !TlsProfile.of(live).equals(Optional.of(file.profile()))) {
                d.add("the TLS policy is the " + file.profile().word() + " profile in the file but not live");
            }
        }
        compare(d, "tls-replication", file.replication() ? "yes" : "no", live.get("tls-replication"));
        compare(d, "tls-cluster", file.cluster() ? "yes" : "no", live.get("tls-cluster"));
        return d;
    }

    private static void compare(List<String> d, String name, String file, String live) {
        if (live != null && !file.equalsIgnoreCase(live)) {
            d.add(name + " is " + file + " in the file but " + live + " live");
        }
    }
}
