package dev.redistls.pki;

import dev.redistls.RedisTlsException;
import dev.redistls.net.IpText;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** What status, doctor and --json say about a certificate. */
public record CertInfo(String subject, List<String> sans, String serial, Instant notAfter, long daysLeft,
                       String sha256) {

    public static CertInfo of(X509Certificate cert) {
        return new CertInfo(cert.getSubjectX500Principal().getName(), sans(cert),
                cert.getSerialNumber().toString(16), cert.getNotAfter().toInstant(),
                daysLeft(cert), sha256(cert));
    }

    /** The documented JSON shape of a certificate in --json outputs. */
    public java.util.Map<String, Object> toMap() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("subject", subject);
        m.put("sans", sans);
        m.put("serial", serial);
        m.put("notAfter", notAfter.toString());
        m.put("daysLeft", daysLeft);
        m.put("sha256", sha256);
        return m;
    }

    public static long daysLeft(X509Certificate cert) {
        return Duration.between(Instant.now(), cert.getNotAfter().toInstant()).toDays();
    }

    /** Lower-case hex SHA-256 of the DER encoding, the fingerprint `openssl x509 -fingerprint -sha256` prints. */
    public static String sha256(X509Certificate cert) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw RedisTlsException.failed("cannot fingerprint certificate: " + e.getMessage(), e);
        }
    }

    /** "DNS:name" and "IP:address" entries, in the certificate's order. */
    public static List<String> sans(X509Certificate cert) {
        List<String> out = new ArrayList<>();
        try {
            if (cert.getSubjectAlternativeNames() == null) {
                return out;
            }
            for (List<?> san : cert.getSubjectAlternativeNames()) {
                int type = (Integer) san.get(0);
                if (type == 2) {
                    out.add("DNS:" + san.get(1));
                } else if (type == 7) {
                    out.add("IP:" + IpText.compact(String.valueOf(san.get(1))));
                }
            }
        } catch (CertificateParsingException e) {
            throw RedisTlsException.badInput("cannot read subjectAltName: " + e.getMessage());
        }
        return out;
    }
}
