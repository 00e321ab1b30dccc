package dev.redistls.group;

import dev.redistls.testing.BusCapture;
import dev.redistls.testing.Cli;
import dev.redistls.testing.ClusterJudge;
import dev.redistls.testing.LocalCluster;
import dev.redistls.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import redis.clients.jedis.Jedis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Why {@code group install --cluster} switches the bus the way it does (see {@link ClusterBus}), shown on a real
 * 3-master cluster with TLS ports open: turning {@code tls-cluster yes} on every node, the bus port pinned and the
 * announced ports unchanged, leaves every link as it was, in plain text (tcpdump still sees {@code RCmb} on all of
 * them after every link carried data again, and CLUSTER LINKS shows them older than the switch); changing only what
 * the nodes announce ({@code cluster-announce-port}, so each PING carries other ports) makes every peer free its link
 * and make it again, over TLS: no plaintext bus message after, every link younger than the change, no node flagged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterBusMechanismIT {
    static final String PASSWORD = LocalCluster.PASSWORD;

    LocalCluster cluster;
    List<Integer> busPorts = new ArrayList<>();

    @BeforeAll
    void start() {
        cluster = LocalCluster.start(3, 0);
        List<Integer> tlsPorts = cluster.freeTlsPorts();
        for (RedisServer r : cluster.nodes()) {
            busPorts.add(r.port() + 10000);
        }
        // Certificates and TLS ports on every node; the bus stays plain (no --cluster).
        Cli.Result install = Cli.run("group", "install", "--inventory", cluster.writeInventory(cluster.dir().resolve("m.yaml"),
                "mechanism", cluster.dir().resolve("ca"), tlsPorts, "").toString(), "--firewall", "none");
        assertThat(install.exitCode()).as(install.toString()).isZero();
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void tlsClusterAloneKeepsPlaintextLinksAndAChangedAnnouncementRemakesThemOverTls() {
        List<ClusterJudge.Node> nodes = cluster.endpoints();
        int links = nodes.size() * (nodes.size() - 1);
        try (BusCapture capture = BusCapture.start(null, "lo", busPorts, cluster.dir().resolve("m.pcap"));
             ClusterJudge.Watch watch = new ClusterJudge.Watch(nodes, PASSWORD)) {
            List<Long> flipped = new ArrayList<>();
            for (int i = 0; i < nodes.size(); i++) {
                set(nodes.get(i), Map.of("cluster-announce-bus-port", String.valueOf(busPorts.get(i)),
                        "cluster-announce-tls-port", String.valueOf(nodes.get(i).port()), "tls-cluster", "yes"));
                flipped.add(ClusterJudge.timeMillis(nodes.get(i), PASSWORD));
            }
            long afterFlip = System.currentTimeMillis();
            BusCapture.Counts stillPlain = capture.awaitConnections(afterFlip, links);
            assertThat(stillPlain.plaintextMessages()).as("tls-cluster yes alone: links stay plaintext").isGreaterThan(0);
            for (int i = 0; i < nodes.size(); i++) {
                long at = flipped.get(i);
                assertThat(ClusterJudge.linkCreateTimes(nodes.get(i), PASSWORD)).as("links older than the switch")
                        .hasSize(2 * (nodes.size() - 1)).allMatch(t -> t < at);
            }

            List<Long> announced = new ArrayList<>();
            for (ClusterJudge.Node n : nodes) {
                set(n, Map.of("cluster-announce-port", String.valueOf(n.port())));
                announced.add(ClusterJudge.timeMillis(n, PASSWORD));
            }
            for (int i = 0; i < nodes.size(); i++) {
                long at = announced.get(i);
                ClusterJudge.Node n = nodes.get(i);
                ClusterJudge.await(() -> ClusterJudge.linkCreateTimes(n, PASSWORD).stream().filter(t -> t >= at).count()
                        == 2L * (nodes.size() - 1), "every link of " + n + " made again");
            }
            long remade = System.currentTimeMillis();
            capture.awaitConnections(remade, links);
            capture.stop();
            BusCapture.Counts after = capture.between(remade, Long.MAX_VALUE);
            assertThat(after.connections()).hasSizeGreaterThanOrEqualTo(links);
            assertThat(after.plaintextMessages()).as("after the announcement changed: " + after.plaintextSamples()).isZero();
            assertThat(watch.seen()).isEmpty();
        }
    }

    private static void set(ClusterJudge.Node n, Map<String, String> values) {
        try (Jedis j = ClusterJudge.connect(n, PASSWORD)) {
            List<String> args = new ArrayList<>();
            values.forEach((k, v) -> {
                args.add(k);
                args.add(v);
            });
            j.configSet(args.toArray(new String[0]));
        }
    }
}
