package dev.redistls.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.redistls.firewall.CommandRunner;
import dev.redistls.testing.Cli;
import dev.redistls.testing.Netns;
import dev.redistls.testing.Processes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code redis-tls firewall} end to end: in-process with the hidden {@code --netns}, and as a separate process
 * with {@code REDIS_TLS_NETNS}, always inside a namespace of this class's own.
 */
class FirewallCommandIT {
    private static String hostBefore;
    private static Netns ns;

    @BeforeAll
    static void namespace() {
        hostBefore = Netns.hostFirewall();
        ns = Netns.create();
        ns.execWithInput("table inet foreign { chain input { type filter hook input priority 0; policy accept;"
                + " tcp dport 6380 accept; }; }\n", "nft", "-f", "-");
    }

    @AfterAll
    static void cleanUp() {
        ns.close();
        assertThat(Netns.hostFirewall()).isEqualTo(hostBefore);
    }

    @Test
    void openStatusCloseInANamespace() throws Exception {
        Cli.Result open = Cli.run("firewall", "open", "--backend", "nftables", "--netns", ns.name());
        assertThat(open.exitCode()).as(open.toString()).isZero();
        assertThat(open.out()).isEqualTo("""
                firewall: nftables (named explicitly)
                opened tcp port 6380 from anywhere (nftables table inet redis_tls chain input in network namespace %s)
                note: a rule not made by redis-tls already accepts tcp port 6380 in table inet foreign chain input (handle 2); left as it is
                to keep it after a reboot: nft list ruleset > /etc/nftables.conf && systemctl enable nftables
                """.formatted(ns.name()));
        assertThat(open.err()).isEmpty();

        Cli.Result status = Cli.run("firewall", "status", "--json", "--netns", ns.name());
        assertThat(status.exitCode()).as(status.toString()).isZero();
        JsonNode json = new ObjectMapper().readTree(status.out());
        assertThat(json.get("backend").asText()).isEqualTo("nftables");
        assertThat(json.get("reason").asText()).isEqualTo("auto: redis-tls's own nftables table inet redis_tls is there");
        assertThat(json.get("port").asInt()).isEqualTo(6380);
        assertThat(json.get("open").asBoolean()).isTrue();
        assertThat(json.get("ours")).hasSize(1);
        assertThat(json.get("foreign").get(0).asText()).startsWith("table inet foreign chain input");

        Cli.Result close = Cli.run("firewall", "close", "--netns", ns.name());
        assertThat(close.exitCode()).as(close.toString()).isZero();
        assertThat(close.out()).contains("closed tcp port 6380: removed 1 redis-tls rule");
        assertThat(ns.must("nft", "list", "tables")).doesNotContain("redis_tls").contains("inet foreign");

        Cli.Result again = Cli.run("firewall", "close", "--backend", "nftables", "--netns", ns.name());
        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).contains("nothing to close: no redis-tls rule for tcp port 6380");
    }

    /** The lead's install tests set REDIS_TLS_NETNS for a whole JVM; prove the variable reaches every command. */
    @Test
    void theEnvironmentVariablePointsAWholeProcessAtTheNamespace() {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "dev.redistls.cli.Main", "firewall", "open", "--backend", "iptables", "--port", "6390")
                .redirectErrorStream(true);
        pb.environment().put(CommandRunner.NETNS_ENV, ns.name());
        Processes.Output out = run(pb);
        assertThat(out.exitCode()).as(out.out()).isZero();
        assertThat(out.out()).contains("in network namespace " + ns.name());
        assertThat(ns.must("iptables", "-S", "INPUT"))
                .contains("-A INPUT -p tcp -m tcp --dport 6390 -m comment --comment redis-tls -j ACCEPT");
        assertThat(Cli.run("firewall", "close", "--backend", "iptables", "--port", "6390", "--netns", ns.name())
                .exitCode()).isZero();
        assertThat(ns.must("iptables", "-S", "INPUT")).doesNotContain("redis-tls");
    }

    private static Processes.Output run(ProcessBuilder pb) {
        try {
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes());
            return new Processes.Output(p.waitFor(), out);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void badInputIsRefusedWithOneLineBeforeAnyFirewallIsRead() {
        for (List<String> args : List.of(
                List.of("--port", "0"),
                List.of("--port", "70000"),
                List.of("--allow-from", "10.0.0.0/33"),
                List.of("--allow-from", "10.0.0.0/8", "--allow-from", "db.example.com"),
                List.of("--backend", "pf"))) {
            String before = ns.must("nft", "list", "ruleset");
            List<String> argv = new ArrayList<>(List.of("firewall", "open", "--netns", ns.name()));
            argv.addAll(args);
            Cli.Result r = Cli.run(argv.toArray(String[]::new));
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.out()).isEmpty();
            assertThat(r.err().lines()).as(r.toString()).singleElement().asString().startsWith("error: ");
            assertThat(ns.must("nft", "list", "ruleset")).isEqualTo(before);
        }
    }
}
