package dev.redistls.pki;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** RFC 5280 4.1.2.2: a serial is unique per issuer, positive, at most 20 octets; ours carry 128 random bits. */
class SerialNumberTest {
    static final int CERTIFICATES = 1_000;

    @Test
    void everyCertificateOfOneRootHasItsOwnSerial() {
        CertificateAuthority ca = CertificateAuthority.createRoot("serials", KeyType.EC_P256, CertificateAuthority.ROOT_DAYS);
        // One key pair for all: the serial must not depend on the key being new.
        KeyPair key = KeyType.EC_P256.generate();
        Set<BigInteger> serials = new HashSet<>();
        serials.add(ca.certificate().getSerialNumber());
        for (int i = 0; i < CERTIFICATES; i++) {
            X509Certificate cert = ca.issue(CertProfile.CLIENT, "client", key.getPublic(), null, 1);
            BigInteger serial = cert.getSerialNumber();
            assertThat(serial.signum()).isPositive();
            assertThat(serial.bitLength()).isBetween(128, 159);
            serials.add(serial);
        }
        assertThat(serials).hasSize(CERTIFICATES + 1);
    }

    @Test
    void serialsAreNotCountedUp() {
        // Unguessable serials are what made MD5 collision attacks on CAs impractical; a counter would be unique too.
        BigInteger a = CertificateAuthority.serial();
        BigInteger b = CertificateAuthority.serial();
        assertThat(b.subtract(a).abs()).isGreaterThan(BigInteger.valueOf(1_000_000));
    }
}
