package dev.redistls.firewall;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.redistls.testing.Netns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The nftables backend against the real nft, inside a namespace of each test's own, next to someone else's table. */
class NftablesFirewallIT {
    private static final String FOREIGN = """
            table inet foreign {
              chain input {
                type filter hook input priority 0; policy accept;
                tcp dport 6380 accept
                tcp dport 22 accept
              }
            }
            """;
    private static String hostBefore;

    private Netns ns;
    private Firewall fw;

    @BeforeAll
    static void snapshotHost() {
        hostBefore = Netns.hostFirewall();
    }

    @AfterAll
    static void hostUntouched() {
        assertThat(Netns.hostFirewall()).isEqualTo(hostBefore);
    }

    @BeforeEach
    void namespace() {
        ns = Netns.create();
        fw = Firewall.select("nftables", CommandRunner.inNetns(ns.name()));
    }

    @AfterEach
    void deleteNamespace() {
        ns.close();
    }

    @Test
    void opensOnceClosesOursAndLeavesTheForeignTableByteForByte() throws Exception {
        ns.execWithInput(FOREIGN, "nft", "-f", "-");
        String foreignBefore = ns.must("nft", "list", "table", "inet", "foreign");

        Firewall.Outcome first = fw.open(6380, List.of());
        assertThat(first.changed()).isTrue();
        assertThat(ourRules(6380)).containsExactly("anywhere");
        assertThat(ns.must("nft", "list", "table", "inet", "redis_tls"))
                .contains("type filter hook input priority filter; policy accept;")
                .contains("tcp dport 6380 accept comment \"redis-tls\"");
        assertThat(first.lines()).anyMatch(l -> l.startsWith("note: a rule not made by redis-tls already accepts tcp"
                + " port 6380 in table inet foreign chain input") && l.endsWith("; left as it is"));
        assertThat(first.lines()).last().asString().contains("nft list ruleset > /etc/nftables.conf");
        assertThat(first.done()).singleElement().asString().startsWith("opened tcp port 6380 from anywhere");
        assertThat(first.notes()).singleElement().asString().startsWith("note: a rule not made by redis-tls");
        assertThat(first.next()).containsExactly(Firewall.PERSIST + fw.persistHint());

        Firewall.Outcome again = fw.open(6380, List.of());
        assertThat(again.changed()).isFalse();
        assertThat(again.lines().get(0)).contains("already open").contains("nothing changed");
        assertThat(again.next()).isEmpty();
        assertThat(ourRules(6380)).containsExactly("anywhere");

        Firewall.Outcome closed = fw.close(6380);
        assertThat(closed.changed()).isTrue();
        assertThat(ns.must("nft", "list", "tables")).doesNotContain("redis_tls");
        assertThat(ns.must("nft", "list", "table", "inet", "foreign")).isEqualTo(foreignBefore);

        Firewall.Outcome noop = fw.close(6380);
        assertThat(noop.changed()).isFalse();
        assertThat(noop.lines()).containsExactly("nothing to close: no redis-tls rule for tcp port 6380 (nftables"
                + " in network namespace " + ns.name() + ")");
    }

    @Test
    void allowFromMakesOneRulePerSourceAndReopeningReplacesOnlyOurs() throws Exception {
        fw.open(6380, List.of("10.1.2.3/8", "2001:db8::1/32", "10.0.0.0/8"));
        assertThat(ourRules(6380)).containsExactlyInAnyOrder("10.0.0.0/8", "2001:db8::/32");
        assertThat(ns.must("nft", "list", "table", "inet", "redis_tls"))
                .contains("ip saddr 10.0.0.0/8 tcp dport 6380 accept comment \"redis-tls\"")
                .contains("ip6 saddr 2001:db8::/32 tcp dport 6380 accept comment \"redis-tls\"");

        Firewall.Outcome widened = fw.open(6380, List.of());
        assertThat(widened.changed()).isTrue();
        assertThat(ourRules(6380)).containsExactly("anywhere");
    }

    @Test
    void closingOnePortKeepsOurTableForAnother() throws Exception {
        fw.open(6380, List.of());
        fw.open(6381, List.of());
        fw.close(6380);
        assertThat(ourRules(6380)).isEmpty();
        assertThat(ourRules(6381)).containsExactly("anywhere");
        fw.close(6381);
        assertThat(ns.must("nft", "list", "tables")).doesNotContain("redis_tls");
    }

    @Test
    void statusShowsOursAndOthersRules() {
        ns.execWithInput(FOREIGN, "nft", "-f", "-");
        assertThat(fw.status(6380).open()).isFalse();
        fw.open(6380, List.of());
        Firewall.Status s = fw.status(6380);
        assertThat(s.open()).isTrue();
        assertThat(s.ours()).singleElement().asString().startsWith("tcp dport 6380 accept comment \"redis-tls\"");
        assertThat(s.foreign()).singleElement().asString().startsWith("table inet foreign chain input");
        assertThat(fw.status(22).foreign()).hasSize(1);
        ns.must("nft", "add", "rule", "inet", "foreign", "input", "tcp", "dport", "{ 443, 6379-6390 }", "accept");
        assertThat(fw.status(6385).foreign()).singleElement().asString().startsWith("table inet foreign chain input");
        assertThat(fw.status(6391).foreign()).isEmpty();
        assertThat(fw.status(22).open()).isFalse();
    }

    /** nftables runs every input chain: our accept cannot beat another table's drop policy, and we must say so. */
    @Test
    void warnsWhenAnotherInputChainDropsByDefault() {
        ns.execWithInput("""
                table inet filter {
                  chain input { type filter hook input priority 0; policy drop; tcp dport 22 accept; }
                }
                """, "nft", "-f", "-");
        Firewall.Outcome o = fw.open(6380, List.of());
        assertThat(o.lines()).anyMatch(l -> l.startsWith("note: chain input of table inet filter drops by default and no rule there accepts tcp port 6380")
                && l.endsWith("nft insert rule inet filter input tcp dport 6380 accept"));
        assertThat(ns.must("nft", "list", "chain", "inet", "filter", "input")).doesNotContain("6380");
    }

    @Test
    void autoPicksNftablesWhenATableOfItsOwnIsThere() {
        ns.execWithInput(FOREIGN, "nft", "-f", "-");
        Firewall auto = Firewall.select("auto", CommandRunner.inNetns(ns.name()));
        assertThat(auto.name()).isEqualTo("nftables");
        assertThat(auto.reason()).isEqualTo("auto: the nftables ruleset has tables in use: inet foreign");
    }

    /** Sources of our rules for {@code port}, read from nft's JSON by this test, not by the code under test. */
    private List<String> ourRules(int port) throws Exception {
        JsonNode root = new ObjectMapper().readTree(ns.must("nft", "-j", "list", "ruleset"));
        List<String> sources = new ArrayList<>();
        for (JsonNode item : root.path("nftables")) {
            JsonNode r = item.get("rule");
            if (r == null || !"redis_tls".equals(r.path("table").asText()) || !"redis-tls".equals(r.path("comment").asText())) {
                continue;
            }
            String source = "anywhere";
            boolean port_ = false;
            for (JsonNode e : r.path("expr")) {
                JsonNode m = e.path("match");
                if ("dport".equals(m.path("left").path("payload").path("field").asText())) {
                    port_ = m.path("right").asInt() == port;
                }
                if ("saddr".equals(m.path("left").path("payload").path("field").asText())) {
                    JsonNode p = m.path("right").path("prefix");
                    source = p.path("addr").asText() + "/" + p.path("len").asInt();
                }
            }
            if (port_) {
                sources.add(source);
            }
        }
        return sources;
    }
}
