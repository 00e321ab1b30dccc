package dev.redistls.pki;

import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * The three kinds of certificate the tool issues. A profile fixes the extensions; nothing else decides them.
 */
public enum CertProfile {
    /** The group's root: signs node and client certificates only (pathlen 0: no intermediate may be made). */
    ROOT,
    /**
     * A node's certificate. It carries clientAuth as well as serverAuth because a node presents the same
     * certificate as a client when it replicates from a primary or talks on the cluster bus.
     */
    NODE,
    /** An application's certificate for mutual TLS. */
    CLIENT;

    BasicConstraints basicConstraints() {
        return this == ROOT ? new BasicConstraints(0) : new BasicConstraints(false);
    }

    KeyUsage keyUsage(boolean rsaKey) {
        if (this == ROOT) {
            return new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign);
        }
        // RSA key exchange (TLS 1.2 non-ECDHE suites) encrypts with the key; EC keys only sign.
        return new KeyUsage(rsaKey
                ? KeyUsage.digitalSignature | KeyUsage.keyEncipherment
                : KeyUsage.digitalSignature);
    }

    ExtendedKeyUsage extendedKeyUsage() {
        return switch (this) {
            case ROOT -> null;
            case NODE -> new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth});
            case CLIENT -> new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth);
        };
    }
}
