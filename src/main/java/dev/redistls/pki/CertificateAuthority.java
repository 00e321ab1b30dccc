package dev.redistls.pki;

import dev.redistls.RedisTlsException;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * A root CA in memory: its certificate and private key. Every certificate the tool makes is made by
 * {@link #issue}, from a {@link CertProfile}.
 */
public final class CertificateAuthority {
    /** Ten years: the root outlives many rotations of the leaves it signs. */
    public static final int ROOT_DAYS = 3650;
    /**
     * 825 days: the longest leaf lifetime that Apple platforms and the CA/Browser Forum baseline accepted for
     * TLS server certificates, and what mkcert uses. Long enough for a quiet database, short enough to rotate.
     */
    public static final int LEAF_DAYS = 825;
    /** A leaf never needs to outlive a root, and a bound keeps the dates inside what X.509 can encode. */
    public static final int MAX_LEAF_DAYS = ROOT_DAYS;
    /** Clock skew between hosts must not make a fresh certificate "not yet valid". */
    private static final Duration BACKDATE = Duration.ofHours(1);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509Certificate certificate;
    private final PrivateKey privateKey;

    public CertificateAuthority(X509Certificate certificate, PrivateKey privateKey) {
        this.certificate = certificate;
        this.privateKey = privateKey;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    PrivateKey privateKey() {
        return privateKey;
    }

    /** A new self-signed root whose subject names the group, so that two groups' roots are told apart. */
    public static CertificateAuthority createRoot(String group, KeyType keyType, int days) {
        requireGroupName(group);
        KeyPair pair = keyType.generate();
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "redis-tls")
                .addRDN(BCStyle.OU, group)
                .addRDN(BCStyle.CN, "redis-tls root CA " + group)
                .build();
        X509Certificate root = sign(subject, subject, pair.getPublic(), null, pair.getPrivate(),
                keyType, CertProfile.ROOT, null, days);
        return new CertificateAuthority(root, pair.getPrivate());
    }

    /**
     * Refuses a group name that would make a confusing subject: it is shown in every client's trust store and in
     * {@code openssl} output, so printable text of 1 to 64 characters, no leading or trailing space.
     */
    public static String requireGroupName(String group) {
        if (group == null || group.isEmpty() || group.length() > 64 || !group.strip().equals(group)
                || !group.codePoints().allMatch(c -> c >= 0x20 && c != 0x7f && !Character.isISOControl(c))) {
            throw RedisTlsException.badInput("invalid group name '" + group + "': use 1 to 64 printable characters"
                    + " (it names the root CA: \"redis-tls root CA NAME\")");
        }
        return group;
    }

    /** The group a root names (its OU, as {@link #createRoot} writes it), else its whole subject. */
    public static String groupOf(X509Certificate root) {
        X500Name name = X500Name.getInstance(root.getSubjectX500Principal().getEncoded());
        var ou = name.getRDNs(BCStyle.OU);
        if (ou.length == 1 && ou[0].getFirst() != null) {
            return org.bouncycastle.asn1.x500.style.IETFUtils.valueToString(ou[0].getFirst().getValue());
        }
        return root.getSubjectX500Principal().getName();
    }

    /** Issues a leaf for {@code publicKey}; {@code names} may be empty (client certificates). */
    public X509Certificate issue(CertProfile profile, String commonName, PublicKey publicKey,
                                 GeneralNames names, int days) {
        if (profile == CertProfile.ROOT) {
            throw new IllegalArgumentException("a root is made by createRoot");
        }
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "redis-tls")
                .addRDN(BCStyle.CN, commonName)
                .build();
        return sign(null, subject, publicKey, certificate, privateKey, KeyType.of(privateKey), profile, names, days);
    }

    /** A node's certificate and new key: CN = host name, SANs as {@link SubjectNames} lists them. */
    public IssuedCertificate issueNode(String hostname, SubjectNames names, KeyType keyType, int days) {
        KeyPair pair = keyType.generate();
        return new IssuedCertificate(issue(CertProfile.NODE, hostname, pair.getPublic(), names.toGeneralNames(), days),
                pair.getPrivate());
    }

    /** A client certificate and new key for mutual TLS; CN = the client (or ACL user) name. */
    public IssuedCertificate issueClient(String name, KeyType keyType, int days) {
        KeyPair pair = keyType.generate();
        return new IssuedCertificate(issue(CertProfile.CLIENT, name, pair.getPublic(), null, days), pair.getPrivate());
    }

    /** Refuses a leaf lifetime outside 1..{@value #MAX_LEAF_DAYS} days, before any work is done. */
    public static void requireLeafDays(int days) {
        if (days < 1 || days > MAX_LEAF_DAYS) {
            throw RedisTlsException.badInput("--days must be between 1 and " + MAX_LEAF_DAYS + ", got " + days);
        }
    }

    /** The root among {@code roots} whose key signed {@code leaf} (two roots have the same subject in a rollover). */
    public static java.util.Optional<X509Certificate> signer(java.util.List<X509Certificate> roots, X509Certificate leaf) {
        if (leaf == null) {
            return java.util.Optional.empty();
        }
        for (X509Certificate root : roots) {
            try {
                leaf.verify(root.getPublicKey());
                return java.util.Optional.of(root);
            } catch (GeneralSecurityException e) {
                // not this one
            }
        }
        return java.util.Optional.empty();
    }

    /** Whether {@code key} is the private half of this root's public key. */
    public static boolean matches(X509Certificate cert, PrivateKey key) {
        try {
            KeyType type = KeyType.of(key);
            java.security.Signature signer = java.security.Signature.getInstance(type.signatureAlgorithm());
            byte[] probe = "redis-tls key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            signer.initSign(key);
            signer.update(probe);
            byte[] sig = signer.sign();
            java.security.Signature verifier = java.security.Signature.getInstance(type.signatureAlgorithm());
            verifier.initVerify(cert.getPublicKey());
            verifier.update(probe);
            return verifier.verify(sig);
        } catch (GeneralSecurityException | RedisTlsException e) {
            return false;
        }
    }

    private static X509Certificate sign(X500Name issuerName, X500Name subject, PublicKey publicKey,
                                        X509Certificate issuerCert, PrivateKey signingKey, KeyType signingType,
                                        CertProfile profile, GeneralNames names, int days) {
        if (profile != CertProfile.ROOT) {
            requireLeafDays(days);
        }
        Instant now = Instant.now();
        Date notBefore = Date.from(now.minus(BACKDATE));
        Date notAfter = Date.from(now.plus(Duration.ofDays(days)));
        if (issuerCert != null && notAfter.after(issuerCert.getNotAfter())) {
            // A leaf that outlived its root would fail to verify while its own date still looked fine, and
            // renew (which watches leaf dates) would not see it coming.
            notAfter = issuerCert.getNotAfter();
        }
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            // The issuer is taken from the CA certificate itself, never rebuilt from a string.
            X509v3CertificateBuilder builder = issuerCert == null
                    ? new JcaX509v3CertificateBuilder(issuerName, serial(), notBefore, notAfter, subject, publicKey)
                    : new JcaX509v3CertificateBuilder(issuerCert, serial(), notBefore, notAfter, subject, publicKey);
            builder.addExtension(Extension.basicConstraints, true, profile.basicConstraints());
            builder.addExtension(Extension.keyUsage, true, profile.keyUsage("RSA".equals(publicKey.getAlgorithm())));
            if (profile.extendedKeyUsage() != null) {
                builder.addExtension(Extension.extendedKeyUsage, false, profile.extendedKeyUsage());
            }
            builder.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(publicKey));
            if (issuerCert != null) {
                builder.addExtension(Extension.authorityKeyIdentifier, false, authorityKeyIdentifier(ext, issuerCert));
            }
            if (names != null && names.getNames().length > 0) {
                builder.addExtension(Extension.subjectAlternativeName, false, names);
            }
            ContentSigner signer = new JcaContentSignerBuilder(signingType.signatureAlgorithm()).build(signingKey);
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(builder.build(signer));
            // Prove the signature before anyone sees the certificate.
            cert.verify(issuerCert == null ? publicKey : issuerCert.getPublicKey());
            return cert;
        } catch (java.io.IOException | OperatorCreationException | GeneralSecurityException e) {
            throw RedisTlsException.failed("cannot issue certificate for " + subject + ": " + e.getMessage(), e);
        }
    }

    /**
     * The key identifier alone, copied from the issuer's SKI (a root made by another tool may compute it
     * differently). Issuer name and serial are left out: they would tie every leaf to this one root certificate,
     * so a root re-signed with the same key could no longer be chained to.
     */
    private static AuthorityKeyIdentifier authorityKeyIdentifier(JcaX509ExtensionUtils ext, X509Certificate issuer)
            throws java.io.IOException {
        byte[] ski = issuer.getExtensionValue(Extension.subjectKeyIdentifier.getId());
        if (ski == null) {
            return ext.createAuthorityKeyIdentifier(issuer.getPublicKey());
        }
        return new AuthorityKeyIdentifier(
                SubjectKeyIdentifier.getInstance(JcaX509ExtensionUtils.parseExtensionValue(ski)).getKeyIdentifier());
    }

    /**
     * A random positive serial of 129 bits (2^128 plus 128 random bits): unique per issuer with overwhelming
     * probability (RFC 5280 4.1.2.2), always 17 DER octets, well under the 20-octet limit.
     */
    static BigInteger serial() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return new BigInteger(1, bytes).setBit(128);
    }
}
