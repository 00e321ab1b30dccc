package dev.redistls.pki;

import dev.redistls.RedisTlsException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM in and out. Keys are written as unencrypted PKCS#8 ("BEGIN PRIVATE KEY"), which OpenSSL, Java and Go read.
 * Read with the JDK alone (its certificate and key factories, and {@link Der} for the PKCS#8 envelope of OpenSSL's
 * traditional "RSA/EC PRIVATE KEY"): a one-shot command that only reads PEM loads no Bouncy Castle class.
 */
public final class Pem {
    /** One block: BEGIN and END of the same label, any RFC 1421 headers ("Proc-Type: ..."), then Base64. */
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);

    private record Block(String label, String headers, byte[] der) {
    }

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
        List<X509Certificate> certs = new ArrayList<>();
        try {
            CertificateFactory x509 = null;
            for (Block b : blocks(text)) {
                if (b.label().equals("CERTIFICATE") || b.label().equals("X509 CERTIFICATE")) {
                    x509 = x509 != null ? x509 : CertificateFactory.getInstance("X.509");
                    certs.add((X509Certificate) x509.generateCertificate(new ByteArrayInputStream(b.der())));
                }
            }
        } catch (CertificateException | RuntimeException e) {
            throw RedisTlsException.badInput(source + " is not a valid PEM certificate");
        }
        if (certs.isEmpty()) {
            throw RedisTlsException.badInput(source + " holds no PEM certificate");
        }
        return certs;
    }

    /** A private key in PKCS#8, PKCS#1 (RSA) or SEC1 (EC) PEM; encrypted keys are refused by name. */
    public static PrivateKey readPrivateKey(Path file) {
        return parsePrivateKey(readText(file, "private key"), file.toString());
    }

    /** A private key in PEM {@code text}; {@code source} names it in errors. */
    public static PrivateKey parsePrivateKey(String text, String source) {
        List<Block> blocks;
        try {
            blocks = blocks(text);
        } catch (IllegalArgumentException e) {
            throw RedisTlsException.badInput(source + " is not a valid PEM private key");
        }
        for (Block b : blocks) {
            boolean encrypted = b.label().equals("ENCRYPTED PRIVATE KEY") || b.headers().contains("ENCRYPTED");
            if (encrypted && b.label().endsWith("PRIVATE KEY")) {
                throw RedisTlsException.badInput(source + " is an encrypted private key; Redis needs it unencrypted");
            }
            try {
                byte[] pkcs8 = switch (b.label()) {
                    case "PRIVATE KEY" -> b.der();
                    case "RSA PRIVATE KEY" -> Der.pkcs8FromPkcs1(b.der());
                    case "EC PRIVATE KEY" -> Der.pkcs8FromSec1(b.der());
                    default -> null;
                };
                if (pkcs8 == null) {
                    continue;
                }
                String algorithm = Der.keyAlgorithm(pkcs8);
                if (algorithm == null) {
                    throw RedisTlsException.badInput(source + " holds a private key of an algorithm Java does not know");
                }
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                throw RedisTlsException.badInput(source + " is not a valid PEM private key");
            }
        }
        throw RedisTlsException.badInput(source + " holds no PEM private key");
    }

    /**
     * The PEM blocks of {@code text}, in order; text around them is ignored (as OpenSSL does: "Bag Attributes",
     * comments). A BEGIN line without its END, or a body that is not Base64, is malformed.
     */
    private static List<Block> blocks(String text) {
        List<Block> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        int from = 0;
        while (m.find()) {
            if (text.substring(from, m.start()).contains("-----BEGIN ")) {
                throw new IllegalArgumentException("BEGIN without END");
            }
            String body = m.group(2).replace("\r\n", "\n").strip();
            String headers = "";
            int blank = body.indexOf("\n\n");
            if (body.indexOf(':') >= 0 && blank >= 0) {
                headers = body.substring(0, blank);
                body = body.substring(blank + 2);
            }
            out.add(new Block(m.group(1), headers, Base64.getDecoder().decode(body.replaceAll("\\s+", ""))));
            from = m.end();
        }
        if (text.indexOf("-----BEGIN ", from) >= 0) {
            throw new IllegalArgumentException("BEGIN without END");
        }
        return out;
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
