package dev.redistls.client;

import dev.redistls.RedisTlsException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TlsClientConfigTest {
    @Test
    void defaultsAreRedisCliOnesWithFullVerification() {
        TlsClientConfig c = TlsClientConfig.builder().build();
        assertThat(c.endpoint()).isEqualTo("127.0.0.1:6379");
        assertThat(c.tls()).isFalse();
        assertThat(c.verifyMode()).isEqualTo(VerifyMode.FULL);
        assertThat(c.trustSource()).isEqualTo("the system's trusted roots");
    }

    @Test
    void refusesHalfAKeyPairAndBadNumbersAtOnce() {
        assertThatThrownBy(() -> TlsClientConfig.builder().cert(Path.of("c.crt")).build())
                .isInstanceOf(RedisTlsException.class).hasMessage("--cert given without --key: pass both");
        assertThatThrownBy(() -> TlsClientConfig.builder().key(Path.of("c.key")).build())
                .isInstanceOf(RedisTlsException.class).hasMessage("--key given without --cert: pass both");
        assertThatThrownBy(() -> TlsClientConfig.builder().port(70000).build())
                .hasMessage("port 70000 is not between 1 and 65535");
        assertThatThrownBy(() -> TlsClientConfig.builder().database(-1).build()).hasMessage("database -1 is negative");
    }

    @Test
    void passwordNeverPrinted() {
        TlsClientConfig c = TlsClientConfig.builder().password("hunter2").tls(true).build();
        assertThat(c.toString()).isEqualTo("rediss://127.0.0.1:6379/0 verify=FULL (password set)");
        assertThat(c.toBuilder().build().password()).isEqualTo("hunter2");
    }
}
