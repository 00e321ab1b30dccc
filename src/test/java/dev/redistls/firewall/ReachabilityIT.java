package dev.redistls.firewall;

import dev.redistls.testing.Netns;
import dev.redistls.testing.Processes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whether a rule really lets a client through, judged by a real redis-server and redis-cli inside a namespace
 * whose firewall drops by default (and keeps established connections, as every real one does).
 */
class ReachabilityIT {
    private static String hostBefore;

    private Netns ns;
    private Process redis;

    @BeforeAll
    static void snapshotHost() {
        hostBefore = Netns.hostFirewall();
    }

    @AfterAll
    static void hostUntouched() {
        assertThat(Netns.hostFirewall()).isEqualTo(hostBefore);
    }

    @BeforeEach
    void redisInANamespace(@TempDir Path dir) throws Exception {
        ns = Netns.create();
        ns.must("ip", "link", "set", "lo", "up");
        redis = new ProcessBuilder("ip", "netns", "exec", ns.name(), "redis-server", "--port", "6380", "--bind",
                "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        for (int i = 0; i < 100 && !reachable(); i++) {
            Thread.sleep(50);
        }
        assertThat(reachable()).as("redis-server answers before any firewall").isTrue();
    }

    @AfterEach
    void stop() throws Exception {
        redis.destroy();
        redis.waitFor();
        ns.close();
    }

    @Test
    void iptablesOpenLetsAClientThroughADropPolicyAndCloseShutsItAgain() {
        ns.must("iptables", "-A", "INPUT", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT");
        ns.must("iptables", "-P", "INPUT", "DROP");
        assertThat(reachable()).isFalse();

        Firewall fw = Firewall.select("iptables", CommandRunner.inNetns(ns.name()));
        fw.open(6380, List.of());
        assertThat(reachable()).isTrue();
        fw.close(6380);
        assertThat(reachable()).isFalse();
    }

    @Test
    void iptablesAllowFromAdmitsOnlyThatSource() {
        ns.must("iptables", "-A", "INPUT", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT");
        ns.must("iptables", "-P", "INPUT", "DROP");
        Firewall fw = Firewall.select("iptables", CommandRunner.inNetns(ns.name()));
        fw.open(6380, List.of("10.0.0.0/8"));
        assertThat(reachable()).isFalse();
        fw.open(6380, List.of("127.0.0.0/8"));
        assertThat(reachable()).isTrue();
    }

    /**
     * nftables runs every input base chain: an accept in our own table does not override a drop in another's.
     * The backend says so, and the command its note gives is what actually lets the client in.
     */
    @Test
    void anAcceptInOurOwnNftTableCannotOverrideAnotherTablesDrop() {
        ns.execWithInput("""
                table inet filter {
                  chain input {
                    type filter hook input priority 0; policy drop;
                    ct state established,related accept
                  }
                }
                """, "nft", "-f", "-");
        assertThat(reachable()).isFalse();

        Firewall fw = Firewall.select("nftables", CommandRunner.inNetns(ns.name()));
        Firewall.Outcome o = fw.open(6380, List.of());
        assertThat(reachable()).isFalse();
        String note = o.lines().stream().filter(l -> l.startsWith("note: chain input of table inet filter"))
                .findFirst().orElseThrow();
        String fix = note.substring(note.indexOf("run: ") + "run: ".length());
        assertThat(fix).isEqualTo("nft insert rule inet filter input tcp dport 6380 accept");
        ns.must(fix.split(" "));
        assertThat(reachable()).isTrue();
    }

    private boolean reachable() {
        Processes.Output r = ns.exec("timeout", "2", "redis-cli", "-h", "127.0.0.1", "-p", "6380", "ping");
        return r.exitCode() == 0 && r.out().contains("PONG");
    }
}
