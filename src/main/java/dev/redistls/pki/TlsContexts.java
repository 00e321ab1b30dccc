package dev.redistls.pki;

import dev.redistls.RedisTlsException;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.security.auth.x500.X500Principal;
import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * SSL contexts built from PEM material, held in memory only: trust only the given roots, present the given client
 * certificate. The tool's probes and the {@code cli} build theirs from the same two managers.
 */
public final class TlsContexts {
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

    /**
     * A key manager presenting {@code chain} (leaf first) with {@code key}. Held as it is, not in a key store: the
     * JDK's key managers read keys from a PKCS#12 store, which encrypts a key as it is put in and decrypts it as it
     * is read (PBKDF2, 10,000 rounds of HMAC-SHA256 each way), about 60 ms of a cold {@code cli}.
     */
    public static X509ExtendedKeyManager keyManager(PrivateKey key, X509Certificate[] chain) {
        return new OneKey(key, chain.clone());
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

    /**
     * One key and its chain under one alias, chosen as the JDK's SunX509 key manager chooses: for a key type whose
     * algorithm is the key's ("EC", or "EC_RSA": an EC key whose certificate an RSA key signed), and, when the peer
     * names the issuers it accepts, only if one of them issued a certificate of the chain.
     */
    private static final class OneKey extends X509ExtendedKeyManager {
        private static final String ALIAS = "redis-tls";
        private final PrivateKey key;
        private final X509Certificate[] chain;

        OneKey(PrivateKey key, X509Certificate[] chain) {
            this.key = key;
            this.chain = chain;
        }

        private boolean fits(String keyType, Principal[] issuers) {
            if (keyType == null) {
                return false;
            }
            int underscore = keyType.indexOf('_');
            String keyAlgorithm = underscore < 0 ? keyType : keyType.substring(0, underscore);
            if (!keyAlgorithm.equals(chain[0].getPublicKey().getAlgorithm())) {
                return false;
            }
            if (underscore >= 0) {
                String signedWith = keyType.substring(underscore + 1);
                boolean signed = chain.length > 1 ? signedWith.equals(chain[1].getPublicKey().getAlgorithm())
                        : chain[0].getSigAlgName().toUpperCase(Locale.ROOT).contains("WITH" + signedWith.toUpperCase(Locale.ROOT));
                if (!signed) {
                    return false;
                }
            }
            if (issuers == null || issuers.length == 0) {
                return true;
            }
            Set<X500Principal> accepted = new HashSet<>();
            for (Principal p : issuers) {
                if (p instanceof X500Principal x) {
                    accepted.add(x);
                } else if (p != null) {
                    try {
                        accepted.add(new X500Principal(p.getName()));
                    } catch (IllegalArgumentException ignored) {
                        // not an X.500 name: it names no issuer of ours
                    }
                }
            }
            for (X509Certificate c : chain) {
                if (accepted.contains(c.getIssuerX500Principal())) {
                    return true;
                }
            }
            return false;
        }

        private String choose(String[] keyTypes, Principal[] issuers) {
            if (keyTypes != null) {
                for (String t : keyTypes) {
                    if (fits(t, issuers)) {
                        return ALIAS;
                    }
                }
            }
            return null;
        }

        private String[] aliases(String keyType, Principal[] issuers) {
            return fits(keyType, issuers) ? new String[] {ALIAS} : null;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return aliases(keyType, issuers);
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return choose(keyType, issuers);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return choose(keyType, issuers);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return aliases(keyType, issuers);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return choose(new String[] {keyType}, issuers);
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return choose(new String[] {keyType}, issuers);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return ALIAS.equals(alias) ? chain.clone() : null;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return ALIAS.equals(alias) ? key : null;
        }
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
