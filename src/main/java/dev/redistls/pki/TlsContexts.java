package dev.redistls.pki;

import dev.redistls.RedisTlsException;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/** SSL contexts built from PEM material: trust only the given roots, present the given client certificate. */
public final class TlsContexts {
    private static final char[] IN_MEMORY = "redis-tls".toCharArray();

    private TlsContexts() {
    }

    /** Trusts {@code root}; presents {@code clientCert}/{@code clientKey} when both are given. */
    public static SSLContext create(X509Certificate root, X509Certificate clientCert, PrivateKey clientKey) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("root", root);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyManagerFactory kmf = null;
            if (clientCert != null && clientKey != null) {
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                keys.setKeyEntry("client", clientKey, IN_MEMORY, new X509Certificate[] {clientCert, root});
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, IN_MEMORY);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw RedisTlsException.failed("cannot set up TLS: " + e.getMessage(), e);
        }
    }
}
