package dev.redistls.pki;

import org.junit.jupiter.api.Test;

import java.security.cert.X509Certificate;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class CertificateAuthorityTest {
    @Test
    void aLeafNeverOutlivesItsRoot() {
        CertificateAuthority ageingRoot = CertificateAuthority.createRoot("ageing", KeyType.EC_P256, 30);
        X509Certificate leaf = ageingRoot.issueNode("node.test", SubjectNames.forNode("node.test", java.util.List.of(), new dev.redistls.host.LocalHost().facts()),
                KeyType.EC_P256, CertificateAuthority.LEAF_DAYS).certificate();
        assertThat(leaf.getNotAfter()).isEqualTo(ageingRoot.certificate().getNotAfter());
    }

    @Test
    void aLeafWithinTheRootsLifeGetsTheDaysAskedFor() {
        CertificateAuthority root = CertificateAuthority.createRoot("young", KeyType.EC_P256, CertificateAuthority.ROOT_DAYS);
        X509Certificate leaf = root.issueClient("client", KeyType.EC_P256, 90).certificate();
        Duration lifetime = Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant());
        // notBefore is back-dated one hour against clock skew.
        assertThat(lifetime).isEqualTo(Duration.ofDays(90).plusHours(1));
    }
}
