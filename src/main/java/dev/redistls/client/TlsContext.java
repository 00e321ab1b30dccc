package dev.redistls.client;

import dev.redistls.RedisTlsException;
import dev.redistls.StartupTrace;
import dev.redistls.pki.Pem;
import dev.redistls.pki.TlsContexts;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The JSSE side of a {@link TlsClientConfig}: a socket factory that presents the client certificate and trusts the
 * named CA, and the parameters that turn on host name checking (FULL) and SNI. Files are read here, at once, so
 * that a missing or unreadable one is named before any connection is tried.
 */
public record TlsContext(SSLSocketFactory socketFactory, SSLParameters parameters, ServedChain served) {
    public static TlsContext of(TlsClientConfig c) {
        try {
            X509ExtendedKeyManager keys = keyManager(c);
            StartupTrace.mark("key manager");
            X509ExtendedTrustManager trust = trustManager(c);
            StartupTrace.mark("trust manager");
            SSLContext ssl = SSLContext.getInstance("TLS");
            ServedChain served = new ServedChain();
            // FULL: the name is checked as an HTTPS client checks it (ServerName): the SNI name when one is given,
            // and then only that name, else the host connected to.
            String name = c.verifyMode() == VerifyMode.FULL ? c.sni() != null ? c.sni() : c.host() : null;
            ssl.init(new KeyManager[] {new AskedFor(keys, served)}, new TrustManager[] {new Recording(trust, served, name)}, null);
            SSLParameters params = new SSLParameters();
            if (c.sni() != null) {
                params.setServerNames(List.of(new SNIHostName(c.sni())));
            }
            TlsContext context = new TlsContext(ssl.getSocketFactory(), params, served);
            StartupTrace.mark("TLS context");
            return context;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw RedisTlsException.badInput("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    private static X509ExtendedKeyManager keyManager(TlsClientConfig c) throws GeneralSecurityException {
        if (c.cert() == null) {
            return null;
        }
        List<X509Certificate> chain = Pem.readCertificates(c.cert());
        PrivateKey key = Pem.readPrivateKey(c.key());
        StartupTrace.mark("PEM: client certificate and key");
        if (!chain.get(0).getPublicKey().getAlgorithm().equals(key.getAlgorithm())
                || !dev.redistls.pki.CertificateAuthority.matches(chain.get(0), key)) {
            throw RedisTlsException.badInput("key " + c.key() + " does not belong to certificate " + c.cert());
        }
        StartupTrace.mark("key matches certificate");
        // The server would only say "bad certificate"; here we can say which and since when.
        X509Certificate leaf = chain.get(0);
        java.util.Date now = new java.util.Date();
        if (now.after(leaf.getNotAfter())) {
            throw RedisTlsException.badInput("client certificate " + c.cert() + " expired on "
                    + leaf.getNotAfter().toInstant().toString().substring(0, 10)
                    + ": issue a new one with 'redis-tls client issue NAME --force'");
        }
        if (now.before(leaf.getNotBefore())) {
            throw RedisTlsException.badInput("client certificate " + c.cert() + " is not valid before "
                    + leaf.getNotBefore().toInstant() + ": check this host's clock");
        }
        return TlsContexts.keyManager(key, chain.toArray(new X509Certificate[0]));
    }

    private static X509ExtendedTrustManager trustManager(TlsClientConfig c) throws GeneralSecurityException {
        if (c.verifyMode() == VerifyMode.NONE) {
            return new TrustAll();
        }
        List<X509Certificate> roots = new ArrayList<>();
        if (c.caCert() != null) {
            roots.addAll(Pem.readCertificates(c.caCert()));
            StartupTrace.mark("PEM: CA certificate");
        }
        if (c.caCertDir() != null) {
            roots.addAll(readDir(c.caCertDir()));
        }
        return TlsContexts.trustManager(roots);
    }

    private static List<X509Certificate> readDir(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw RedisTlsException.badInput("CA directory not found: " + dir);
        }
        List<X509Certificate> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String n = f.getFileName().toString();
                if (Files.isRegularFile(f) && (n.endsWith(".crt") || n.endsWith(".pem") || n.matches("[0-9a-f]{8}\\.\\d+"))) {
                    out.addAll(Pem.readCertificates(f));
                }
            }
        } catch (IOException e) {
            throw RedisTlsException.badInput("cannot read CA directory " + dir + ": " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw RedisTlsException.badInput("CA directory " + dir + " holds no .crt or .pem certificate");
        }
        return out;
    }

    /** The certificate chain the server presented, so that a failure can say what the certificate is for. */
    public static final class ServedChain {
        private volatile X509Certificate[] chain;
        private volatile boolean clientCertificateRequested;

        public X509Certificate[] get() {
            return chain;
        }

        /** Whether the server asked for a client certificate (it does when tls-auth-clients is yes or optional). */
        public boolean clientCertificateRequested() {
            return clientCertificateRequested;
        }
    }

    /**
     * Notes that the server asked for a client certificate, then answers with ours (or none). With TLS 1.3 a server
     * that requires one refuses only after the handshake, by closing the connection; this tells that case apart.
     */
    private static final class AskedFor extends X509ExtendedKeyManager {
        private final X509ExtendedKeyManager delegate;
        private final ServedChain served;

        AskedFor(X509ExtendedKeyManager delegate, ServedChain served) {
            this.delegate = delegate;
            this.served = served;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            served.clientCertificateRequested = true;
            return delegate == null ? null : delegate.chooseClientAlias(keyType, issuers, socket);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            served.clientCertificateRequested = true;
            return delegate == null ? null : delegate.chooseEngineClientAlias(keyType, issuers, engine);
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return delegate == null ? null : delegate.getClientAliases(keyType, issuers);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return delegate == null ? null : delegate.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return delegate == null ? null : delegate.getPrivateKey(alias);
        }
    }

    /**
     * Records the served chain, lets the real trust manager judge it, then checks that it is for {@code name}
     * (null: any name).
     */
    private static final class Recording extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager delegate;
        private final ServedChain served;
        private final String name;

        Recording(X509ExtendedTrustManager delegate, ServedChain served, String name) {
            this.delegate = delegate;
            this.served = served;
            this.name = name;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            served.chain = chain;
            delegate.checkServerTrusted(chain, authType, socket);
            checkName(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            served.chain = chain;
            delegate.checkServerTrusted(chain, authType, engine);
            checkName(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            served.chain = chain;
            delegate.checkServerTrusted(chain, authType);
            checkName(chain);
        }

        private void checkName(X509Certificate[] chain) throws CertificateException {
            if (name != null) {
                ServerName.verify(chain[0], name);
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            delegate.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            delegate.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate.checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }

    /** --insecure: accepts any server certificate. The command says so on stderr every time. */
    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
