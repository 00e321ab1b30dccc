package dev.redistls.node;

import dev.redistls.files.FileBatch;
import dev.redistls.files.FileError;
import dev.redistls.files.FileModes;
import dev.redistls.files.FileOwner;
import dev.redistls.files.SafeFiles;
import dev.redistls.host.FileStat;
import dev.redistls.host.Host;
import dev.redistls.pki.CertInfo;
import dev.redistls.pki.KeysDir;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Changes a running node's TLS configuration with CONFIG SET, in an order that never leaves it unreachable:
 * certificate files and options first (Redis loads and checks them before anything listens), then the ports,
 * with the port being given up released in the same command that takes the other one.
 */
public final class LiveApply {
    /** Every directive the tool owns, as CONFIG GET names them. */
    public static final List<String> OWNED = List.of("port", "tls-port", "tls-cert-file", "tls-key-file",
            "tls-ca-cert-file", "tls-auth-clients", "tls-protocols", "tls-ciphers", "tls-ciphersuites",
            "tls-prefer-server-ciphers", "tls-replication", "tls-cluster");

    private LiveApply() {
    }

    public static Map<String, String> snapshot(LiveNode node) {
        Map<String, String> all = node.configGet(OWNED.toArray(new String[0]));
        Map<String, String> ordered = new LinkedHashMap<>();
        OWNED.forEach(k -> ordered.put(k, all.getOrDefault(k, "")));
        return ordered;
    }

    /**
     * Moves the node from {@code current} to {@code wanted} (both as CONFIG GET/SET values).
     */
    public static void apply(LiveNode node, Map<String, String> current, Map<String, String> wanted) {
        Map<String, String> options = new LinkedHashMap<>();
        for (Map.Entry<String, String> w : wanted.entrySet()) {
            String k = w.getKey();
            if (!k.equals("port") && !k.equals("tls-port") && !w.getValue().equals(current.get(k))) {
                options.put(k, w.getValue());
            }
        }
        if ("0".equals(wanted.get("tls-port"))) {
            // Closing TLS: the listener goes first, then the files it used may be unset.
            node.configSet(portChange(current, wanted));
            node.configSet(options);
        } else {
            // Files that point somewhere new are loaded as part of this command; if they are bad, nothing changes.
            node.configSet(options);
            node.configSet(portChange(current, wanted));
        }
    }

    /**
     * The port directives to set, ordered so that a port being handed from one listener to the other is first
     * released: tls-only takes over the plain port ({@code port 0 tls-port 6379}), uninstall gives it back
     * ({@code tls-port 0 port 6379}). Redis applies a multi-argument CONFIG SET in argument order.
     */
    static Map<String, String> portChange(Map<String, String> current, Map<String, String> wanted) {
        String plainNow = current.get("port");
        String tlsNow = current.get("tls-port");
        String plain = wanted.getOrDefault("port", plainNow);
        String tls = wanted.getOrDefault("tls-port", tlsNow);
        Map<String, String> change = new LinkedHashMap<>();
        boolean plainChanges = !plain.equals(plainNow);
        boolean tlsChanges = !tls.equals(tlsNow);
        // Port 0 is no listener: only a real port can be handed over.
        boolean plainTakesTlsPort = plainChanges && !"0".equals(plain) && plain.equals(tlsNow);
        if (plainTakesTlsPort) {
            if (tlsChanges) {
                change.put("tls-port", tls);
            }
            change.put("port", plain);
            return change;
        }
        if (plainChanges) {
            change.put("port", plain);
        }
        if (tlsChanges) {
            change.put("tls-port", tls);
        }
        return change;
    }

