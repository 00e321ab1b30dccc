package dev.redistls.group;

import dev.redistls.testing.BusCapture;
import dev.redistls.testing.Cli;
import dev.redistls.testing.ClusterJudge;
import dev.redistls.testing.ClusterLoad;
import dev.redistls.testing.LocalCluster;
import dev.redistls.testing.Load;
import dev.redistls.testing.Processes;
import dev.redistls.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisCluster;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real Redis Cluster on this machine, 3 masters + 3 replicas made by {@code redis-cli --cluster create}, moved to
 * TLS with {@code group install --cluster --auth-clients yes} while a plain client writes keys of every slot on one
 * connection per master and a judge reads every node's CLUSTER SLOTS: zero failed writes, no plain client ever sent
 * to a TLS port, no node flagged failing, epochs and roles unchanged, no process restarted; afterwards every bus link
 * was made since the switch, tcpdump sees no plaintext bus message (it saw them before), replicas replicate over TLS;
 * a TLS cluster client (Jedis, the exported PKCS#12 bundle) and {@code redis-cli -c --tls} read and write every
 * slot. {@code group uninstall} goes back with the same guarantees and every config byte for byte.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterLocalIT {
    static final String PASSWORD = LocalCluster.PASSWORD;

    LocalCluster cluster;
    Path inventory;
    Path caHome;
    List<Integer> tlsPorts = new ArrayList<>();
    List<Integer> busPorts = new ArrayList<>();
    Map<Path, String> confSha = new LinkedHashMap<>();
    List<ClusterJudge.State> before;
    /** Added by add-node (order 3), then part of the cluster and of the inventory. */
    RedisServer added;
    int addedTls;
    /** Added by add-node to the TLS-only cluster (order 4), an empty master. */
    RedisServer addedEmpty;

    @BeforeAll
    void start() throws Exception {
        cluster = LocalCluster.start(3, 1);
        caHome = cluster.dir().resolve("ca");
        tlsPorts.addAll(cluster.freeTlsPorts());
        for (RedisServer r : cluster.nodes()) {
            busPorts.add(r.port() + 10000);
            confSha.put(r.conf(), sha256(Files.readAllBytes(r.conf())));
        }
        inventory = cluster.writeInventory(cluster.dir().resolve("shop.yaml"), "shop", caHome, tlsPorts, "auth-clients: yes\n");
        before = ClusterJudge.states(cluster.endpoints(), PASSWORD);
    }

    @AfterAll
    void stop() {
        if (added != null) {
            added.close();
        }
        if (addedEmpty != null) {
            addedEmpty.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Every node's plain endpoint, the added one too once it joined. */
    List<ClusterJudge.Node> endpoints() {
        List<ClusterJudge.Node> out = new ArrayList<>(cluster.endpoints());
        if (added != null) {
            out.add(new ClusterJudge.Node("127.0.0.1", added.port()));
        }
        if (addedEmpty != null) {
            out.add(new ClusterJudge.Node("127.0.0.1", addedEmpty.port()));
        }
        return out;
    }

    @Test
    @Order(1)
    void installMovesEveryBusLinkToTlsLiveWithNoFailover() throws Exception {
        List<ClusterJudge.Node> nodes = cluster.endpoints();
        Map<ClusterJudge.Node, Long> startedAt = new LinkedHashMap<>();
        Cli.Result install;
        long installEnd;
        List<String> watched;
        try (BusCapture capture = BusCapture.start(null, "lo", busPorts, cluster.dir().resolve("bus.pcap"));
             ClusterLoad load = new ClusterLoad(nodes, PASSWORD)) {
            load.awaitEverySlot();
            // Before: every link carries PINGs (each node PINGs each other within half the node timeout), in plain text.
            int links = nodes.size() * (nodes.size() - 1);
            BusCapture.Counts plainBefore = capture.awaitConnections(0, links);
            nodes.forEach(n -> startedAt.put(n, ClusterJudge.timeMillis(n, PASSWORD)));
            try (ClusterJudge.Watch watch = new ClusterJudge.Watch(nodes, PASSWORD)) {
                install = Cli.run("group", "install", "--inventory", inventory.toString(), "--cluster", "--firewall", "none");
                installEnd = System.currentTimeMillis();
                load.awaitProgress(500);
                capture.awaitConnections(installEnd, links);
                watched = watch.seen();
                assertThat(watch.rounds()).isGreaterThan(10);
            }
            long afterEnd = System.currentTimeMillis();
            capture.stop();
            assertThat(install.exitCode()).as(install.toString()).isZero();
            assertThat(load.failed()).as("writes failed during install: " + load.errors()).isZero();
            assertThat(load.misdirected()).as("plain clients sent to other ports: " + load.errors()).isZero();
            assertThat(load.topologyReads()).isGreaterThan(6);
            assertThat(watched).as("what the judge saw during install").isEmpty();

            assertThat(plainBefore.plaintextMessages()).as("the capture sees plaintext bus messages before install")
                    .isGreaterThan(links);
            BusCapture.Counts after = capture.between(installEnd, afterEnd);
            assertThat(after.connections()).as("every link seen carrying data after install").hasSizeGreaterThanOrEqualTo(links);
            assertThat(after.plaintextMessages()).as("plaintext bus messages after install: " + after.plaintextSamples()).isZero();
            assertThat(after.segmentsByPort().keySet()).as("traffic on every bus port after install")
                    .containsExactlyInAnyOrderElementsOf(busPorts);
        }
        assertThat(install.out()).contains("Created the group's root CA in " + caHome,
                "Replication over TLS as well", "switched its cluster bus to TLS live", "== cluster bus", "Verified: ");
        assertThat(install.out()).doesNotContain("FAIL");

        // The judge's own reading: same processes, roles and epochs; healthy; every link made since install began.
        List<ClusterJudge.State> now = ClusterJudge.states(nodes, PASSWORD);
        for (int i = 0; i < nodes.size(); i++) {
            ClusterJudge.State b = before.get(i);
            ClusterJudge.State a = now.get(i);
            assertThat(a.pid()).as("no restart").isEqualTo(b.pid());
            assertThat(a.master()).as("no failover").isEqualTo(b.master());
            assertThat(a.currentEpoch()).as("current_epoch unchanged").isEqualTo(b.currentEpoch());
            assertThat(a.clusterState()).isEqualTo("ok");
            long since = startedAt.get(nodes.get(i));
            assertThat(ClusterJudge.linkCreateTimes(nodes.get(i), PASSWORD)).as("links of " + nodes.get(i))
                    .hasSize(2 * (nodes.size() - 1)).allMatch(t -> t >= since);
        }
        for (int i = 0; i < nodes.size(); i++) {
            ClusterJudge.State a = now.get(i);
            if (!a.master()) {
                assertThat(a.linkStatus()).isEqualTo("up");
                assertThat(tlsPorts).as("replica of node " + i + " replicates from a TLS port").contains(Integer.parseInt(a.masterPort()));
            }
            String conf = Files.readString(cluster.nodes().get(i).conf());
            assertThat(conf).contains("tls-cluster yes\n", "tls-replication yes\n", "tls-port " + tlsPorts.get(i) + "\n",
                    "cluster-port " + busPorts.get(i) + "\n", "tls-auth-clients yes\n");
        }
        assertThat(install.out().lines().filter(l -> l.contains("over TLS by partial resync")).count())
                .as(install.out()).isEqualTo(3);
    }

    @Test
    @Order(2)
    void tlsClusterClientsReadAndWriteEverySlot() throws Exception {
        Path bundle = cluster.dir().resolve("bundle");
        Path storePass = cluster.dir().resolve("store.pass");
        Files.writeString(storePass, "cluster-store-pass\n");
        Cli.Result export = Cli.run("client", "export", "client", "--format", "pkcs12", "--out", bundle.toString(),
                "--password-file", storePass.toString(), "--keys-dir", cluster.nodes().get(0).dir().resolve("tls").toString());
        assertThat(export.exitCode()).as(export.toString()).isZero();
        SSLContext tls = fromPkcs12(bundle.resolve("client.p12"), bundle.resolve("truststore.p12"), "cluster-store-pass".toCharArray());
        DefaultJedisClientConfig config = DefaultJedisClientConfig.builder().ssl(true).sslSocketFactory(tls.getSocketFactory())
                .password(PASSWORD).connectionTimeoutMillis(5000).socketTimeoutMillis(5000).build();
        try (JedisCluster client = new JedisCluster(Set.of(new HostAndPort("127.0.0.1", tlsPorts.get(0))), config, 3,
                new GenericObjectPoolConfig<Connection>())) {
            assertThat(client.getClusterNodes().keySet().stream().map(k -> Integer.parseInt(k.substring(k.lastIndexOf(':') + 1)))
                    .collect(Collectors.toSet())).as("the cluster as a TLS client discovers it").isEqualTo(Set.copyOf(tlsPorts));
            for (int slot = 0; slot < 16384; slot++) {
                client.set(ClusterLoad.KEYS[slot], "tls-" + slot);
            }
            for (int slot = 0; slot < 16384; slot++) {
                assertThat(client.get(ClusterLoad.KEYS[slot])).isEqualTo("tls-" + slot);
            }
        }
        // redis-cli -c --tls follows MOVED to TLS ports: keys in slot order, starting on the node that owns none of the
        // first slots, so it is redirected at least once per master.
        Path client = cluster.nodes().get(0).dir().resolve("tls/client");
        StringBuilder commands = new StringBuilder();
        for (int slot = 0; slot < 16384; slot += 7) {
            commands.append("SET ").append(ClusterLoad.KEYS[slot]).append(" cli-").append(slot).append('\n')
                    .append("GET ").append(ClusterLoad.KEYS[slot]).append('\n');
        }
        int lastMaster = tlsPorts.get(2);
        Processes.Output cli = Processes.run(commands.toString(), Map.of("REDISCLI_AUTH", PASSWORD), List.of("redis-cli", "-c",
                "--tls", "-p", String.valueOf(lastMaster), "--cacert", client.resolve("root.crt").toString(),
                "--cert", client.resolve("client.crt").toString(), "--key", client.resolve("client.key").toString()));
        assertThat(cli.exitCode()).as(cli.out()).isZero();
        List<String> redirects = cli.out().lines().filter(l -> l.startsWith("-> Redirected")).toList();
        assertThat(redirects).as("redirects followed").hasSizeGreaterThanOrEqualTo(3)
                .allMatch(l -> tlsPorts.contains(Integer.parseInt(l.substring(l.lastIndexOf(':') + 1))));
        List<String> lines = cli.out().lines().filter(l -> !l.startsWith("-> Redirected")).toList();
        List<String> expected = new ArrayList<>();
        for (int slot = 0; slot < 16384; slot += 7) {
            expected.add("OK");
            expected.add("cli-" + slot);
        }
        assertThat(lines).isEqualTo(expected);
    }

    @Test
    @Order(3)
    void addNodeJoinsOverTheEncryptedBusAsAReplica() throws Exception {
        added = RedisServer.prepare(RedisServer.freeClusterPort(), "requirepass " + PASSWORD + "\nmasterauth " + PASSWORD
                + "\ncluster-enabled yes\ncluster-config-file nodes.conf\ncluster-node-timeout " + LocalCluster.NODE_TIMEOUT_MS + "\n");
        added.start();
        confSha.put(added.conf(), sha256(Files.readAllBytes(added.conf())));
        do {
            addedTls = RedisServer.freeLowPort();
        } while (tlsPorts.contains(addedTls));
        List<Integer> bus = new ArrayList<>(busPorts);
        bus.add(added.port() + 10000);
        Cli.Result add;
        try (BusCapture capture = BusCapture.start(null, "lo", bus, cluster.dir().resolve("join.pcap"));
             ClusterJudge.Watch watch = new ClusterJudge.Watch(cluster.endpoints(), PASSWORD)) {
            add = Cli.run("group", "add-node", "--inventory", inventory.toString(), "--conf", added.conf().toString(),
                    "--keys-dir", added.dir().resolve("tls").toString(), "--tls-port", String.valueOf(addedTls),
                    "--hostname", "localhost", "--replica-of", "nodes[0]", "--firewall", "none");
            assertThat(add.exitCode()).as(add.toString()).isZero();
            // Every link of the new node (6 peers, both ways) seen carrying data: none of it plain text.
            BusCapture.Counts joined = capture.awaitConnections(0, 2 * 6 + 30);
            capture.stop();
            BusCapture.Counts all = capture.between(0, Long.MAX_VALUE);
            assertThat(all.segmentsByPort()).containsKey(added.port() + 10000);
            assertThat(all.plaintextMessages()).as("plaintext bus messages: " + all.plaintextSamples()).isZero();
            assertThat(joined.connections()).hasSizeGreaterThanOrEqualTo(42);
            assertThat(watch.seen()).as("what the judge saw while the node joined").isEmpty();
        }
        assertThat(add.out()).contains("Met the cluster over TLS", "replicates from nodes[0]", "Added nodes[6]", "Verified: ")
                .doesNotContain("FAIL");
        ClusterJudge.awaitHealthy(endpoints(), PASSWORD, 7);
        ClusterJudge.State joined = ClusterJudge.state(endpoints().get(6), PASSWORD);
        assertThat(joined.master()).isFalse();
        assertThat(joined.masterPort()).isEqualTo(String.valueOf(tlsPorts.get(0)));
        assertThat(Files.readString(added.conf())).contains("tls-cluster yes\n", "cluster-port " + (added.port() + 10000) + "\n");
        String inv = Files.readString(inventory);
        assertThat(inv).startsWith("# cluster of a redis-tls test\n").endsWith("  - conf: " + added.conf() + "\n    keys-dir: "
                + added.dir().resolve("tls") + "\n    tls-port: " + addedTls + "\n    hostname: localhost\n");
        Cli.Result status = Cli.run("group", "status", "--inventory", inventory.toString());
        assertThat(status.out()).contains("cluster: nodes[6]: bus TLS on port " + (added.port() + 10000)).doesNotContain("warning");
    }

    /**
     * {@code --tls-only} closes every node's plain port live under a TLS cluster client writing every slot, nothing
     * failing; the cluster stays whole on TLS alone (no restart, no failover, same epoch), and {@code --no-tls-only}
     * opens them again where they were, plain clients sent to plain ports again. Uninstall (next) starts from there.
     */
    @Test
    @Order(4)
    void tlsOnlyClosesEveryPlainPortLiveAndNoTlsOnlyOpensThemAgain() throws Exception {
        List<ClusterJudge.Node> nodes = endpoints();
        List<Integer> tls = new ArrayList<>(tlsPorts);
        tls.add(addedTls);
        List<ClusterJudge.State> was = ClusterJudge.states(nodes, PASSWORD);
        Cli.Result tlsOnly;
        try (Load writes = Load.acrossSlots("tls-only", tlsClient())) {
            writes.awaitProgress(500);
            tlsOnly = Cli.run("group", "configure", "--tls-only", "--inventory", inventory.toString(), "--firewall", "none");
            long at = writes.ok();
            writes.awaitProgress(500);
            assertThat(writes.ok()).as("TLS writes after tls-only").isGreaterThanOrEqualTo(at + 500);
            assertThat(writes.failed()).as("TLS writes failed while the plain ports closed: %s", writes.errors()).isZero();
        }
        assertThat(tlsOnly.exitCode()).as(tlsOnly.toString()).isZero();
        assertThat(tlsOnly.out()).contains("Every node's plain port closed live (tls-only): 7 node(s)\n  Verified: 4 checks passed")
                .doesNotContain("FULL");
        // Each replica reconnects once as its master's announced plain port goes: by partial resync, waited for.
        assertThat(tlsOnly.out().lines().filter(l -> l.contains("over TLS by partial resync")).count()).as(tlsOnly.out())
                .isEqualTo(4);
        assertThat(tlsOnly.out())
                .doesNotContain("FAIL");
        for (int i = 0; i < nodes.size(); i++) {
            ClusterJudge.Node n = nodes.get(i);
            assertThat(Processes.run(null, List.of("redis-cli", "-p", String.valueOf(n.port()), "PING")).out())
                    .as("plain port closed on " + n).doesNotContain("PONG").doesNotContain("NOAUTH");
            Map<String, String> info = tlsInfo(tls.get(i), "CLUSTER", "INFO");
            assertThat(info.get("cluster_state")).isEqualTo("ok");
            assertThat(info.get("cluster_current_epoch")).as("epoch unchanged").isEqualTo(String.valueOf(was.get(i).currentEpoch()));
            Map<String, String> repl = tlsInfo(tls.get(i), "INFO", "replication");
            assertThat(repl.get("role")).as("no failover").isEqualTo(was.get(i).master() ? "master" : "slave");
            if (!was.get(i).master()) {
                assertThat(repl.get("master_link_status")).isEqualTo("up");
                assertThat(tls).contains(Integer.parseInt(repl.get("master_port")));
            }
            RedisServer r = i < cluster.nodes().size() ? cluster.nodes().get(i) : added;
            assertThat(Files.readString(r.conf())).containsPattern("(?m)^port 0$").doesNotContain("cluster-announce-port");
            assertThat(r.pid()).as("no restart").isEqualTo(was.get(i).pid());
        }
        try (JedisCluster client = tlsClient()) {
            assertThat(client.getClusterNodes().keySet().stream().map(k -> Integer.parseInt(k.substring(k.lastIndexOf(':') + 1)))
                    .collect(Collectors.toSet())).as("TLS clients discover TLS ports only; the seed's view:\n%s\n%s", tlsText(tls.get(0),
                    "CLUSTER", "NODES"), tlsOnly.out()).isEqualTo(Set.copyOf(tls));
            for (int slot = 0; slot < 16384; slot += 3) {
                client.set(ClusterLoad.KEYS[slot], "tls-only-" + slot);
                assertThat(client.get(ClusterLoad.KEYS[slot])).isEqualTo("tls-only-" + slot);
            }
        }
        Cli.Result status = Cli.run("group", "status", "--inventory", inventory.toString());
        assertThat(status.exitCode()).as(status.toString()).isZero();
        assertThat(status.out()).contains("tls-only").doesNotContain("warning");

        // A node added to the TLS-only cluster joins over TLS and closes its plain port as the others did.
        addedEmpty = RedisServer.prepare(RedisServer.freeClusterPort(), "requirepass " + PASSWORD + "\nmasterauth " + PASSWORD
                + "\ncluster-enabled yes\ncluster-config-file nodes.conf\ncluster-node-timeout " + LocalCluster.NODE_TIMEOUT_MS + "\n");
        addedEmpty.start();
        confSha.put(addedEmpty.conf(), sha256(Files.readAllBytes(addedEmpty.conf())));
        int emptyTls;
        do {
            emptyTls = RedisServer.freeLowPort();
        } while (tls.contains(emptyTls));
        Cli.Result add = Cli.run("group", "add-node", "--inventory", inventory.toString(), "--conf", addedEmpty.conf().toString(),
                "--keys-dir", addedEmpty.dir().resolve("tls").toString(), "--tls-port", String.valueOf(emptyTls),
                "--hostname", "localhost", "--firewall", "none");
        assertThat(add.exitCode()).as(add.toString()).isZero();
        assertThat(add.out()).contains("Met the cluster over TLS", "plain port closed, as every node's in the cluster (tls-only)")
                .doesNotContain("FAIL");
        assertThat(Files.readString(addedEmpty.conf())).containsPattern("(?m)^port 0$");
        assertThat(Processes.run(null, List.of("redis-cli", "-p", String.valueOf(addedEmpty.port()), "PING")).out())
                .doesNotContain("PONG").doesNotContain("NOAUTH");
        assertThat(tlsInfo(emptyTls, "CLUSTER", "INFO")).containsEntry("cluster_state", "ok").containsEntry("cluster_known_nodes", "8");
        nodes = endpoints();

        Cli.Result dual = Cli.run("group", "configure", "--no-tls-only", "--inventory", inventory.toString(), "--firewall", "none");
        assertThat(dual.exitCode()).as(dual.toString()).isZero();
        assertThat(dual.out()).doesNotContain("FAIL");
        ClusterJudge.awaitHealthy(nodes, PASSWORD, nodes.size());
        List<RedisServer> servers = new ArrayList<>(cluster.nodes());
        servers.addAll(List.of(added, addedEmpty));
        for (RedisServer r : servers) {
            assertThat(Files.readString(r.conf())).containsPattern("(?m)^port " + r.port() + "$");
        }
        try (ClusterLoad plain = new ClusterLoad(nodes, PASSWORD)) {
            plain.awaitEverySlot();
            assertThat(plain.failed()).as("plain writes: " + plain.errors()).isZero();
            assertThat(plain.misdirected()).as("plain clients sent to other ports: " + plain.errors()).isZero();
        }
    }

    JedisCluster tlsClient() throws Exception {
        Path bundle = cluster.dir().resolve("bundle");
        SSLContext ctx = fromPkcs12(bundle.resolve("client.p12"), bundle.resolve("truststore.p12"), "cluster-store-pass".toCharArray());
        DefaultJedisClientConfig config = DefaultJedisClientConfig.builder().ssl(true).sslSocketFactory(ctx.getSocketFactory())
                .password(PASSWORD).connectionTimeoutMillis(5000).socketTimeoutMillis(5000).build();
        return new JedisCluster(Set.of(new HostAndPort("127.0.0.1", tlsPorts.get(0))), config, 5,
                new GenericObjectPoolConfig<Connection>());
    }

    /** A reply as redis-cli prints it, asked over TLS with the node's own client certificate. */
    String tlsText(int port, String... command) {
        Path client = cluster.nodes().get(0).dir().resolve("tls/client");
        List<String> argv = new ArrayList<>(List.of("redis-cli", "--tls", "-p", String.valueOf(port), "--cacert",
                client.resolve("root.crt").toString(), "--cert", client.resolve("client.crt").toString(), "--key",
                client.resolve("client.key").toString()));
        argv.addAll(List.of(command));
        return Processes.run(null, Map.of("REDISCLI_AUTH", PASSWORD), argv).out();
    }

    /** A reply of {@code field:value} lines, asked with redis-cli over TLS with the node's own client certificate. */
    Map<String, String> tlsInfo(int port, String... command) {
        Map<String, String> fields = new LinkedHashMap<>();
        tlsText(port, command).lines().filter(l -> l.contains(":"))
                .forEach(l -> fields.put(l.substring(0, l.indexOf(':')), l.substring(l.indexOf(':') + 1).strip()));
        return fields;
    }

    @Test
    @Order(5)
    void uninstallReturnsToPlainTextWithTheSameGuarantees() throws Exception {
        List<ClusterJudge.Node> nodes = endpoints();
        Cli.Result uninstall;
        List<String> watched;
        Map<ClusterJudge.Node, Long> startedAt = new LinkedHashMap<>();
        nodes.forEach(n -> startedAt.put(n, ClusterJudge.timeMillis(n, PASSWORD)));
        try (ClusterLoad load = new ClusterLoad(nodes, PASSWORD)) {
            load.awaitProgress(500);
            try (ClusterJudge.Watch watch = new ClusterJudge.Watch(nodes, PASSWORD)) {
                uninstall = Cli.run("group", "uninstall", "--inventory", inventory.toString(), "--firewall", "none");
                load.awaitProgress(500);
                watched = watch.seen();
            }
            assertThat(uninstall.exitCode()).as(uninstall.toString()).isZero();
            assertThat(load.failed()).as("writes failed during uninstall: " + load.errors()).isZero();
            assertThat(load.misdirected()).as("plain clients sent to other ports: " + load.errors()).isZero();
            assertThat(watched).as("what the judge saw during uninstall").isEmpty();
        }
        assertThat(uninstall.out()).contains("switched its cluster bus back to plain text live", "Verified: ");
        assertThat(uninstall.out().lines().filter(l -> l.contains("in plain text by partial resync")).count())
                .as("the added replica too").isEqualTo(4);
        List<ClusterJudge.State> now = ClusterJudge.states(nodes, PASSWORD);
        for (RedisServer r : List.of(added, addedEmpty)) {
            assertThat(sha256(Files.readAllBytes(r.conf()))).as("byte for byte: " + r.conf()).isEqualTo(confSha.get(r.conf()));
        }
        for (int i = 0; i < cluster.nodes().size(); i++) {
            RedisServer r = cluster.nodes().get(i);
            ClusterJudge.State a = now.get(i);
            assertThat(a.pid()).as("no restart").isEqualTo(before.get(i).pid());
            assertThat(a.master()).as("no failover").isEqualTo(before.get(i).master());
            assertThat(a.currentEpoch()).as("current_epoch unchanged").isEqualTo(before.get(i).currentEpoch());
            assertThat(sha256(Files.readAllBytes(r.conf()))).as("byte for byte: " + r.conf()).isEqualTo(confSha.get(r.conf()));
            assertThat(Files.exists(r.dir().resolve("tls"))).isFalse();
            if (!a.master()) {
                assertThat(a.linkStatus()).isEqualTo("up");
                assertThat(cluster.nodes().stream().map(RedisServer::port).toList()).contains(Integer.parseInt(a.masterPort()));
            }
            long since = startedAt.get(nodes.get(i));
            assertThat(ClusterJudge.linkCreateTimes(nodes.get(i), PASSWORD)).hasSize(2 * (nodes.size() - 1)).allMatch(t -> t >= since);
        }
    }

    @Test
    @Order(6)
    void aSingleNodeCommandDoesNotSwitchOneClusterNodesBusAlone() throws Exception {
        RedisServer node = cluster.nodes().get(1);
        Cli.Result alone = Cli.run("install", "--cluster", "--replication", "--conf", node.conf().toString(), "--keys-dir",
                node.dir().resolve("tls").toString(), "--ca-home", caHome.toString(), "--tls-port", String.valueOf(tlsPorts.get(1)),
                "--firewall", "none");
        assertThat(alone.exitCode()).as(alone.toString()).isEqualTo(2);
        assertThat(alone.err()).contains("is a Redis Cluster node: tls-cluster yes on it alone would cut it off its"
                + " cluster's bus", "redis-tls group install --cluster --inventory FILE");
        assertThat(sha256(Files.readAllBytes(node.conf()))).isEqualTo(confSha.get(node.conf()));
        assertThat(ClusterJudge.state(cluster.endpoints().get(1), PASSWORD).clusterState()).isEqualTo("ok");

        // Closing the plain ports of a cluster whose bus stays plain would cut the bus and replication: refused first.
        Cli.Result plainBus = Cli.run("group", "install", "--tls-only", "--inventory", inventory.toString(), "--firewall", "none");
        assertThat(plainBus.exitCode()).as(plainBus.toString()).isEqualTo(2);
        assertThat(plainBus.err()).contains("--tls-only closes the plain ports, and with them a plaintext cluster bus", "add --cluster");
        for (RedisServer r : cluster.nodes()) {
            assertThat(sha256(Files.readAllBytes(r.conf()))).as("untouched: " + r.conf()).isEqualTo(confSha.get(r.conf()));
        }
    }

    static SSLContext fromPkcs12(Path keyStore, Path trustStore, char[] password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            ks.load(in, password);
        }
        KeyStore ts = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(trustStore)) {
            ts.load(in, password);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
