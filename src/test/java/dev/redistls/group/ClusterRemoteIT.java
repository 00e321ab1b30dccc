package dev.redistls.group;

import dev.redistls.testing.BusCapture;
import dev.redistls.testing.Cli;
import dev.redistls.testing.ClusterJudge;
import dev.redistls.testing.ClusterLoad;
import dev.redistls.testing.HostLan;
import dev.redistls.testing.Load;
import dev.redistls.testing.Processes;
import dev.redistls.testing.SimulatedHost;
import dev.redistls.testing.SimulatedHosts;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisCluster;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same cluster, 3 masters + 3 replicas, each node on a simulated host of its own (namespace, real sshd, Redis as
 * user redis with Debian's stock config), the hosts on one LAN ({@link HostLan}) where the bus runs and which the test
 * joins as a client; every node announces its LAN address ({@code cluster-announce-ip}). The tool reaches each node
 * only over SSH. {@code group install} without {@code --cluster} gives every node its TLS port and warns that the bus
 * stays plain; {@code group configure --cluster --replication} then switches the bus while a plain client writes every
 * slot: zero failed writes, no failover, no restart, no plaintext bus message on the LAN afterwards; certificates
 * name the announced address, which a TLS cluster client verifies; uninstall restores every config byte for byte.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterRemoteIT {
    static final String PASSWORD = "remote-cluster-s3cret";
    static final int NODES = 6;
    static final int BUS = 16379;

    SimulatedHosts hosts;
    HostLan lan;
    List<SimulatedHost> nodes;
    List<ClusterJudge.Node> endpoints = new ArrayList<>();
    Path inventory;
    Map<Path, byte[]> confs = new LinkedHashMap<>();
    List<ClusterJudge.State> before;

    @BeforeAll
    void start() throws Exception {
        hosts = SimulatedHosts.create();
        lan = HostLan.create();
        List<SimulatedHost.Options> options = new ArrayList<>();
        for (int i = 1; i <= NODES; i++) {
            String ip = lan.address(i);
            options.add(SimulatedHost.Options.named("cnode" + i).withoutRedis().redisPassword(PASSWORD)
                    .redisConfig("masterauth " + PASSWORD + "\ncluster-enabled yes\ncluster-config-file nodes-6379.conf\n"
                            + "cluster-node-timeout 5000\nbind 127.0.0.1 -::1 " + ip + "\ncluster-announce-ip " + ip + "\n"));
            endpoints.add(new ClusterJudge.Node(ip, 6379));
        }
        nodes = hosts.start(options);
        for (int i = 0; i < NODES; i++) {
            lan.attach(nodes.get(i), i + 1);
        }
        CompletableFuture.allOf(nodes.stream().map(h -> CompletableFuture.runAsync(h::startRedis, ClusterRemoteIT::thread))
                .toArray(CompletableFuture[]::new)).join();
        List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        endpoints.forEach(e -> create.add(e.toString()));
        create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
        Processes.Output made = Processes.run(null, Map.of("REDISCLI_AUTH", PASSWORD), create);
        assertThat(made.out()).as(made.out()).contains("All 16384 slots covered");
        ClusterJudge.awaitHealthy(endpoints, PASSWORD, NODES);
        StringBuilder inv = new StringBuilder("# a cluster on simulated hosts\nname: cart\nca-home: "
                + hosts.dir().resolve("ca") + "\nnodes:\n");
        for (SimulatedHost h : nodes) {
            inv.append("  - host: ").append(h.alias()).append('\n')
                    .append("    conf: ").append(h.redisConf()).append('\n')
                    .append("    keys-dir: ").append(h.path("/etc/redis/tls")).append('\n');
            confs.put(h.redisConf(), Files.readAllBytes(h.redisConf()));
        }
        inventory = hosts.dir().resolve("cart.yaml");
        Files.writeString(inventory, inv.toString());
        before = ClusterJudge.states(endpoints, PASSWORD);
    }

    @AfterAll
    void stop() {
        if (hosts != null) {
            hosts.close();
        }
        if (lan != null) {
            lan.close();
        }
    }

    private Cli.Result group(String... args) {
        long start = System.nanoTime();
        try {
            return groupRun(args);
        } finally {
            System.out.printf("group %s: %.1f s%n", args[0], (System.nanoTime() - start) / 1e9);
        }
    }

    private Cli.Result groupRun(String... args) {
        List<String> all = new ArrayList<>(List.of("group"));
        all.addAll(List.of(args));
        all.addAll(List.of("--inventory", inventory.toString(), "--ssh-config", hosts.sshConfig().toString(), "--firewall", "none"));
        return Cli.run(all.toArray(new String[0]));
    }

    @Test
    @Order(1)
    void installThenConfigureClusterSwitchesTheBusOverSsh() throws Exception {
        Cli.Result install = group("install");
        assertThat(install.exitCode()).as(install.toString()).isZero();
        assertThat(install.out()).contains("the cluster bus stays in plain text (no --cluster)");
        // Redis 7.0 with a TLS port but tls-cluster no sends TLS clients to plain ports: status and doctor say so.
        Cli.Result status = groupStatus();
        assertThat(status.out()).contains("cluster: nodes[0]: bus plain text on port 16379",
                "with tls-cluster no, this node sends TLS clients", "sends TLS clients for slots 0-5460 to " + lan.address(1)
                        + ":6379 instead of port 6380", "fix: redis-tls group configure --cluster");
        Cli.Result doctor = doctor(nodes.get(0));
        assertThat(doctor.out()).contains("[ok] cluster sends plain-text clients to ports that speak plain text",
                "[FAIL] cluster sends TLS clients to ports that speak TLS", "which speaks plain text");

        int links = NODES * (NODES - 1);
        Map<ClusterJudge.Node, Long> startedAt = new LinkedHashMap<>();
        Cli.Result configure;
        try (BusCapture capture = BusCapture.start(lan.netns(), "br0", List.of(BUS), hosts.dir().resolve("bus.pcap"));
             ClusterLoad load = new ClusterLoad(endpoints, PASSWORD)) {
            load.awaitEverySlot();
            BusCapture.Counts plain = capture.awaitConnections(0, links);
            assertThat(plain.plaintextMessages()).as("plaintext bus messages seen before").isGreaterThan(links);
            endpoints.forEach(n -> startedAt.put(n, ClusterJudge.timeMillis(n, PASSWORD)));
            List<String> watched;
            long end;
            try (ClusterJudge.Watch watch = new ClusterJudge.Watch(endpoints, PASSWORD)) {
                configure = group("configure", "--cluster", "--replication");
                end = System.currentTimeMillis();
                load.awaitProgress(500);
                capture.awaitConnections(end, links);
                watched = watch.seen();
            }
            capture.stop();
            assertThat(configure.exitCode()).as(configure.toString()).isZero();
            assertThat(load.failed()).as("writes failed: " + load.errors()).isZero();
            assertThat(load.misdirected()).as("plain clients sent elsewhere: " + load.errors()).isZero();
            assertThat(watched).as("what the judge saw").isEmpty();
            BusCapture.Counts after = capture.between(end, Long.MAX_VALUE);
            assertThat(after.connections()).hasSizeGreaterThanOrEqualTo(links);
            assertThat(after.plaintextMessages()).as("plaintext bus messages after: " + after.plaintextSamples()).isZero();
        }
        assertThat(configure.out()).contains("== cluster bus", "Verified: ").doesNotContain("FAIL");
        Cli.Result statusAfter = groupStatus();
        assertThat(statusAfter.out()).contains("cluster: nodes[5]: bus TLS on port 16379, replication TLS").doesNotContain("warning");
        assertThat(doctor(nodes.get(3)).out()).contains("[ok] cluster sends plain-text clients to ports that speak plain text",
                "[ok] cluster sends TLS clients to ports that speak TLS");
        List<ClusterJudge.State> now = ClusterJudge.states(endpoints, PASSWORD);
        for (int i = 0; i < NODES; i++) {
            assertThat(now.get(i).pid()).as("no restart").isEqualTo(before.get(i).pid());
            assertThat(now.get(i).master()).as("no failover").isEqualTo(before.get(i).master());
            assertThat(now.get(i).currentEpoch()).isEqualTo(before.get(i).currentEpoch());
            if (!now.get(i).master()) {
                assertThat(now.get(i).masterPort()).isEqualTo("6380");
                assertThat(now.get(i).linkStatus()).isEqualTo("up");
            }
            long since = startedAt.get(endpoints.get(i));
            assertThat(ClusterJudge.linkCreateTimes(endpoints.get(i), PASSWORD)).hasSize(2 * (NODES - 1)).allMatch(t -> t >= since);
            String conf = Files.readString(nodes.get(i).redisConf());
            assertThat(conf).contains("tls-cluster yes\n", "cluster-port 16379\n", "cluster-announce-tls-port 6380\n",
                    "cluster-announce-port 6379\n");
            X509Certificate cert = certificate(nodes.get(i).path("/etc/redis/tls/server/server.crt"));
            assertThat(cert.getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).toList())
                    .as("names the announced address").contains(lan.address(i + 1), "cnode" + (i + 1));
        }
        // A TLS cluster client on the LAN, verifying every node's certificate names the address it was sent to.
        Path bundle = hosts.dir().resolve("bundle");
        Path storePass = hosts.dir().resolve("store.pass");
        Files.writeString(storePass, "remote-store-pass\n");
        Cli.Result export = Cli.run("client", "export", "client", "--format", "pkcs12", "--out", bundle.toString(),
                "--password-file", storePass.toString(), "--keys-dir", nodes.get(0).path("/etc/redis/tls").toString());
        assertThat(export.exitCode()).as(export.toString()).isZero();
        try (JedisCluster client = tlsClient()) {
            assertThat(client.getClusterNodes()).hasSize(NODES).allSatisfy((k, v) -> assertThat(k).endsWith(":6380"));
            for (int slot = 0; slot < 16384; slot++) {
                client.set(ClusterLoad.KEYS[slot], "remote-" + slot);
            }
            for (int slot = 0; slot < 16384; slot++) {
                assertThat(client.get(ClusterLoad.KEYS[slot])).isEqualTo("remote-" + slot);
            }
        }
    }

    /** A TLS cluster client on the LAN with the exported bundle, verifying the names in every node's certificate. */
    private JedisCluster tlsClient() throws Exception {
        Path bundle = hosts.dir().resolve("bundle");
        SSLContext tls = ClusterLocalIT.fromPkcs12(bundle.resolve("client.p12"), bundle.resolve("truststore.p12"),
                "remote-store-pass".toCharArray());
        SSLParameters verifyNames = new SSLParameters();
        verifyNames.setEndpointIdentificationAlgorithm("HTTPS");
        DefaultJedisClientConfig config = DefaultJedisClientConfig.builder().ssl(true).sslSocketFactory(tls.getSocketFactory())
                .sslParameters(verifyNames).password(PASSWORD).connectionTimeoutMillis(5000).socketTimeoutMillis(5000).build();
        return new JedisCluster(Set.of(new HostAndPort(lan.address(1), 6380)), config, 5, new GenericObjectPoolConfig<Connection>());
    }

    /**
     * Over SSH, with announce settings: {@code --tls-only} closes every plain port live under a TLS client writing
     * throughout, and the announced plain port becomes none; {@code --no-tls-only} brings both back and plain clients
     * are sent to plain ports again.
     */
    @Test
    @Order(2)
    void tlsOnlyOverSshAndBack() throws Exception {
        Cli.Result tlsOnly;
        JedisCluster client = tlsClient();
        try (Load writes = Load.acrossSlots("tls-only", client)) {
            writes.awaitProgress(200);
            tlsOnly = group("configure", "--tls-only");
            long at = writes.ok();
            writes.awaitProgress(200);
            assertThat(writes.ok()).as("TLS writes after tls-only").isGreaterThanOrEqualTo(at + 200);
            assertThat(writes.failed()).as("TLS writes failed while the plain ports closed: %s", writes.errors()).isZero();
            assertThat(client.getClusterNodes()).hasSize(NODES).allSatisfy((k, v) -> assertThat(k).endsWith(":6380"));
        }
        assertThat(tlsOnly.exitCode()).as(tlsOnly.toString()).isZero();
        assertThat(tlsOnly.out()).contains("Every node's plain port closed live (tls-only): 6 node(s)").doesNotContain("FAIL");
        for (int i = 0; i < NODES; i++) {
            assertThat(Processes.run(null, List.of("redis-cli", "-h", lan.address(i + 1), "-p", "6379", "PING")).out())
                    .as("plain port closed on " + nodes.get(i).name()).doesNotContain("PONG").doesNotContain("NOAUTH");
            assertThat(Files.readString(nodes.get(i).redisConf())).containsPattern("(?m)^port 0$")
                    .contains("cluster-announce-port 0\n", "cluster-announce-tls-port 6380\n");
        }
        assertThat(groupStatus().out()).contains("tls-only").doesNotContain("warning");
        assertThat(doctor(nodes.get(1)).out()).contains("[ok] cluster sends TLS clients to ports that speak TLS")
                .doesNotContain("[FAIL]");

        Cli.Result dual = group("configure", "--no-tls-only");
        assertThat(dual.exitCode()).as(dual.toString()).isZero();
        assertThat(dual.out()).contains("Every node's plain port open again live: 6 node(s)").doesNotContain("FAIL");
        for (int i = 0; i < NODES; i++) {
            assertThat(Files.readString(nodes.get(i).redisConf())).containsPattern("(?m)^port 6379$")
                    .contains("cluster-announce-port 6379\n");
        }
        try (ClusterLoad plain = new ClusterLoad(endpoints, PASSWORD)) {
            plain.awaitEverySlot();
            assertThat(plain.failed()).as("plain writes: " + plain.errors()).isZero();
            assertThat(plain.misdirected()).as("plain clients sent elsewhere: " + plain.errors()).isZero();
        }
        List<ClusterJudge.State> now = ClusterJudge.states(endpoints, PASSWORD);
        for (int i = 0; i < NODES; i++) {
            assertThat(now.get(i).pid()).as("no restart").isEqualTo(before.get(i).pid());
            assertThat(now.get(i).master()).as("no failover").isEqualTo(before.get(i).master());
            assertThat(now.get(i).currentEpoch()).isEqualTo(before.get(i).currentEpoch());
        }
    }

    @Test
    @Order(3)
    void uninstallOverSshRestoresEveryConfig() throws Exception {
        Cli.Result uninstall;
        List<String> watched;
        try (ClusterLoad load = new ClusterLoad(endpoints, PASSWORD)) {
            load.awaitProgress(500);
            try (ClusterJudge.Watch watch = new ClusterJudge.Watch(endpoints, PASSWORD)) {
                uninstall = group("uninstall");
                load.awaitProgress(500);
                watched = watch.seen();
            }
            assertThat(uninstall.exitCode()).as(uninstall.toString()).isZero();
            assertThat(load.failed()).as("writes failed: " + load.errors()).isZero();
            assertThat(load.misdirected()).as("plain clients sent elsewhere: " + load.errors()).isZero();
            assertThat(watched).isEmpty();
        }
        List<ClusterJudge.State> now = ClusterJudge.states(endpoints, PASSWORD);
        for (int i = 0; i < NODES; i++) {
            assertThat(now.get(i).pid()).isEqualTo(before.get(i).pid());
            assertThat(now.get(i).master()).isEqualTo(before.get(i).master());
            assertThat(now.get(i).currentEpoch()).isEqualTo(before.get(i).currentEpoch());
            Path conf = nodes.get(i).redisConf();
            assertThat(Files.readAllBytes(conf)).as("byte for byte: " + conf).isEqualTo(confs.get(conf));
            if (!now.get(i).master()) {
                assertThat(now.get(i).masterPort()).isEqualTo("6379");
            }
        }
    }

    private Cli.Result groupStatus() {
        return Cli.run("group", "status", "--inventory", inventory.toString(), "--ssh-config", hosts.sshConfig().toString());
    }

    private Cli.Result doctor(SimulatedHost h) {
        return Cli.run("doctor", "--host", h.alias(), "--ssh-config", hosts.sshConfig().toString(), "--conf",
                h.redisConf().toString(), "--keys-dir", h.path("/etc/redis/tls").toString(), "--ca-home",
                hosts.dir().resolve("ca").toString());
    }

    static X509Certificate certificate(Path p) throws Exception {
        try (InputStream in = Files.newInputStream(p)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static void thread(Runnable r) {
        Thread t = new Thread(r, "cluster-remote");
        t.setDaemon(true);
        t.start();
    }
}
