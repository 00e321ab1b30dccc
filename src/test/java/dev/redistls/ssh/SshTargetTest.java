package dev.redistls.ssh;

import dev.redistls.RedisTlsException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SshTargetTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "redis1                  | ''    | redis1          | 0",
            "admin@redis1            | admin | redis1          | 0",
            "admin@redis1.example:22 | admin | redis1.example  | 22",
            "10.0.0.2:2222           | ''    | 10.0.0.2        | 2222",
            "[fd00::2]               | ''    | fd00::2         | 0",
            "root@[fd00::2]:2200     | root  | fd00::2         | 2200",
            "svc_deploy@node-1       | svc_deploy | node-1     | 0",
    })
    void readsUserNameAndPort(String text, String user, String name, int port) {
        SshTarget t = SshTarget.parse(text);
        assertThat(t.user().orElse("")).isEqualTo(user);
        assertThat(t.name()).isEqualTo(name);
        assertThat(t.port()).isEqualTo(port);
        assertThat(t.toString()).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "@redis1", "admin@", "redis1:", "redis1:0", "redis1:65536", "redis1:http",
            "a b", "fd00::2", "[redis1]", "admin@@redis1", "-oProxyCommand=x", "redis1/x"})
    void badInputIsOneLineExitTwo(String text) {
        assertThatThrownBy(() -> SshTarget.parse(text))
                .isInstanceOfSatisfying(RedisTlsException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(RedisTlsException.BAD_INPUT);
                    assertThat(e.getMessage()).startsWith("--host '" + text + "' is not an SSH target: ").doesNotContain("\n");
                });
    }

    @org.junit.jupiter.api.Test
    void bareIpv6IsToldToUseBrackets() {
        assertThatThrownBy(() -> SshTarget.parse("fd00::2")).hasMessageContaining("[fd00::2]");
    }
}
