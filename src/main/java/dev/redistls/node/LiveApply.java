package dev.redistls.node;

import dev.redistls.RedisTlsException;
import dev.redistls.pki.CertInfo;
import dev.redistls.pki.TlsContexts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PrivateKey;
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
            "tls-ca-cert-file", "tls-auth-clients", "tls-protocols", "tls-replication", "tls-cluster");

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
    public static void reloadCertificates(LiveNode node, Endpoint tls, Path cert, Path key, Path ca,
                                          X509Certificate root, X509Certificate clientCert, PrivateKey clientKey,
                                          X509Certificate expected) {
        if (serves(tls, root, clientCert, clientKey, expected)) {
            // Already serving the file's certificate: no reload, so nothing blocks the event loop.
            return;
        }
        Map<String, String> same = new LinkedHashMap<>();
        same.put("tls-cert-file", cert.toString());
        same.put("tls-key-file", key.toString());
        same.put("tls-ca-cert-file", ca.toString());
        node.configSet(same);
        if (serves(tls, root, clientCert, clientKey, expected)) {
            return;
        }
        Path certCopy = cert.resolveSibling(".reload-" + cert.getFileName());
        Path keyCopy = key.resolveSibling(".reload-" + key.getFileName());
        Path caCopy = ca.resolveSibling(".reload-" + ca.getFileName());
        try {
            Files.copy(key, keyCopy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
            Files.copy(cert, certCopy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
            Files.copy(ca, caCopy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
            Map<String, String> copies = new LinkedHashMap<>();
            copies.put("tls-cert-file", certCopy.toString());
            copies.put("tls-key-file", keyCopy.toString());
            copies.put("tls-ca-cert-file", caCopy.toString());
            node.configSet(copies);
            node.configSet(same);
        } catch (IOException e) {
            throw RedisTlsException.failed("cannot stage certificate copies for reload in " + cert.getParent() + ": " + e.getMessage(), e);
        } finally {
            for (Path p : List.of(certCopy, keyCopy, caCopy)) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // a leftover copy of a public cert or of the node's own key, in its own 0750 dir
                }
            }
        }
    }

    private static boolean serves(Endpoint tls, X509Certificate root, X509Certificate clientCert, PrivateKey clientKey,
                                  X509Certificate expected) {
        if (tls == null) {
            return true;
        }
        TlsProbe.Handshake hs = TlsProbe.handshake(tls, TlsContexts.create(root, clientCert, clientKey));
        return hs.ok() && CertInfo.sha256(hs.served()).equals(CertInfo.sha256(expected));
    }
}
