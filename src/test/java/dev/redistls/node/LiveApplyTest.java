package dev.redistls.node;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The order of port changes in one CONFIG SET: a port handed from one listener to the other is released first. */
class LiveApplyTest {

    @ParameterizedTest(name = "port {0} tls {1} -> port {2} tls {3}: {4}")
    @CsvSource(delimiter = '|', value = {
            // install, dual: only TLS opens
            "6379|0|6379|6380|tls-port 6380",
            // install --tls-only straight from plain text: TLS takes the plain port, which is released first
            "6379|0|0|6379|port 0 tls-port 6379",
            // configure --tls-only from dual
            "6379|6380|0|6379|port 0 tls-port 6379",
            // uninstall from tls-only: plain takes the TLS port back, TLS is released first
            "0|6379|6379|0|tls-port 0 port 6379",
            // uninstall from dual
            "6379|6380|6379|0|tls-port 0",
            // dual with new ports, nothing handed over
            "6379|6380|7000|7001|port 7000 tls-port 7001",
            // swap: plain moves onto TLS's port while TLS moves elsewhere
            "6379|6380|6380|6390|tls-port 6390 port 6380",
            // nothing changes
            "6379|6380|6379|6380|",
    })
    void releasesAPortBeforeItIsTakenAgain(String plainNow, String tlsNow, String plain, String tls, String expected) {
        Map<String, String> current = Map.of("port", plainNow, "tls-port", tlsNow);
        Map<String, String> wanted = Map.of("port", plain, "tls-port", tls);
        Map<String, String> change = LiveApply.portChange(current, wanted);
        StringBuilder b = new StringBuilder();
        new LinkedHashMap<>(change).forEach((k, v) -> b.append(b.length() == 0 ? "" : " ").append(k).append(' ').append(v));
        assertThat(b.toString()).isEqualTo(expected == null ? "" : expected);
    }
}
