package dev.redistls.pki;

import dev.redistls.RedisTlsException;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** PEM in and out. Keys are written as unencrypted PKCS#8 ("BEGIN PRIVATE KEY"), which OpenSSL, Java and Go read. */
public final class Pem {
    private Pem() {
    }

    public static String encode(X509Certificate cert) {
        try {
            return "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(cert.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (CertificateException e) {
            throw RedisTlsException.failed("cannot encode certificate: " + e.getMessage(), e);
        }
    }

    public static String encode(PrivateKey key) {
        // getEncoded() of a JCA private key is PKCS#8 DER.
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    /** The first certificate in a PEM file; the file is named in every error. */
    public static X509Certificate readCertificate(Path file) {
        List<X509Certificate> all = readCertificates(file);
        return all.get(0);
    }

    public static List<X509Certificate> readCertificates(Path file) {
        return parseCertificates(readText(file, "certificate"), file.toString());
    }

    /** Every certificate in PEM {@code text}; {@code source} names it in errors. */
    public static List<X509Certificate> parseCertificates(String text, String source) {
        String file = source;
        List<X509Certificate> certs = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(text))) {
            Object o;
            while ((o = parser.readObject()) != null) {
                if (o instanceof X509CertificateHolder holder) {
                    certs.add(new JcaX509CertificateConverter().getCertificate(holder));
                }
            }
        } catch (IOException | CertificateException | RuntimeException e) {
            throw RedisTlsException.badInput(file + " is not a valid PEM certificate");
        }
        if (certs.isEmpty()) {
            throw RedisTlsException.badInput(file + " holds no PEM certificate");
        }
        return certs;
    }

    /** A private key in PKCS#8, PKCS#1 (RSA) or SEC1 (EC) PEM; encrypted keys are refused by name. */
    public static PrivateKey readPrivateKey(Path file) {
        return parsePrivateKey(readText(file, "private key"), file.toString());
    }

    /** A private key in PEM {@code text}; {@code source} names it in errors. */
    public static PrivateKey parsePrivateKey(String text, String source) {
        String file = source;
        try (PEMParser parser = new PEMParser(new StringReader(text))) {
            Object o;
            while ((o = parser.readObject()) != null) {
                JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (o instanceof PEMKeyPair pair) {
                    return converter.getKeyPair(pair).getPrivate();
                }
                if (o instanceof PKCS8EncryptedPrivateKeyInfo) {
                    throw RedisTlsException.badInput(file + " is an encrypted private key; Redis needs it unencrypted");
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof RedisTlsException r) {
                throw r;
            }
            throw RedisTlsException.badInput(file + " is not a valid PEM private key");
        }
        throw RedisTlsException.badInput(file + " holds no PEM private key");
    }

    private static String readText(Path file, String what) {
        if (!Files.exists(file)) {
            throw RedisTlsException.badInput(what + " file not found: " + file);
        }
        if (!Files.isRegularFile(file)) {
            throw RedisTlsException.badInput(what + " file is not a regular file: " + file);
        }
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw RedisTlsException.badInput("cannot read " + what + " file " + file + ": " + dev.redistls.files.FileError.describe(e));
        }
    }
}
