package dev.redistls.firewall;

import dev.redistls.testing.Netns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The iptables backend against the real iptables and ip6tables, in both variants Debian ships (nf_tables, the
 * default, and legacy), inside a namespace of each test's own, next to rules of someone else's.
 */
class IptablesFirewallIT {
    private static final String OURS = "-A INPUT -p tcp -m tcp --dport 6380 -m comment --comment redis-tls -j ACCEPT";
    private static String hostBefore;

    private Netns ns;

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
    }

    @AfterEach
    void deleteNamespace() {
        ns.close();
    }

    private Firewall backend(String v4) {
        CommandRunner runner = CommandRunner.inNetns(ns.name());
        return v4.endsWith("-legacy") ? Selection.iptablesLegacy(runner) : Firewall.select("iptables", runner);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"iptables, ip6tables", "iptables-legacy, ip6tables-legacy"})
    void opensOnceClosesOursAndLeavesOthersRulesByteForByte(String v4, String v6) {
        ns.must(v4, "-A", "INPUT", "-p", "tcp", "--dport", "22", "-j", "ACCEPT");
        ns.must(v4, "-A", "INPUT", "-p", "tcp", "--dport", "6380", "-j", "ACCEPT");
        ns.must(v6, "-A", "INPUT", "-p", "tcp", "--dport", "6380", "-m", "comment", "--comment", "someone else",
                "-j", "ACCEPT");
        String before4 = ns.must(v4, "-S");
        String before6 = ns.must(v6, "-S");
        Firewall fw = backend(v4);

        Firewall.Outcome first = fw.open(6380, List.of());
        assertThat(first.changed()).isTrue();
        assertThat(ours(v4)).containsExactly(OURS);
        assertThat(ours(v6)).containsExactly(OURS);
        assertThat(ns.must(v4, "-S", "INPUT").lines().filter(l -> l.startsWith("-A")).findFirst()).hasValue(OURS);
        assertThat(first.lines()).anyMatch(l -> l.equals("note: a rule not made by redis-tls already accepts tcp port"
                + " 6380 in " + v4 + " INPUT (-A INPUT -p tcp -m tcp --dport 6380 -j ACCEPT); left as it is"));
        assertThat(first.lines()).anyMatch(l -> l.startsWith("note: a rule not made by redis-tls already accepts tcp"
                + " port 6380 in " + v6 + " INPUT"));
        assertThat(first.lines()).last().asString().startsWith("to keep it after a reboot: ");

        Firewall.Outcome again = fw.open(6380, List.of());
        assertThat(again.changed()).isFalse();
        assertThat(ours(v4)).hasSize(1);
        assertThat(ours(v6)).hasSize(1);

        Firewall.Outcome closed = fw.close(6380);
        assertThat(closed.changed()).isTrue();
        assertThat(closed.lines().get(0)).startsWith("closed tcp port 6380: removed 2 redis-tls rules");
        assertThat(ns.must(v4, "-S")).isEqualTo(before4);
        assertThat(ns.must(v6, "-S")).isEqualTo(before6);

        Firewall.Outcome noop = fw.close(6380);
        assertThat(noop.changed()).isFalse();
        assertThat(noop.lines()).singleElement().asString().startsWith("nothing to close: no redis-tls rule for tcp port 6380");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"iptables, ip6tables", "iptables-legacy, ip6tables-legacy"})
    void ipv4SourcesGoToIptablesOnlyAndIpv6ToIp6tablesOnly(String v4, String v6) {
        Firewall fw = backend(v4);
        fw.open(6380, List.of("10.1.2.3/8"));
        assertThat(ours(v4)).containsExactly(
                "-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 6380 -m comment --comment redis-tls -j ACCEPT");
        assertThat(ours(v6)).isEmpty();

        Firewall.Outcome moved = fw.open(6380, List.of("2001:db8::/32"));
        assertThat(moved.lines()).anyMatch(l -> l.startsWith("removed our earlier " + v4 + " rule"));
        assertThat(ours(v4)).isEmpty();
        assertThat(ours(v6)).containsExactly(
                "-A INPUT -s 2001:db8::/32 -p tcp -m tcp --dport 6380 -m comment --comment redis-tls -j ACCEPT");

        fw.close(6380);
        assertThat(ours(v6)).isEmpty();
    }

    @Test
    void statusListsOursAndOthersForThePort() {
        ns.must("iptables", "-A", "INPUT", "-p", "tcp", "-m", "multiport", "--dports", "6379:6390", "-j", "ACCEPT");
        Firewall fw = backend("iptables");
        fw.open(6380, List.of());
        Firewall.Status s = fw.status(6380);
        assertThat(s.open()).isTrue();
        assertThat(s.ours()).containsExactly("iptables: " + OURS, "ip6tables: " + OURS);
        assertThat(s.foreign()).containsExactly("iptables: -A INPUT -p tcp -m multiport --dports 6379:6390 -j ACCEPT");
        assertThat(fw.status(6381).open()).isFalse();
    }

    /** iptables-nft shows its rules as nft tables too; auto must still see them as iptables rules. */
    @Test
    void autoPicksIptablesWhenItHasRulesEvenThoughNftSeesItsTables() {
        ns.must("iptables", "-A", "INPUT", "-p", "tcp", "--dport", "22", "-j", "ACCEPT");
        assertThat(ns.must("nft", "list", "tables")).contains("table ip filter");
        Firewall auto = Firewall.select("auto", CommandRunner.inNetns(ns.name()));
        assertThat(auto.name()).isEqualTo("iptables");
        assertThat(auto.reason()).isEqualTo("auto: iptables has 1 rule or policies beyond the default accept");
    }

    /** The two variants have separate hooks: an ACCEPT in iptables-nft cannot undo a DROP in iptables-legacy. */
    @Test
    void whenOnlyTheLegacyVariantHasRulesOursGoThereToo() {
        ns.must("iptables-legacy", "-A", "INPUT", "-p", "tcp", "--dport", "22", "-j", "ACCEPT");
        Firewall auto = Firewall.select("auto", CommandRunner.inNetns(ns.name()));
        assertThat(auto.reason()).isEqualTo("auto: iptables-legacy has 1 rule or policies beyond the default accept");
        Firewall explicit = Firewall.select("iptables", CommandRunner.inNetns(ns.name()));
        assertThat(explicit.reason()).isEqualTo("named explicitly; this host's rules are in iptables-legacy");

        explicit.open(6380, List.of());
        assertThat(ours("iptables-legacy")).containsExactly(OURS);
        assertThat(ns.must("nft", "list", "tables")).doesNotContain("filter");
        auto.close(6380);
        assertThat(ours("iptables-legacy")).isEmpty();
    }

    @Test
    void autoPicksNoneOnAnEmptyFirewallAndSaysWhy() {
        Firewall auto = Firewall.select("auto", CommandRunner.inNetns(ns.name()));
        assertThat(auto.name()).isEqualTo("none");
        assertThat(auto.reason()).startsWith("auto: no firewall in use was found");
        assertThat(auto.open(6380, List.of()).lines()).singleElement().asString().contains("no rule added");
    }

    private List<String> ours(String tool) {
        return ns.must(tool, "-S", "INPUT").lines().filter(l -> l.contains("--comment redis-tls")).toList();
    }
}
