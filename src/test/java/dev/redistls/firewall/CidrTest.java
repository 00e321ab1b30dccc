package dev.redistls.firewall;

import dev.redistls.RedisTlsException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CidrTest {

    /** What nft and iptables print back, since that is what we compare our rules with. */
    @ParameterizedTest
    @CsvSource({
            "10.0.0.0/8, 10.0.0.0/8, false",
            "10.1.2.3/8, 10.0.0.0/8, false",
            "192.168.1.7, 192.168.1.7/32, false",
            "0.0.0.0/0, 0.0.0.0/0, false",
            "172.16.5.4/12, 172.16.0.0/12, false",
            "2001:db8::1/32, 2001:db8::/32, true",
            "2001:DB8:0:0:1::/64, 2001:db8::/64, true",
            "::1, ::1/128, true",
            "fe80::/10, fe80::/10, true",
            "2001:db8:0:1:0:0:0:1/128, 2001:db8:0:1::1/128, true",
    })
    void normalisesToTheNetworkAddress(String input, String expected, boolean ipv6) {
        Cidr c = Cidr.parse(input);
        assertThat(c.toString()).isEqualTo(expected);
        assertThat(c.ipv6()).isEqualTo(ipv6);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "foo", "example.com", "10.0.0.0/33", "10.0.0.256/8", "10.0.0/8", "10.0.0.0/-1",
            "10.0.0.0/", "2001:db8::/129", "2001:db8::g/32", "10.0.0.0/8/8", "::ffff:10.0.0.1/200", " /8"})
    void refusesWhatIsNotACidrAndNamesIt(String input) {
        assertThatThrownBy(() -> Cidr.parse(input))
                .isInstanceOf(RedisTlsException.class)
                .hasMessage("not a CIDR: " + input + " (expected e.g. 10.0.0.0/8 or 2001:db8::/32)")
                .extracting(e -> ((RedisTlsException) e).exitCode()).isEqualTo(2);
    }
}
