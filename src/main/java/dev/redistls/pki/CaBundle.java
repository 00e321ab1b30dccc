package dev.redistls.pki;

import dev.redistls.RedisTlsException;
import dev.redistls.files.FileBatch;
import dev.redistls.files.FileError;
import dev.redistls.files.FileModes;
import dev.redistls.files.FileOwner;
import dev.redistls.host.LocalHost;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;

/**
 * A root CA packed for travel to another region's CA home: PKCS#12 protected by a password, using the JDK's
 * modern defaults (PBES2 with AES-256 and HMAC-SHA-256), which OpenSSL 3 reads without {@code -legacy}.
 */
public final class CaBundle {
    static final String ALIAS = "redis-tls-root";

    private CaBundle() {
    }

    public static void export(CertificateAuthority ca, Path out, char[] password) {
        LocalHost here = new LocalHost();
        new FileBatch(here, false).write(out, pkcs12(ALIAS, ca.privateKey(), new X509Certificate[] {ca.certificate()}, password),
                FileModes.PRIVATE, FileOwner.current(here)).commit();
    }

    /** A PKCS#12 file holding one key entry (key + chain), as bytes. */
    public static byte[] pkcs12(String alias, PrivateKey key, X509Certificate[] chain, char[] password) {
        return store(password, ks -> ks.setKeyEntry(alias, key, password, chain));
    }

    /** A PKCS#12 trust store holding one certificate (a root), as bytes. */
    public static byte[] truststore(String alias, X509Certificate root, char[] password) {
        return truststore(alias, java.util.List.of(root), password);
    }

    /** A PKCS#12 trust store holding {@code roots} ({@code alias}, then {@code alias-2} ...), as bytes. */
    public static byte[] truststore(String alias, java.util.List<X509Certificate> roots, char[] password) {
        return store(password, ks -> {
            for (int i = 0; i < roots.size(); i++) {
                ks.setCertificateEntry(i == 0 ? alias : alias + "-" + (i + 1), roots.get(i));
            }
        });
    }

    private interface Entry {
        void add(KeyStore ks) throws GeneralSecurityException;
    }

    private static byte[] store(char[] password, Entry entry) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            entry.add(ks);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ks.store(bytes, password);
            return bytes.toByteArray();
        } catch (GeneralSecurityException | IOException e) {
            throw RedisTlsException.failed("cannot write PKCS#12: " + e.getMessage(), e);
        }
    }

    public static CertificateAuthority read(Path file, char[] password) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw RedisTlsException.badInput("cannot read CA bundle " + file + ": " + FileError.describe(e));
        }
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(new ByteArrayInputStream(bytes), password);
            for (String alias : java.util.Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(alias)) {
                    Key key = ks.getKey(alias, password);
                    Certificate cert = ks.getCertificate(alias);
                    if (key instanceof PrivateKey pk && cert instanceof X509Certificate x
                            && x.getBasicConstraints() >= 0 && CertificateAuthority.matches(x, pk)) {
                        return new CertificateAuthority(x, pk);
                    }
                }
            }
            throw RedisTlsException.badInput(file + " holds no root CA key and certificate");
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException || String.valueOf(e.getMessage()).contains("password")) {
                throw RedisTlsException.badInput("wrong password for CA bundle " + file);
            }
            throw RedisTlsException.badInput(file + " is not a CA bundle (PKCS#12)"
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } catch (UnrecoverableKeyException e) {
            throw RedisTlsException.badInput("wrong password for CA bundle " + file);
        } catch (GeneralSecurityException e) {
            throw RedisTlsException.badInput(file + " is not a readable CA bundle: " + e.getMessage());
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }
}
