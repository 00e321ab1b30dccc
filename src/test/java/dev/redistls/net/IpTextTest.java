package dev.redistls.net;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class IpTextTest {
    @ParameterizedTest
    @CsvSource({
            "0:0:0:0:0:0:0:1, ::1",
            "fd00:0:0:0:0:0:0:2, fd00::2",
            "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
            "0:0:0:0:0:0:0:0, ::",
            "fe80:0:0:0:0:0:0:0, fe80::",
            "2001:db8:1:2:3:4:5:6, 2001:db8:1:2:3:4:5:6",
            "2001:db8:0:1:2:3:4:5, 2001:db8:0:1:2:3:4:5",
            "127.0.0.1, 127.0.0.1",
            "fe80:0:0:0:1:2:3:4, fe80::1:2:3:4",
            "2001:db8:0:1:0:0:0:1, 2001:db8:0:1::1",
            "2001:0DB8:0:0:0:0:0:00A1, 2001:db8::a1",
            "1:0:0:2:0:0:0:3, 1:0:0:2::3",
            "1:0:0:2:0:0:3:4, 1::2:0:0:3:4",
    })
    void ipv6IsWrittenTheWayOpensslAndPeopleWriteIt(String java, String rfc5952) {
        assertThat(IpText.compact(java)).isEqualTo(rfc5952);
    }
}
