package dev.redistls.client;

import dev.redistls.testing.PrintedSnippets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The printed snippets' shape: every client has a section in every format and topology, Spring Boot's once and for
 * the topology asked for, and odd paths stay string literals.
 */
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

    @ParameterizedTest
    @EnumSource(ClientBundle.Format.class)
    void everyJavaClientHasASentinelAndAClusterSection(ClientBundle.Format format) {
        ClientBundle.Result r = new ClientBundle.Result(format, Path.of("/srv/app tls"), List.of());
        for (Topology topology : List.of(new Topology("orders", false), new Topology(null, true))) {
            String name = topology.cluster() ? "Cluster" : "Sentinel";
            String printed = UsageSnippets.of(r, "billing", topology);
            for (String header : List.of("Jedis (" + name + "):", "Lettuce (" + name + "):", "Spring Boot 3.1+ (" + name + "; ",
                    "Redisson 4 (" + name + "; ")) {
                assertThat(PrintedSnippets.section(printed, header)).as(header).isNotBlank();
            }
            // One application, one spring.data.redis: the properties connect as asked, and are printed once.
            assertThat(printed.lines().filter(l -> l.startsWith("Spring Boot"))).hasSize(1);
        }
    }

    @ParameterizedTest
    @EnumSource(value = ClientBundle.Format.class, names = {"PEM", "PKCS12"})
    void springPropertiesConnectToTheTopologyAskedFor(ClientBundle.Format format) {
        ClientBundle.Result r = new ClientBundle.Result(format, Path.of("/srv/app"), List.of());
        String sentinel = PrintedSnippets.section(UsageSnippets.of(r, "billing", new Topology("orders", false)), "Spring Boot");
        assertThat(sentinel).contains("spring.data.redis.ssl.bundle=redis-tls\n",
                        "spring.data.redis.sentinel.master=orders\n",
                        "spring.data.redis.sentinel.nodes=${REDIS_SENTINELS}\n",
                        "spring.data.redis.sentinel.password=${REDIS_SENTINEL_PASSWORD:}\n",
                        "spring.data.redis.password=${REDIS_PASSWORD:}\n")
                .doesNotContain("spring.data.redis.host", "spring.data.redis.port", "cluster");
        String cluster = PrintedSnippets.section(UsageSnippets.of(r, "billing", new Topology(null, true)), "Spring Boot");
        assertThat(cluster).contains("spring.data.redis.ssl.bundle=redis-tls\n", "spring.data.redis.cluster.nodes=${REDIS_NODES}\n",
                        "spring.data.redis.password=${REDIS_PASSWORD:}\n")
                .doesNotContain("spring.data.redis.host", "spring.data.redis.port", "sentinel");
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
        String cluster = UsageSnippets.of(new ClientBundle.Result(ClientBundle.Format.PKCS12, dir, List.of()), "billing",
                new Topology(null, true));
        assertThat(PrintedSnippets.section(cluster, "Jedis (Cluster):")).contains("new File(\"/srv/it's \\\"tls\\\"\\\\x/billing.p12\")");
        assertThat(PrintedSnippets.section(cluster, "Lettuce (Cluster):")).contains("new File(\"/srv/it's \\\"tls\\\"\\\\x/billing.p12\")");
    }
}
