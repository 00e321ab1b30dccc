package dev.redistls.client;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class TlsErrorsTest {
    @ParameterizedTest
    @CsvSource({
            "0:0:0:0:0:0:0:1, ::1",
            "0:0:0:0:0:0:0:0, ::",
            "fe80:0:0:0:1:2:3:4, fe80::1:2:3:4",
            "2001:db8:0:1:0:0:0:1, 2001:db8:0:1::1",
            "2001:db8:1:2:3:4:5:6, 2001:db8:1:2:3:4:5:6",
    })
    void ipv6InTheShortFormPeopleWrite(String full, String shortForm) {
        assertThat(TlsErrors.compressIpv6(full)).isEqualTo(shortForm);
    }
}
