package dev.redistls.client;

import dev.redistls.RedisTlsException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommandSplitterTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "SET k v|SET,k,v",
            "  get   key  |get,key",
            "SET k \"two words\"|SET,k,two words",
            "SET k 'it\\'s'|SET,k,it's",
            "SET k \"a\\tb\"|SET,k,a\tb",
            "SET k \"\\x41\"|SET,k,A",
            "SET k ''|SET,k,",
    })
    void splitsLikeRedisCli(String line, String expected) {
        String[] want = expected.split(",", -1);
        assertThat(CommandSplitter.split(line)).containsExactlyElementsOf(Arrays.asList(want));
    }

    @ParameterizedTest
    @ValueSource(strings = {"SET k \"open", "SET k 'open", "SET k \"a\"b"})
    void refusesUnbalancedQuotes(String line) {
        assertThatThrownBy(() -> CommandSplitter.split(line)).isInstanceOf(RedisTlsException.class);
    }
}
