package dev.redistls.firewall;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The commands built for firewalld and ufw, and the ufw output we parse. These two are not run for real here
 * (firewalld needs D-Bus and its service; ufw keeps its state in /etc/ufw, outside any namespace).
 */
class ToolCommandsTest {

    @Test
    void firewalldOpensThePortOrOneRichRulePerSource() {
        assertThat(FirewalldFirewall.entries(6380, List.of())).containsExactly("--%s-port=6380/tcp");
        assertThat(FirewalldFirewall.entries(6380, List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("2001:db8::/32")))
                .stream().map(e -> e.formatted("add")).toList()).containsExactly(
                "--add-rich-rule=rule family=\"ipv4\" source address=\"10.0.0.0/8\" port port=\"6380\" protocol=\"tcp\" accept",
                "--add-rich-rule=rule family=\"ipv6\" source address=\"2001:db8::/32\" port port=\"6380\" protocol=\"tcp\" accept");
    }

    @Test
    void ufwAllowsWithOurComment() {
        assertThat(UfwFirewall.allowCommands(6380, List.of())).containsExactly(
                List.of("ufw", "allow", "6380/tcp", "comment", "redis-tls"));
        assertThat(UfwFirewall.allowCommands(6380, List.of(Cidr.parse("10.0.0.0/8")))).containsExactly(
                List.of("ufw", "allow", "from", "10.0.0.0/8", "to", "any", "port", "6380", "proto", "tcp",
                        "comment", "redis-tls"));
    }

    /** ufw numbers shift on each delete, so ours (the v6 twin too) go highest first; others' are never picked. */
    @Test
    void ufwFindsOnlyOurRulesForThePortHighestFirst() {
        String status = """
                Status: active

                     To                         Action      From
                     --                         ------      ----
                [ 1] 22/tcp                     ALLOW IN    Anywhere
                [ 2] 6380/tcp                   ALLOW IN    Anywhere                   # redis-tls
                [ 3] 6380/tcp                   ALLOW IN    192.168.0.0/16
                [ 4] 6380/tcp                   ALLOW IN    10.0.0.0/8                 # redis-tls
                [ 5] 6381/tcp                   ALLOW IN    Anywhere                   # redis-tls
                [ 6] 6380/tcp (v6)              ALLOW IN    Anywhere (v6)              # redis-tls
                """;
        assertThat(UfwFirewall.ourNumbers(status, 6380)).containsExactly(6, 4, 2);
    }

    @Test
    void iptablesRulesAreSplitAsTheShellWouldAndMatchedByMarkAndPort() {
        IptablesRule ours = IptablesRule.parse(
                "-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 6380 -m comment --comment redis-tls -j ACCEPT");
        assertThat(ours.isOurs(6380)).isTrue();
        assertThat(ours.isOurs(6381)).isFalse();
        assertThat(ours.source()).isEqualTo("10.0.0.0/8");
        assertThat(ours.deleteArgs()).containsExactly("-D", "INPUT", "-s", "10.0.0.0/8", "-p", "tcp", "-m", "tcp",
                "--dport", "6380", "-m", "comment", "--comment", "redis-tls", "-j", "ACCEPT");

        IptablesRule quoted = IptablesRule.parse(
                "-A INPUT -p tcp -m tcp --dport 6380 -m comment --comment \"not redis-tls\" -j ACCEPT");
        assertThat(quoted.isOurs(6380)).isFalse();
        assertThat(quoted.isForeignAccept(6380)).isTrue();

        IptablesRule range = IptablesRule.parse("-A INPUT -p tcp -m multiport --dports 22,6379:6390 -j ACCEPT");
        assertThat(range.isForeignAccept(6380)).isTrue();
        assertThat(range.isForeignAccept(80)).isFalse();
    }
}
