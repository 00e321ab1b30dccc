package dev.redistls.install;

import dev.redistls.conf.TlsSettings;
import dev.redistls.pki.CaHome;
import dev.redistls.pki.CertInfo;
import dev.redistls.pki.CertificateAuthority;
import dev.redistls.pki.KeysDir;
import dev.redistls.pki.Pem;
import dev.redistls.pki.SubjectNames;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code doctor}: every check the tool knows, each failure with the one command that fixes it.
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
        String nodeArgs = "--conf " + node.confPath() + " --keys-dir " + keys.dir();
        boolean installed = node.record().isPresent();
        f.add(new Finding("installed by redis-tls", installed, installed ? "" : "no install record in " + keys.dir(),
                "redis-tls install " + nodeArgs));
        if (!keys.isComplete()) {
            f.add(new Finding("keys dir complete", false, keys.dir() + " lacks certificates", "redis-tls install " + nodeArgs));
            return f;
        }
        X509Certificate root = Pem.readCertificate(keys.serverRoot());
        X509Certificate server = Pem.readCertificate(keys.serverCert());
        X509Certificate client = Pem.readCertificate(keys.clientCert());
        f.add(signedBy("server certificate", server, root, "redis-tls reissue --server " + nodeArgs));
        f.add(signedBy("client certificate", client, root, "redis-tls reissue --client " + nodeArgs));
        f.add(keyMatches("server key", server, keys.serverKey(), "redis-tls reissue --server " + nodeArgs));
        f.add(keyMatches("client key", client, keys.clientKey(), "redis-tls reissue --client " + nodeArgs));
        f.add(expiry("server", server, nodeArgs));
        f.add(expiry("client", client, nodeArgs));
        f.add(permissions(keys.serverKey()));
        f.add(permissions(keys.clientKey()));
        node.processUser().ifPresent(user -> f.add(ownedBy(keys.serverKey(), user)));
        for (Path dir : List.of(keys.dir(), keys.dir().resolve("server"), keys.dir().resolve("client"))) {
            f.add(directory(dir));
        }
        f.add(names(server, nodeArgs));
        f.add(noRootKey(keys, root));
        Optional<CertificateAuthority> ca = caHome.load();
        f.add(new Finding("CA home holds this root", ca.map(c -> c.certificate().equals(root)).orElse(false),
                ca.isEmpty() ? "no root in " + caHome.dir() : caHome.dir().toString(),
                "redis-tls ca import BUNDLE --password-file FILE --ca-home " + caHome.dir()));

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
            }
        }
        return f;
    }

    private static Finding signedBy(String what, X509Certificate cert, X509Certificate root, String fix) {
        try {
            cert.verify(root.getPublicKey());
            return new Finding(what + " signed by the keys dir's root", true, "", fix);
        } catch (Exception e) {
            return new Finding(what + " signed by the keys dir's root", false, "signature does not verify", fix);
        }
    }

    private static Finding keyMatches(String what, X509Certificate cert, Path keyFile, String fix) {
        try {
            PrivateKey key = Pem.readPrivateKey(keyFile);
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

    private static Finding permissions(Path key) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(key);
            boolean ok = perms.stream().noneMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"));
            String owner = Files.getOwner(key).getName();
            return new Finding(key.getFileName() + " is private (0600)", ok,
                    java.nio.file.attribute.PosixFilePermissions.toString(perms) + " " + owner,
                    "chmod 600 " + key);
        } catch (IOException e) {
            return new Finding(key + " readable", false, e.getMessage(), "ls -l " + key);
        }
    }

    private static Finding ownedBy(Path key, String user) {
        try {
            String owner = Files.getOwner(key).getName();
            return new Finding(key.getFileName() + " is owned by " + user + ", the user Redis runs as", owner.equals(user),
                    "owner " + owner, "chown " + user + ": " + key);
        } catch (IOException e) {
            return new Finding(key + " readable", false, e.getMessage(), "ls -l " + key);
        }
    }

    private static Finding directory(Path dir) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
            boolean ok = perms.stream().noneMatch(p -> p.name().startsWith("OTHERS") || p == PosixFilePermission.GROUP_WRITE);
            return new Finding(dir + " is 0750 or tighter", ok, java.nio.file.attribute.PosixFilePermissions.toString(perms),
                    "chmod 750 " + dir);
        } catch (IOException e) {
            return new Finding(dir + " readable", false, e.getMessage(), "ls -ld " + dir);
        }
    }

    private static Finding names(X509Certificate server, String nodeArgs) {
        List<String> sans = CertInfo.sans(server);
        List<String> missing = new ArrayList<>();
        String host = SubjectNames.localHostName();
        if (!sans.contains("DNS:" + host.toLowerCase())) {
            missing.add(host);
        }
        for (String ip : SubjectNames.hostAddresses()) {
            String expanded = new SubjectNames().add(ip).ipAddresses().get(0);
            boolean present = sans.stream().anyMatch(s -> s.startsWith("IP:") && sameIp(s.substring(3), expanded));
            if (!present) {
                missing.add(ip);
            }
        }
        StringBuilder fix = new StringBuilder("redis-tls reissue --server " + nodeArgs);
        missing.forEach(m -> fix.append(" --san ").append(m));
        return new Finding("server certificate names this host and its addresses", missing.isEmpty(),
                missing.isEmpty() ? "" : "missing: " + String.join(", ", missing), fix.toString());
    }

    private static boolean sameIp(String a, String b) {
        try {
            return java.net.InetAddress.getByName(a).equals(java.net.InetAddress.getByName(b));
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private static Finding noRootKey(KeysDir keys, X509Certificate root) {
        List<String> found = new ArrayList<>();
        try (var files = Files.walk(keys.dir())) {
            files.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".key")).forEach(p -> {
                try {
                    if (CertificateAuthority.matches(root, Pem.readPrivateKey(p))) {
                        found.add(p.toString());
                    }
                } catch (RuntimeException ignored) {
                    // not a key we can read: not the root's
                }
            });
        } catch (IOException ignored) {
            // unreadable dir is reported by the permission checks
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
