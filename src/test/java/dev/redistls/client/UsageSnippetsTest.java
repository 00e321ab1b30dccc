package dev.redistls.client;

import dev.redistls.testing.PrintedSnippets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The printed snippets' shape: every client has a section in every format, and odd paths stay string literals. */
class UsageSnippetsTest {
    private static final List<String> HEADERS = List.of("redis-cli:", "Jedis:", "Lettuce:", "Spring Boot", "Redisson",
            "redis-py:", "node-redis", "ioredis");

    @ParameterizedTest
    @EnumSource(ClientBundle.Format.class)
    void everyClientHasASectionInEveryFormat(ClientBundle.Format format) {
        String printed = UsageSnippets.of(new ClientBundle.Result(format, Path.of("/srv/app tls"), List.of()), "billing");
        for (String header : HEADERS) {
            assertThat(PrintedSnippets.section(printed, header)).as(header).isNotBlank();
        }
        assertThat(printed).doesNotContainPattern("\\bHOST\\b|\\bPORT\\b").contains("REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD");
    }

    @Test
    void quotesAndBackslashesInAPathAreEscapedInEachLanguage() {
        Path dir = Path.of("/srv/it's \"tls\"\\x");
        String pem = UsageSnippets.of(new ClientBundle.Result(ClientBundle.Format.PEM, dir, List.of()), "billing");
        assertThat(PrintedSnippets.section(pem, "node-redis"))
                .contains("ca: fs.readFileSync('/srv/it\\'s \"tls\"\\\\x/root.crt'),");
        assertThat(PrintedSnippets.section(pem, "redis-py:")).contains("ssl_ca_certs=\"/srv/it's \\\"tls\\\"\\\\x/root.crt\"");
        String p12 = UsageSnippets.of(new ClientBundle.Result(ClientBundle.Format.PKCS12, dir, List.of()), "billing");
        assertThat(PrintedSnippets.section(p12, "Jedis:")).contains("new File(\"/srv/it's \\\"tls\\\"\\\\x/billing.p12\")");
        assertThat(PrintedSnippets.section(p12, "Redisson")).contains("sslKeystore: \"" + dir.resolve("billing.p12").toUri() + "\"");
    }
}
