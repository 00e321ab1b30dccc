package dev.redistls.client;

import dev.redistls.testing.ClientApp;
import dev.redistls.testing.Cli;
import dev.redistls.testing.JavaSnippet;
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

import java.nio.file.Files;
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
 * client certificates required: redis-py, node-redis, ioredis, Jedis, Lettuce, Spring Boot and Redisson ask the
 * sentinels (at their TLS ports, with the certificate) for the master and write to it over TLS; redis-cli, redis-py,
 * node-redis, ioredis, Jedis, Lettuce, Spring Boot and Redisson find the cluster's nodes from some of them and write
 * keys that live on every master. Host names are verified: the sentinels and the cluster name their nodes by address
 * (127.0.0.1), which the node certificates carry. Jedis and Lettuce statements run as a Java source file
 * ({@link JavaSnippet}); Spring Boot and Redisson in the apps their own tests build.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientExportTopologyIT {
    private static final String STORE_PASSWORD = "topology-store-pass";
    private static final List<String> BOOT_VERSIONS = List.of("3.5.7", "4.0.7");

    LocalGroup group;
    LocalCluster cluster;
    NodeClients node;
    String sentinelPrinted;
    String clusterPrinted;
    /** The same exports as PKCS#12 (Jedis, Redisson, Spring's jks bundle) and as Spring's file. */
    String sentinelPkcs12;
    String clusterPkcs12;
    Path sentinelSpringFile;
    String sentinelSpringPrinted;
    Map<String, ClientApp> boot = new HashMap<>();
    ClientApp redissonApp;
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
        // The JVM apps build (or are found built by their own tests) while the servers start.
        CompletableFuture<Void> apps = CompletableFuture.runAsync(() -> {
            redissonApp = ClientApp.build("redisson", "redisson", "dev.redistls.check.RedissonCheck");
            for (String version : BOOT_VERSIONS) {
                boot.put(version, ClientApp.build("spring-boot", "spring-boot-" + version, "dev.redistls.check.RedisTlsCheck",
                        "-Dspring-boot.version=" + version));
            }
        });
        cluster = LocalCluster.start(3, 0);
        node = NodeClients.install();
        group = starting.join();
        Path storePass = group.dir().resolve("store.pass");
        Files.writeString(storePass, STORE_PASSWORD + "\n");

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
        sentinelPkcs12 = ok(Cli.run("client", "export", "app", "--format", "pkcs12", "--out",
                group.dir().resolve("export-p12").toString(), "--password-file", storePass.toString(),
                "--keys-dir", groupKeys.toString(), "--sentinel", LocalGroup.MASTER_NAME));
        sentinelSpringPrinted = ok(Cli.run("client", "export", "app", "--format", "spring", "--out",
                group.dir().resolve("export-spring").toString(), "--keys-dir", groupKeys.toString(), "--sentinel",
                LocalGroup.MASTER_NAME));
        sentinelSpringFile = group.dir().resolve("export-spring").resolve(SpringBootProperties.FILE);
        sentinelEnv.put("REDIS_SENTINELS", group.sentinels().stream().map(s -> "127.0.0.1:" + s.tlsPort())
                .collect(Collectors.joining(",")));
        // Redisson's YAML starts from one sentinel.
        sentinelEnv.put("REDIS_SENTINEL", "127.0.0.1:" + group.sentinels().get(1).tlsPort());
        sentinelEnv.put("REDIS_PASSWORD", LocalGroup.PASSWORD);
        sentinelEnv.put("REDIS_STORE_PASSWORD", STORE_PASSWORD);

        Path clusterCa = cluster.dir().resolve("ca");
        List<Integer> clusterTls = cluster.freeTlsPorts();
        Path clusterInventory = cluster.writeInventory(cluster.dir().resolve("shop.yaml"), "shop", clusterCa, clusterTls,
                "auth-clients: yes\n");
        ok(Cli.run("group", "install", "--inventory", clusterInventory.toString(), "--cluster", "--firewall", "none"));
        Path clusterKeys = cluster.nodes().get(0).dir().resolve("tls");
        ok(Cli.run("client", "issue", "app", "--keys-dir", clusterKeys.toString(), "--ca-home", clusterCa.toString()));
        clusterPrinted = ok(Cli.run("client", "export", "app", "--format", "pem", "--out",
                cluster.dir().resolve("export").toString(), "--keys-dir", clusterKeys.toString(), "--cluster"));
        clusterPkcs12 = ok(Cli.run("client", "export", "app", "--format", "pkcs12", "--out",
                cluster.dir().resolve("export-p12").toString(), "--password-file", storePass.toString(),
                "--keys-dir", clusterKeys.toString(), "--cluster"));
        // Two of the three: the client learns the third from them. Redisson's YAML starts from one.
        clusterEnv.put("REDIS_NODES", "127.0.0.1:" + clusterTls.get(1) + ",127.0.0.1:" + clusterTls.get(2));
        clusterEnv.put("REDIS_NODE", "127.0.0.1:" + clusterTls.get(2));
        clusterEnv.put("REDIS_PASSWORD", LocalCluster.PASSWORD);
        clusterEnv.put("REDIS_STORE_PASSWORD", STORE_PASSWORD);
        apps.join();
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

    @Test
    void jedisFindsTheMasterThroughTheSentinelsOverTls() {
        String key = "java:sentinel:jedis";
        Processes.Output run = java("jedis-sentinel", PrintedSnippets.section(sentinelPkcs12, "Jedis (Sentinel):"),
                sentinelEnv, jedisSetGet(List.of(key)));
        assertThat(run.exitCode()).as(run.out()).isZero();
        assertThat(run.out()).contains("GET " + key + " = set by java");
        assertThat(LocalGroup.cli(group.master().port(), "GET", key).out().strip()).isEqualTo("set by java");
    }

    @Test
    void lettuceFindsTheMasterThroughTheSentinelsOverTls() {
        String key = "java:sentinel:lettuce";
        Processes.Output run = java("lettuce-sentinel", PrintedSnippets.section(sentinelPrinted, "Lettuce (Sentinel):"),
                sentinelEnv, lettuceSetGet(List.of(key)));
        assertThat(run.exitCode()).as(run.out()).isZero();
        assertThat(run.out()).contains("GET " + key + " = set by java");
        assertThat(LocalGroup.cli(group.master().port(), "GET", key).out().strip()).isEqualTo("set by java");
    }

    @Test
    void jedisWritesEverySlotOwnerOfTheClusterOverTls() {
        List<String> keys = keysOnEveryMaster().stream().map(k -> k + ":jedis").toList();
        Processes.Output run = java("jedis-cluster", PrintedSnippets.section(clusterPkcs12, "Jedis (Cluster):"),
                clusterEnv, jedisSetGet(keys));
        assertThat(run.exitCode()).as(run.out()).isZero();
        keys.forEach(k -> assertThat(run.out()).contains("GET " + k + " = set by java"));
    }

    @Test
    void lettuceWritesEverySlotOwnerOfTheClusterOverTls() {
        List<String> keys = keysOnEveryMaster().stream().map(k -> k + ":lettuce").toList();
        Processes.Output run = java("lettuce-cluster", PrintedSnippets.section(clusterPrinted, "Lettuce (Cluster):"),
                clusterEnv, lettuceSetGet(keys));
        assertThat(run.exitCode()).as(run.out()).isZero();
        keys.forEach(k -> assertThat(run.out()).contains("GET " + k + " = set by java"));
    }

    /** The file {@code --format spring --sentinel} writes, imported as printed. */
    @ParameterizedTest
    @ValueSource(strings = {"3.5.7", "4.0.7"})
    void springBootFindsTheMasterThroughTheSentinelsOverTls(String version) {
        String imports = PrintedSnippets.section(sentinelSpringPrinted, "Spring Boot").lines().findFirst().orElseThrow();
        assertThat(imports).isEqualTo("spring.config.import=file:" + sentinelSpringFile);
        String key = "boot:sentinel:" + version;
        Processes.Output run = boot.get(version).run(sentinelEnv, "--" + imports, "--check.key=" + key, "--check.value=set by boot");
        assertThat(run.exitCode()).as(run.out()).isZero();
        assertThat(run.out()).contains("Spring Boot " + version + " GET " + key + " = set by boot");
        assertThat(LocalGroup.cli(group.master().port(), "GET", key).out().strip()).isEqualTo("set by boot");
    }

    /** The properties {@code --format pkcs12 --cluster} prints (a spring.ssl.bundle.jks bundle), saved as they are. */
    @ParameterizedTest
    @ValueSource(strings = {"3.5.7", "4.0.7"})
    void springBootWritesEverySlotOwnerOfTheClusterOverTls(String version) throws Exception {
        Path props = cluster.dir().resolve("cluster-" + version + ".properties");
        Files.writeString(props, PrintedSnippets.section(clusterPkcs12, "Spring Boot"));
        List<String> keys = keysOnEveryMaster().stream().map(k -> k + ":boot:" + version).toList();
        Processes.Output run = boot.get(version).run(clusterEnv, "--spring.config.import=file:" + props,
                "--check.key=" + String.join(",", keys), "--check.value=set by boot");
        assertThat(run.exitCode()).as(run.out()).isZero();
        keys.forEach(k -> assertThat(run.out()).contains("Spring Boot " + version + " GET " + k + " = set by boot"));
    }

    @Test
    void redissonFindsTheMasterThroughTheSentinelsOverTls() throws Exception {
        String key = "redisson:sentinel";
        Processes.Output run = redisson(group.dir(), PrintedSnippets.section(sentinelPkcs12, "Redisson 4 (Sentinel;"),
                sentinelEnv, List.of(key));
        assertThat(run.exitCode()).as(run.out()).isZero();
        assertThat(run.out()).contains("Redisson GET " + key + " = set by redisson");
        assertThat(LocalGroup.cli(group.master().port(), "GET", key).out().strip()).isEqualTo("set by redisson");
    }

    @Test
    void redissonWritesEverySlotOwnerOfTheClusterOverTls() throws Exception {
        List<String> keys = keysOnEveryMaster().stream().map(k -> k + ":redisson").toList();
        Processes.Output run = redisson(cluster.dir(), PrintedSnippets.section(clusterPkcs12, "Redisson 4 (Cluster;"),
                clusterEnv, keys);
        assertThat(run.exitCode()).as(run.out()).isZero();
        keys.forEach(k -> assertThat(run.out()).contains("Redisson GET " + k + " = set by redisson"));
    }

    /**
     * Without its key store Jedis is refused by the sentinels and by the cluster's nodes alike, and they log why
     * (TLS 1.3: the client only learns it as a closed connection).
     */
    @ParameterizedTest
    @ValueSource(strings = {"Sentinel", "Cluster"})
    void withoutTheKeyStoreJedisIsRefused(String topology) {
        boolean sentinel = topology.equals("Sentinel");
        String snippet = PrintedSnippets.section(sentinel ? sentinelPkcs12 : clusterPkcs12, "Jedis (" + topology + "):");
        long refusedBefore = refusedWithoutCertificate(sentinel);
        Processes.Output run = java("jedis-no-cert-" + topology, PrintedSnippets.without(snippet, ".keystore("),
                sentinel ? sentinelEnv : clusterEnv, jedisSetGet(List.of("never:" + topology)));
        assertThat(run.exitCode()).as(run.out()).isNotZero();
        assertThat(run.out()).contains(sentinel ? "All sentinels down" : "Could not initialize cluster slots cache")
                .doesNotContain(" GET ").doesNotContain(LocalGroup.PASSWORD).doesNotContain(LocalCluster.PASSWORD)
                .doesNotContain(STORE_PASSWORD);
        assertThat(refusedWithoutCertificate(sentinel)).as("refused for want of a client certificate").isGreaterThan(refusedBefore);
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

    private Processes.Output java(String name, String snippet, Map<String, String> env, String then) {
        return JavaSnippet.run(group.dir().resolve("java"), name, snippet, then, env);
    }

    /** Statements after a Jedis snippet: SET and GET through its {@code jedis}, each key. */
    private static String jedisSetGet(List<String> keys) {
        StringBuilder s = new StringBuilder();
        for (String k : keys) {
            s.append("jedis.set(\"").append(k).append("\", \"set by java\");\n")
                    .append("System.out.println(\"Jedis GET ").append(k).append(" = \" + jedis.get(\"").append(k).append("\"));\n");
        }
        return s + "jedis.close();\n";
    }

    /** After a Lettuce snippet: a connection from its {@code client}, SET and GET each key. */
    private static String lettuceSetGet(List<String> keys) {
        StringBuilder s = new StringBuilder("var redis = client.connect().sync();\n");
        for (String k : keys) {
            s.append("redis.set(\"").append(k).append("\", \"set by java\");\n")
                    .append("System.out.println(\"Lettuce GET ").append(k).append(" = \" + redis.get(\"").append(k).append("\"));\n");
        }
        return s + "client.shutdown();\n";
    }

    private Processes.Output redisson(Path dir, String yaml, Map<String, String> env, List<String> keys) throws Exception {
        Path file = dir.resolve("redisson-" + keys.get(0).replace(':', '-') + ".yaml");
        Files.writeString(file, yaml);
        return redissonApp.run(env, file.toString(), String.join(",", keys), "set by redisson");
    }

    /** Connections the sentinels (or the cluster's nodes) refused for coming without a client certificate, from their logs. */
    private long refusedWithoutCertificate(boolean sentinels) {
        List<String> logs = new ArrayList<>();
        if (sentinels) {
            for (LocalGroup.Sentinel s : group.sentinels()) {
                try {
                    logs.add(Files.readString(s.dir().resolve("sentinel.log")));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        } else {
            cluster.nodes().forEach(n -> logs.add(n.log()));
        }
        return logs.stream().flatMap(String::lines).filter(l -> l.contains("peer did not return a certificate")).count();
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
