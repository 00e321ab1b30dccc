package dev.redistls.conf;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ConfSyntaxTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "port 6379|port,6379",
            "  bind 127.0.0.1 -::1  |bind,127.0.0.1,-::1",
            "tls-protocols \"TLSv1.2 TLSv1.3\"|tls-protocols,TLSv1.2 TLSv1.3",
            "requirepass 'it''s'|requirepass",
            "save \"\"|save,",
            "rename-command CONFIG \"\"|rename-command,CONFIG,",
            "logfile \"/var/log/with space.log\"|logfile,/var/log/with space.log",
            "x \"a\\x41\\x42\"|x,aAB",
    })
    void splitsLikeRedis(String line, String expected) {
        List<String> want = Arrays.asList(expected.split(",", -1));
        if (line.startsWith("requirepass")) {
            // 'it''s' is not valid: a closing quote must be followed by a space
            assertThat(ConfSyntax.split(line)).isNull();
            return;
        }
        assertThat(ConfSyntax.split(line)).isEqualTo(want);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tls-protocols \"TLSv1.2", "x 'open", "x \"a\"b"})
    void refusesUnbalancedQuotes(String line) {
        assertThat(ConfSyntax.split(line)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain", "TLSv1.2 TLSv1.3", "", "with \"quote\"", "back\\slash", "tab\there", "new\nline"})
    void quoteRoundTrips(String word) {
        assertThat(ConfSyntax.split("d " + ConfSyntax.quote(word))).containsExactly("d", word);
    }
}
