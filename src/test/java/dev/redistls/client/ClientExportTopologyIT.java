package dev.redistls.client;

import dev.redistls.testing.Cli;
import dev.redistls.testing.LocalCluster;
import dev.redistls.testing.LocalGroup;
import dev.redistls.testing.NodeClients;
import dev.redistls.testing.PrintedSnippets;
import dev.redistls.testing.Processes;
import dev.redistls.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Sentinel and Redis Cluster snippets of {@code client export --sentinel MASTER} and {@code --cluster}, run
 * unchanged by the clients they are for, against a group and a cluster that {@code group install} secured with
 * client certificates required: redis-py, node-redis and ioredis ask the sentinels (at their TLS ports, with the
 * certificate) for the master and write to it over TLS; redis-cli, redis-py, node-redis and ioredis find the
 * cluster's nodes from two of them and write keys that live on every master. Host names are verified: the sentinels
 * and the cluster name their nodes by address (127.0.0.1), which the node certificates carry.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientExportTopologyIT {
    LocalGroup group;
    LocalCluster cluster;
    NodeClients node;
    String sentinelPrinted;
    String clusterPrinted;
    Map<String, String> sentinelEnv = new HashMap<>();
    Map<String, String> clusterEnv = new HashMap<>();

    @BeforeAll
    void start() throws Exception {
        CompletableFuture<LocalGroup> starting = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                starting.complete(LocalGroup.start(1, 3));
            } catch (Throwable e) {
                starting.completeExceptionally(e);
            }
        }, "group-start");
        t.start();
        cluster = LocalCluster.start(3, 0);
        node = NodeClients.install();
        group = starting.join();

        Path groupCa = group.dir().resolve("ca");
        List<Integer> groupTls = List.of(RedisServer.freePort(), RedisServer.freePort());
        Path groupInventory = group.writeInventory(group.dir().resolve("orders.yaml"), "orders", groupCa, groupTls,
                "auth-clients: yes\n");
        ok(Cli.run("group", "install", "--inventory", groupInventory.toString(), "--replication", "--firewall", "none"));
        Path groupKeys = group.master().dir().resolve("tls");
        ok(Cli.run("client", "issue", "app", "--keys-dir", groupKeys.toString(), "--ca-home", groupCa.toString()));
        sentinelPrinted = ok(Cli.run("client", "export", "app", "--format", "pem", "--out",
                group.dir().resolve("export").toString(), "--keys-dir", groupKeys.toString(), "--sentinel",
                LocalGroup.MASTER_NAME));
        sentinelEnv.put("REDIS_SENTINELS", group.sentinels().stream().map(s -> "127.0.0.1:" + s.tlsPort())
                .collect(Collectors.joining(",")));
        sentinelEnv.put("REDIS_PASSWORD", LocalGroup.PASSWORD);

        Path clusterCa = cluster.dir().resolve("ca");
        List<Integer> clusterTls = cluster.freeTlsPorts();
        Path clusterInventory = cluster.writeInventory(cluster.dir().resolve("shop.yaml"), "shop", clusterCa, clusterTls,
                "auth-clients: yes\n");
        ok(Cli.run("group", "install", "--inventory", clusterInventory.toString(), "--cluster", "--firewall", "none"));
        Path clusterKeys = cluster.nodes().get(0).dir().resolve("tls");
        ok(Cli.run("client", "issue", "app", "--keys-dir", clusterKeys.toString(), "--ca-home", clusterCa.toString()));
        clusterPrinted = ok(Cli.run("client", "export", "app", "--format", "pem", "--out",
                cluster.dir().resolve("export").toString(), "--keys-dir", clusterKeys.toString(), "--cluster"));
        // Two of the three: the client learns the third from them.
        clusterEnv.put("REDIS_NODES", "127.0.0.1:" + clusterTls.get(1) + ",127.0.0.1:" + clusterTls.get(2));
        clusterEnv.put("REDIS_PASSWORD", LocalCluster.PASSWORD);
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (group != null) {
            group.close();
        }
    }

    @Test
    void exportRefusesSentinelAndClusterTogether() {
        Cli.Result r = Cli.run("client", "export", "app", "--format", "pem", "--out", group.dir().resolve("both").toString(),
                "--keys-dir", group.master().dir().resolve("tls").toString(), "--sentinel", "x", "--cluster");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: --sentinel and --cluster exclude each other: a Redis Cluster has no sentinels\n");
    }

    @Test
    void redisPyFindsTheMasterThroughTheSentinelsOverTls() {
        Processes.Output py = python(sentinelEnv, PrintedSnippets.section(sentinelPrinted, "redis-py (Sentinel):")
                + "r.set(\"py:sentinel\", \"via sentinel\")\nprint(r.get(\"py:sentinel\").decode())\n");
        assertThat(py.out()).as(py.out()).isEqualTo("via sentinel\n");
        assertThat(LocalGroup.cli(group.master().port(), "GET", "py:sentinel").out().strip()).isEqualTo("via sentinel");
    }

    @ParameterizedTest
    @ValueSource(strings = {"node-redis", "ioredis"})
    void nodeClientsFindTheMasterThroughTheSentinelsOverTls(String client) {
        String key = "node:sentinel:" + client;
        Processes.Output run = node.run(client, client + "-sentinel",
                PrintedSnippets.section(sentinelPrinted, client + " (Sentinel;"), sentinelEnv, key, "set by " + client);
        assertThat(run.exitCode()).as(run.out()).isZero();
        assertThat(run.out()).contains(client + " GET " + key + " = set by " + client);
        assertThat(LocalGroup.cli(group.master().port(), "GET", key).out().strip()).isEqualTo("set by " + client);
    }

    @Test
    void redisCliFollowsTheClusterOverTls() {
        String snippet = PrintedSnippets.section(clusterPrinted, "redis-cli (Cluster");
        assertThat(sh(clusterEnv, snippet).out()).isEqualTo("PONG\n");
        // The same line with commands of an application: keys on every master, redirects followed over TLS.
        for (String key : keysOnEveryMaster()) {
            assertThat(sh(clusterEnv, snippet.replace(" PING\n", " SET " + key + " cli\n")).out()).isEqualTo("OK\n");
            assertThat(sh(clusterEnv, snippet.replace(" PING\n", " GET " + key + "\n")).out()).isEqualTo("cli\n");
        }
    }

    @Test
    void redisPyWritesEverySlotOwnerOfTheClusterOverTls() {
        StringBuilder code = new StringBuilder(PrintedSnippets.section(clusterPrinted, "redis-py (Cluster):"));
        for (String key : keysOnEveryMaster()) {
            code.append("r.set(\"").append(key).append("\", \"py\")\nprint(r.get(\"").append(key).append("\").decode())\n");
        }
        Processes.Output py = python(clusterEnv, code.toString());
        assertThat(py.out()).as(py.out()).isEqualTo("py\n".repeat(keysOnEveryMaster().size()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"node-redis", "ioredis"})
    void nodeClientsWriteToTheClusterOverTls(String client) {
        for (String key : keysOnEveryMaster()) {
            String k = key + ":" + client;
            Processes.Output run = node.run(client, client + "-cluster",
                    PrintedSnippets.section(clusterPrinted, client + " (Cluster;"), clusterEnv, k, "set by " + client);
            assertThat(run.exitCode()).as(run.out()).isZero();
            assertThat(run.out()).contains(client + " GET " + k + " = set by " + client);
        }
    }

    /** Without the client certificate the sentinels and the cluster's nodes refuse node-redis (they require one). */
    @ParameterizedTest
    @ValueSource(strings = {"Sentinel", "Cluster"})
    void withoutTheClientCertificateTheyRefuse(String topology) {
        boolean sentinel = topology.equals("Sentinel");
        String module = PrintedSnippets.section(sentinel ? sentinelPrinted : clusterPrinted, "node-redis (" + topology + ";");
        String noCert = PrintedSnippets.without(PrintedSnippets.without(module, "cert:"), "key:");
        Processes.Output run = node.run("node-redis", "node-redis-no-cert-" + topology, noCert, sentinel ? sentinelEnv : clusterEnv,
                "never:" + topology, "x");
        assertThat(run.exitCode()).as(run.out()).isNotZero();
        assertThat(run.out()).doesNotContain(" GET ").doesNotContain(LocalGroup.PASSWORD).doesNotContain(LocalCluster.PASSWORD);
    }

    /**
     * One key per master: its slot (CLUSTER KEYSLOT) in each third of the slots, as {@code redis-cli --cluster
     * create} hands them to three masters.
     */
    private List<String> keysOnEveryMaster() {
        int masters = cluster.nodes().size();
        List<String> keys = new ArrayList<>();
        List<Integer> owners = new ArrayList<>();
        for (int i = 0; keys.size() < masters && i < 1000; i++) {
            String key = "topology:" + i;
            int slot = Integer.parseInt(LocalGroup.cli(cluster.nodes().get(0).port(), "-a", LocalCluster.PASSWORD,
                    "--no-auth-warning", "CLUSTER", "KEYSLOT", key).out().strip());
            int owner = slot * masters / 16384;
            if (!owners.contains(owner)) {
                owners.add(owner);
                keys.add(key);
            }
        }
        return keys;
    }

    private static Processes.Output python(Map<String, String> env, String code) {
        return Processes.run(null, env, List.of("/usr/bin/python3", "-c", code), Duration.ofSeconds(60));
    }

    private static Processes.Output sh(Map<String, String> env, String script) {
        return Processes.run(null, env, List.of("sh", "-c", script), Duration.ofSeconds(30));
    }

    private static String ok(Cli.Result r) {
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return r.out();
    }
}
