package dev.redistls.pki;

import dev.redistls.RedisTlsException;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * SSL contexts built from PEM material, held in memory only: trust only the given roots, present the given client
 * certificate. The tool's probes and the {@code cli} build theirs from the same two managers.
 */
public final class TlsContexts {
    private static final char[] IN_MEMORY = "redis-tls".toCharArray();

    private TlsContexts() {
    }

    /** Trusts {@code root}; presents {@code clientCert}/{@code clientKey} when both are given. */
    public static SSLContext create(X509Certificate root, X509Certificate clientCert, PrivateKey clientKey) {
        return create(List.of(root), clientCert, clientKey);
    }

    /**
     * Trusts every one of {@code roots} (two during a rollover); presents {@code clientCert}/{@code clientKey} when
     * both are given, with the root that signed it.
     */
    public static SSLContext create(List<X509Certificate> roots, X509Certificate clientCert, PrivateKey clientKey) {
        try {
            X509ExtendedKeyManager km = null;
            if (clientCert != null && clientKey != null) {
                List<X509Certificate> chain = new java.util.ArrayList<>(List.of(clientCert));
                roots.stream().filter(r -> signs(r, clientCert)).findFirst().ifPresent(chain::add);
                km = keyManager(clientKey, chain.toArray(new X509Certificate[0]));
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(km == null ? null : new KeyManager[] {km}, new TrustManager[] {trustManager(roots)}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw RedisTlsException.failed("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    private static boolean signs(X509Certificate root, X509Certificate leaf) {
        try {
            leaf.verify(root.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** A key manager presenting {@code chain} (leaf first) with {@code key}. */
    public static X509ExtendedKeyManager keyManager(PrivateKey key, X509Certificate[] chain) throws GeneralSecurityException {
        KeyStore ks = emptyStore();
        ks.setKeyEntry("client", key, IN_MEMORY, chain);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, IN_MEMORY);
        for (KeyManager km : kmf.getKeyManagers()) {
            if (km instanceof X509ExtendedKeyManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("no X.509 key manager");
    }

    /** A trust manager trusting exactly {@code roots}; the JDK's default trust store when the list is empty. */
    public static X509ExtendedTrustManager trustManager(List<X509Certificate> roots) throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        if (roots.isEmpty()) {
            tmf.init((KeyStore) null);
        } else {
            KeyStore ks = emptyStore();
            for (int i = 0; i < roots.size(); i++) {
                ks.setCertificateEntry("ca-" + i, roots.get(i));
            }
            tmf.init(ks);
        }
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager");
    }

    private static KeyStore emptyStore() throws GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try {
            ks.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        return ks;
    }
}
