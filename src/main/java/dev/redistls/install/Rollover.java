package dev.redistls.install;

import dev.redistls.RedisTlsException;
import dev.redistls.conf.AuthClients;
import dev.redistls.files.FileBatch;
import dev.redistls.files.SafeFiles;
import dev.redistls.node.Endpoint;
import dev.redistls.node.LiveApply;
import dev.redistls.node.LiveNode;
import dev.redistls.node.Node;
import dev.redistls.node.TlsProbe;
import dev.redistls.pki.CaHome;
import dev.redistls.pki.CertInfo;
import dev.redistls.pki.CertificateAuthority;
import dev.redistls.pki.IssuedCertificate;
import dev.redistls.pki.KeyType;
import dev.redistls.pki.KeysDir;
import dev.redistls.pki.TlsContexts;

import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A root rollover on one node, with overlapping trust, so that no client or replica ever meets a certificate it
 * does not trust: {@link #trustBoth} (the node step of {@code ca rotate begin}) adds the CA home's new root to the
 * node's trust files beside the old one and loads them live; {@code reissue} then issues its leaves from the new
 * root; {@link #retire} (the node step of {@code ca rotate finish}) leaves only the new root, refusing while a leaf of
 * the node (or the certificate its master serves it) still comes from another root. Each step is proven live with a
 * client certificate made in memory for the purpose: one from the new root is accepted, and after finish one from
 * the retired root is refused (where the node asks for client certificates at all).
 */
public final class Rollover {
    private Rollover() {
    }

    /** {@code first}'s roots, then those of {@code second} not among them: a trust list that drops nothing. */
    public static List<X509Certificate> union(List<X509Certificate> first, List<X509Certificate> second) {
        List<X509Certificate> all = new ArrayList<>(first);
        second.stream().filter(r -> !all.contains(r)).forEach(all::add);
        return all;
    }

    /** Begin on one node: it trusts the CA home's roots (the new and the retiring one) beside what it trusted. */
    public static Report trustBoth(Node node, CaHome home) {
        KeysDir keys = requireInstalledKeys(node);
        keys.requireSameRoot(home);
        List<X509Certificate> now = keys.trust(keys.serverRoot());
        List<X509Certificate> want = union(home.trust(), now);
        Report report = new Report();
        report.done((sameSet(want, now) && sameSet(want, keys.trust(keys.clientRoot())) ? "Already trusted" : "Now trusted")
                + " by " + keys.dir() + node.where() + ": " + describe(want, home));
        apply(node, home, want, report);
        return report;
    }

    /**
     * Finish on one node: refuses (exit 1, nothing changed), naming them, while a leaf in its keys dir or the
     * certificate its master serves it comes from a root other than the CA home's issuing one; else the node trusts
     * the issuing root alone.
     */
    public static Report retire(Node node, CaHome home) {
        KeysDir keys = requireInstalledKeys(node);
        CertificateAuthority issuing = home.load().orElseThrow();
        List<String> remaining = remaining(node, home);
        if (!remaining.isEmpty()) {
            throw RedisTlsException.failed(remaining.size() + " certificate(s) of " + node.confPath() + node.where()
                    + " are not from the new root yet: " + String.join("; ", remaining)
                    + ": reissue them first ('redis-tls reissue'; 'redis-tls client issue NAME --force' for an application's)");
        }
        List<X509Certificate> want = List.of(issuing.certificate());
        Report report = new Report();
        List<X509Certificate> dropped = keys.trust(keys.serverRoot()).stream().filter(r -> !want.contains(r)).toList();
        report.done((dropped.isEmpty() ? "Already trusts only " : "Retired " + dropped.size() + " root(s); now trusts only ")
                + describe(want, home) + " in " + keys.dir() + node.where());
        apply(node, home, want, report);
        return report;
    }

    /**
     * What keeps a node from finishing: its leaves (server, client/NAME.crt) not from the CA home's issuing root, and
     * a master (when it replicates over TLS) serving one the issuing root does not verify. A group checks every
     * member with this before it changes any.
     */
    public static List<String> remaining(Node node, CaHome home) {
        KeysDir keys = requireInstalledKeys(node);
        keys.requireSameRoot(home);
        X509Certificate issuing = home.load().orElseThrow(() -> RedisTlsException.badInput("no root CA in " + home.dir())).certificate();
        List<String> remaining = oldLeaves(keys, issuing);
        masterStillOld(node, issuing).ifPresent(remaining::add);
        return remaining;
    }

    /** Writes both trust files, loads them live, and proves what the node accepts now. */
    private static void apply(Node node, CaHome home, List<X509Certificate> trust, Report report) {
        KeysDir keys = node.keys();
        FileBatch batch = keys.stageTrust(new FileBatch(node.host(), true), trust);
        Optional<LiveNode> live = node.connectForChange();
        try {
            Map<String, String> before = live.map(LiveApply::snapshot).orElse(Map.of());
            boolean tls = !"0".equals(before.getOrDefault("tls-port", "0"));
            Optional<LiveNode> proven = Rollout.run(node, live, batch,
                    l -> {
                        if (tls) {
                            LiveApply.reloadTrust(l, node.host(), keys);
                        }
                    },
                    () -> { },
                    tls ? "Loaded the trust file live on %s (no restart)" : null,
                    "Redis is not running: it loads the trust file when started", report);
            if (proven.isPresent() && tls) {
                prove(node, home, trust, before, proven.get(), report);
            }
        } finally {
            live.ifPresent(LiveNode::close);
        }
    }

    /**
     * A client certificate of each root the CA home has a key for, made in memory and used once: accepted when the
     * node trusts its root, refused when not. Without client certificates asked for ({@code tls-auth-clients no})
     * the node's trust shows only on its replication links, so there is nothing to prove here.
     */
    private static void prove(Node node, CaHome home, List<X509Certificate> trust, Map<String, String> live,
                              LiveNode l, Report report) {
        AuthClients auth = AuthClients.parse(live.get("tls-auth-clients"));
        if (auth == AuthClients.NO) {
            report.note("tls-auth-clients is no: the node asks no client for a certificate, so its trust is used by its"
                    + " replication links only, and is not probed");
            return;
        }
        Endpoint tls = l.endpoint().withPort(Integer.parseInt(live.get("tls-port")));
        List<CertificateAuthority> roots = new ArrayList<>();
        home.load().ifPresent(roots::add);
        home.retiringAuthority().ifPresent(roots::add);
        List<X509Certificate> serverTrust = node.keys().trust(node.keys().clientRoot());
        for (CertificateAuthority root : roots) {
            boolean wanted = trust.contains(root.certificate());
            IssuedCertificate probe = root.issueClient("redis-tls-rollover-probe", KeyType.EC_P256, 1);
            boolean accepted;
            try (LiveNode n = LiveNode.connect(node.host(), tls,
                    TlsContexts.create(serverTrust, probe.certificate(), probe.privateKey()), node.credentials())) {
                accepted = "PONG".equals(n.ping());
            } catch (RuntimeException e) {
                accepted = false;
            }
            report.done("  [" + (accepted == wanted ? "ok" : "FAIL") + "] a client certificate from root "
                    + CertInfo.sha256(root.certificate()).substring(0, 16) + "... is " + (accepted ? "accepted" : "refused"));
            if (accepted != wanted) {
                throw RedisTlsException.verificationFailed("the node " + (accepted ? "still accepts" : "refuses")
                        + " client certificates from root " + CertInfo.sha256(root.certificate()) + " after loading "
                        + node.keys().serverRoot() + node.where());
            }
        }
    }

    /** Leaves of the keys dir (server, and every client/NAME.crt) not signed by {@code issuing}. */
    static List<String> oldLeaves(KeysDir keys, X509Certificate issuing) {
        List<Path> leaves = new ArrayList<>(List.of(keys.serverCert()));
        try {
            for (String name : new SafeFiles(keys.host()).list(keys.dir().resolve("client"))) {
                if (name.endsWith(".crt") && !name.equals("root.crt")) {
                    leaves.add(keys.dir().resolve("client").resolve(name));
                }
            }
        } catch (IOException e) {
            leaves.add(keys.clientCert());
        }
        List<String> old = new ArrayList<>();
        for (Path leaf : leaves) {
            if (keys.has(leaf)) {
                X509Certificate cert = keys.certificate(leaf);
                if (CertificateAuthority.signer(List.of(issuing), cert).isEmpty()) {
                    old.add(leaf + " (" + cert.getSubjectX500Principal().getName() + ")");
                }
            }
        }
        return old;
    }

    /**
     * When the node replicates over TLS: whether its master still serves a certificate the new root alone does not
     * verify (the node would lose its link on the next reconnect). Judged by a handshake from the node's host.
     */
    private static Optional<String> masterStillOld(Node node, X509Certificate issuing) {
        Optional<LiveNode> live = node.connectIfRunning();
        if (live.isEmpty()) {
            return Optional.empty();
        }
        try (LiveNode l = live.get()) {
            Map<String, String> repl = l.info("replication");
            String role = repl.get("role");
            if (!"slave".equals(role) || !"yes".equals(l.configGet("tls-replication").get("tls-replication"))) {
                return Optional.empty();
            }
            Endpoint master = new Endpoint(repl.get("master_host"), Integer.parseInt(repl.get("master_port")));
            KeysDir keys = node.keys();
            TlsProbe.Handshake hs = TlsProbe.handshake(node.host(), master,
                    TlsContexts.create(List.of(issuing), keys.certificate(keys.clientCert()), keys.privateKey(keys.clientKey())));
            return hs.ok() ? Optional.empty() : Optional.of("its master " + master + " serves a certificate the new root"
                    + " does not verify (" + hs.failure() + ")");
        } catch (RedisTlsException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** What doctor says about roots: which ones the node trusts, which signed its leaves, and what is left to do. */
    public static List<Doctor.Finding> findings(CaHome home, List<X509Certificate> roots, X509Certificate server,
                                                X509Certificate client, String nodeArgs) {
        List<Doctor.Finding> f = new ArrayList<>();
        Optional<CertificateAuthority> issuing = home.load();
        if (issuing.isEmpty()) {
            f.add(new Doctor.Finding("CA home holds this root", false, "no root in " + home.dir(),
                    "redis-tls ca import BUNDLE --password-file FILE --ca-home " + home.dir()));
            return f;
        }
        X509Certificate issuer = issuing.get().certificate();
        List<X509Certificate> known = home.trust();
        f.add(new Doctor.Finding("trusts " + describe(roots, home), roots.stream().anyMatch(known::contains),
                "CA home " + home.dir(), "redis-tls ca import BUNDLE --password-file FILE --ca-home " + home.dir()));
        if (roots.stream().noneMatch(known::contains)) {
            return f;
        }
        if (!roots.contains(issuer)) {
            f.add(new Doctor.Finding("trusts the CA home's new root", false, "a rollover began without this node",
                    "redis-tls ca rotate begin " + nodeArgs));
        }
        Map<String, X509Certificate> leaves = new LinkedHashMap<>();
        leaves.put("server", server);
        leaves.put("client", client);
        for (Map.Entry<String, X509Certificate> leaf : leaves.entrySet()) {
            boolean fromIssuing = CertificateAuthority.signer(List.of(issuer), leaf.getValue()).isPresent();
            if (!fromIssuing) {
                f.add(new Doctor.Finding(leaf.getKey() + " certificate from the CA home's issuing root", false,
                        "signed by " + CertificateAuthority.signer(roots, leaf.getValue()).map(r -> "root " + CertInfo.sha256(r))
                                .orElse("an unknown root"),
                        "redis-tls reissue --" + leaf.getKey() + " " + nodeArgs));
            }
        }
        if (roots.size() > 1 && !home.rotating()) {
            f.add(new Doctor.Finding("trusts only the CA home's root", false, "the rollover was finished in the CA home",
                    "redis-tls ca rotate finish " + nodeArgs));
        }
        return f;
    }

    /** "root 3f2a... (issuing), root 9c1b... (retiring)" */
    static String describe(List<X509Certificate> roots, CaHome home) {
        Optional<CertificateAuthority> issuing;
        Optional<X509Certificate> retiring;
        try {
            issuing = home.load();
            retiring = home.retiring();
        } catch (RedisTlsException e) {
            issuing = Optional.empty();
            retiring = Optional.empty();
        }
        List<String> out = new ArrayList<>();
        for (X509Certificate r : roots) {
            String role = issuing.isPresent() && issuing.get().certificate().equals(r) ? "issuing"
                    : retiring.isPresent() && retiring.get().equals(r) ? "retiring" : "not in the CA home";
            out.add("root " + CertInfo.sha256(r).substring(0, 16) + "... (" + role + ")");
        }
        return String.join(", ", out);
    }

    private static boolean sameSet(List<X509Certificate> a, List<X509Certificate> b) {
        return new HashSet<>(a).equals(new HashSet<>(b));
    }

    private static KeysDir requireInstalledKeys(Node node) {
        KeysDir keys = node.keys();
        if (!keys.isComplete()) {
            throw RedisTlsException.badInput("keys dir " + keys.dir() + node.where() + " is missing certificates: run 'redis-tls install' first");
        }
        return keys;
    }
}