    /**
     * Makes the node load its certificate files again and proves it by fingerprint. CONFIG SET of an unchanged
     * path reloads on Redis 7.0.x releases that mark TLS files volatile, but not on 7.0.0 and not on 6.x: there
     * the files are first pointed at fresh copies (a changed path always loads), then back at the real files.
     */
    public static void reloadCertificates(LiveNode node, Host host, Endpoint tls, KeysDir keys) {
        SSLContext probe = keys.clientContext();
        X509Certificate expected = keys.certificate(keys.serverCert());
        if (serves(host, tls, probe, expected)) {
            // Already serving the file's certificate: no reload, so nothing blocks the event loop.
            return;
        }
        Map<String, String> same = new LinkedHashMap<>();
        same.put("tls-cert-file", keys.serverCert().toString());
        same.put("tls-key-file", keys.serverKey().toString());
        same.put("tls-ca-cert-file", keys.serverRoot().toString());
        node.configSet(same);
        if (serves(host, tls, probe, expected)) {
            return;
        }
        Path certCopy = copyName(keys.serverCert());
        Path keyCopy = copyName(keys.serverKey());
        Path caCopy = copyName(keys.serverRoot());
        FileBatch copies = new FileBatch(host, true);
        try {
            SafeFiles fs = new SafeFiles(host);
            FileStat keyStat = fs.stat(keys.serverKey()).orElseThrow();
            FileOwner keyOwner = new FileOwner(keyStat.uid(), keyStat.gid(), null);
            copies.write(keyCopy, fs.read(keys.serverKey()), FileModes.PRIVATE, keyOwner)
                    .write(certCopy, fs.read(keys.serverCert()), FileModes.PUBLIC, keyOwner)
                    .write(caCopy, fs.read(keys.serverRoot()), FileModes.PUBLIC, keyOwner)
                    .commit();
            Map<String, String> moved = new LinkedHashMap<>();
            moved.put("tls-cert-file", certCopy.toString());
            moved.put("tls-key-file", keyCopy.toString());
            moved.put("tls-ca-cert-file", caCopy.toString());
            node.configSet(moved);
            node.configSet(same);
        } catch (IOException e) {
            throw FileError.failed("cannot stage certificate copies for reload in", keys.serverCert().getParent(), host, e);
        } finally {
            try {
                new FileBatch(host, true).delete(certCopy).delete(keyCopy).delete(caCopy).commit();
            } catch (RuntimeException ignored) {
                // a leftover copy of a public cert or of the node's own key, in its own root-only dir
            }
        }
    }

    /**
     * Makes the node load its trust file ({@code tls-ca-cert-file}) again: what a root rollover changes while the
     * served certificate stays. A changed path always loads (an unchanged one does not on every release), so the
     * setting is pointed at a fresh copy and back; each CONFIG SET loads the whole TLS context or nothing, and
     * connections already open keep theirs.
     */
    public static void reloadTrust(LiveNode node, Host host, KeysDir keys) {
        Path caCopy = copyName(keys.serverRoot());
        SafeFiles fs = new SafeFiles(host);
        try {
            FileStat st = fs.stat(keys.serverRoot()).orElseThrow();
            new FileBatch(host, true).write(caCopy, fs.read(keys.serverRoot()), FileModes.PUBLIC,
                    new FileOwner(st.uid(), st.gid(), null)).commit();
            node.configSet(Map.of("tls-ca-cert-file", caCopy.toString()));
            node.configSet(Map.of("tls-ca-cert-file", keys.serverRoot().toString()));
        } catch (IOException e) {
            throw FileError.failed("cannot stage a copy of the trust file for reload in", keys.serverRoot().getParent(), host, e);
        } finally {
            try {
                new FileBatch(host, true).delete(caCopy).commit();
            } catch (RuntimeException ignored) {
                // a leftover copy of a public certificate, in the node's root-only keys dir
            }
        }
    }

    private static Path copyName(Path file) {
        return file.resolveSibling(".reload-" + file.getFileName());
    }

    private static boolean serves(Host host, Endpoint tls, SSLContext probe, X509Certificate expected) {
        if (tls == null) {
            return true;
        }
        TlsProbe.Handshake hs = TlsProbe.handshake(host, tls, probe);
        return hs.ok() && CertInfo.sha256(hs.served()).equals(CertInfo.sha256(expected));
    }
}
