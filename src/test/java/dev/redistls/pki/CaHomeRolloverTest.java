package dev.redistls.pki;

import dev.redistls.RedisTlsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * How a CA home keeps two roots during a rollover, and every state a crash can leave it in: the issuing root is
 * always {@code root.*} (what {@link CaHome#load()} returns), the retiring one waits in {@code retiring/}.
 */
class CaHomeRolloverTest {
    @TempDir Path tmp;

    @Test
    void beginMakesANewIssuingRootOfTheSameGroupAndKeepsTheOldOneTrustedUntilFinish() {
        CaHome home = new CaHome(tmp.resolve("orders"));
        X509Certificate old = home.loadOrCreate("orders", KeyType.EC_P384).ca().certificate();
        assertThat(home.trust()).containsExactly(old);
        assertThat(home.rotating()).isFalse();

        CaHome.Rotation begun = home.beginRotation();
        assertThat(begun.started()).isTrue();
        X509Certificate fresh = begun.issuing().certificate();
        assertThat(fresh).isNotEqualTo(old);
        assertThat(home.load().orElseThrow().certificate()).isEqualTo(fresh);
        assertThat(CertificateAuthority.groupOf(fresh)).isEqualTo("orders");
        assertThat(KeyType.of(home.load().orElseThrow().privateKey())).isEqualTo(KeyType.EC_P384);
        assertThat(home.trust()).containsExactly(fresh, old);
        assertThat(home.rotating()).isTrue();
        assertThat(home.retiringAuthority().orElseThrow().certificate()).isEqualTo(old);

        // Again: the rollover under way is returned, no third root.
        CaHome.Rotation again = home.beginRotation();
        assertThat(again.started()).isFalse();
        assertThat(again.issuing().certificate()).isEqualTo(fresh);

        assertThat(home.finishRotation()).contains(old);
        assertThat(home.trust()).containsExactly(fresh);
        assertThat(tmp.resolve("orders/retiring")).doesNotExist();
        assertThat(home.finishRotation()).isEmpty();
    }

    @Test
    void aSwitchCutInHalfIsRefusedByLoadAndFinishedByBeginningAgain() throws Exception {
        CaHome home = new CaHome(tmp.resolve("orders"));
        CertificateAuthority old = home.loadOrCreate("orders", KeyType.EC_P256).ca();
        home.beginRotation();
        // As if killed between the two renames of the switch: the new key is in place, the old certificate still is.
        Files.writeString(tmp.resolve("orders/root.crt"), Pem.encode(old.certificate()));
        assertThatThrownBy(home::load).isInstanceOf(RedisTlsException.class)
                .hasMessageContaining("the root rollover in CA home " + tmp.resolve("orders") + " was interrupted")
                .hasMessageContaining("ca rotate begin --ca-only");

        CaHome.Rotation resumed = home.beginRotation();
        assertThat(resumed.started()).isTrue();
        assertThat(resumed.retiring()).isEqualTo(old.certificate());
        assertThat(home.load().orElseThrow().certificate()).isEqualTo(resumed.issuing().certificate()).isNotEqualTo(old.certificate());
        assertThat(home.trust()).containsExactly(resumed.issuing().certificate(), old.certificate());
    }

    @Test
    void aRetiringCopyEqualToTheIssuingRootIsNoRolloverYetAndAFinishCutShortIsFinishedAgain() throws Exception {
        CaHome home = new CaHome(tmp.resolve("orders"));
        CertificateAuthority old = home.loadOrCreate("orders", KeyType.EC_P256).ca();
        // Killed after the copy, before the switch.
        Files.createDirectories(tmp.resolve("orders/retiring"));
        Files.writeString(tmp.resolve("orders/retiring/root.crt"), Pem.encode(old.certificate()));
        assertThat(home.rotating()).isFalse();
        assertThat(home.trust()).containsExactly(old.certificate());
        assertThat(home.beginRotation().started()).isTrue();
        assertThat(home.rotating()).isTrue();

        // Killed after finish deleted the retiring key: still trusted, and finish completes.
        Files.delete(tmp.resolve("orders/retiring/root.key"));
        assertThat(home.trust()).hasSize(2);
        assertThat(home.retiringAuthority()).isEmpty();
        assertThat(home.finishRotation()).contains(old.certificate());
        assertThat(home.trust()).hasSize(1);
    }
}
