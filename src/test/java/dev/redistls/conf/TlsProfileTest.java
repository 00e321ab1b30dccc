package dev.redistls.conf;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** How a value found in redis.conf compares with a profile: what install's report calls weaker or stricter. */
class TlsProfileTest {

    @ParameterizedTest(name = "{0}: {1} {2} -> {3}")
    @CsvSource(delimiter = '|', value = {
            "intermediate|tls-protocols|TLSv1 TLSv1.1 TLSv1.2|weaker",
            "intermediate|tls-protocols|TLSv1.3|stricter",
            "intermediate|tls-protocols|tlsv1.3 TLSv1.2|same",
            "modern|tls-protocols|TLSv1.2 TLSv1.3|weaker",
            "intermediate|tls-protocols|''|weaker",
            "intermediate|tls-ciphers|ALL:eNULL:@SECLEVEL=0|weaker",
            "intermediate|tls-ciphers|HIGH:!aNULL:!MD5|weaker",
            "intermediate|tls-ciphers|ECDHE-ECDSA-AES256-GCM-SHA384:!aNULL|stricter",
            "intermediate|tls-ciphers|ECDHE-ECDSA-AES256-GCM-SHA384:@SECLEVEL=0|weaker",
            "intermediate|tls-ciphersuites|TLS_AES_128_CCM_8_SHA256:TLS_AES_128_GCM_SHA256|weaker",
            "intermediate|tls-ciphersuites|TLS_AES_256_GCM_SHA384|stricter",
            "intermediate|tls-prefer-server-ciphers|no|weaker",
            "intermediate|tls-prefer-server-ciphers|yes|same",
    })
    void comparesAFoundValueWithTheProfile(String profile, String directive, String value, String verdict) {
        TlsProfile p = TlsProfile.parse(profile);
        String got = !p.allowsNoMoreThan(directive, value) ? "weaker" : p.allowsLessThan(directive, value) ? "stricter" : "same";
        assertThat(got).isEqualTo(verdict);
    }
}
