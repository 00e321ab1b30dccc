package dev.redistls.client;

import dev.redistls.RedisTlsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedisUriTest {
    @Test
    void readsEveryPart() {
        TlsClientConfig.Builder b = TlsClientConfig.builder();
        assertThat(RedisUri.apply("rediss://app:p%40ss@redis.example.test:6380/3", b)).isTrue();
        TlsClientConfig c = b.build();
        assertThat(c.tls()).isTrue();
        assertThat(c.host()).isEqualTo("redis.example.test");
        assertThat(c.port()).isEqualTo(6380);
        assertThat(c.database()).isEqualTo(3);
        assertThat(c.user()).isEqualTo("app");
        assertThat(c.password()).isEqualTo("p@ss");
        assertThat(c.verifyMode()).isEqualTo(VerifyMode.FULL);
        assertThat(c.toString()).doesNotContain("p@ss");
    }

    @Test
    void passwordOnlyAndPlainScheme() {
        TlsClientConfig.Builder b = TlsClientConfig.builder();
        assertThat(RedisUri.apply("redis://:secret@[::1]", b)).isTrue();
        TlsClientConfig c = b.build();
        assertThat(c.tls()).isFalse();
        assertThat(c.host()).isEqualTo("::1");
        assertThat(c.endpoint()).isEqualTo("[::1]:6379");
        assertThat(c.user()).isNull();
        assertThat(c.password()).isEqualTo("secret");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://h", "rediss://", "redis://h/notanumber", "rediss://u:pw@h:x", "not a uri"})
    void refusesMalformedWithoutEchoingSecrets(String uri) {
        assertThatThrownBy(() -> RedisUri.apply(uri, TlsClientConfig.builder()))
                .isInstanceOf(RedisTlsException.class)
                .hasMessageContaining("expected redis://")
                .hasMessageNotContaining(":pw@");
    }
}
