package dev.redistls.group;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.redistls.testing.Cli;
import dev.redistls.testing.LocalGroup;
import dev.redistls.testing.Load;
import dev.redistls.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisSentineled;
import dev.redistls.pki.Pem;
import dev.redistls.pki.TlsContexts;
import dev.redistls.testing.Processes;

import javax.net.ssl.SSLContext;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A group on this machine: 1 master + 2 replicas + 3 sentinels, real processes. {@code group install --replication}
 * moves it to TLS while a plain client keeps writing to the master on one connection: zero failed writes, no data
 * node restarted, every replica's link up on its master's TLS port by partial resync (the master's counters), every
 * sentinel restarted once and monitoring the master's TLS port over TLS; {@code group status --json} says so; and
 * {@code group uninstall} puts every config back byte for byte (data nodes) or with our lines restored exactly
 * (sentinel.conf, which Sentinel rewrites), replication back on the plain ports, again by partial resync.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GroupLocalIT {
    LocalGroup group;
    Path inventory;
    Path caHome;
    List<Integer> tlsPorts = new ArrayList<>();
    Map<Path, String> confSha = new LinkedHashMap<>();
    List<Long> pids = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        group = LocalGroup.start(2, 3);
        caHome = group.dir().resolve("ca");
        for (int i = 0; i < 3; i++) {
            tlsPorts.add(RedisServer.freePort());
        }
        inventory = group.writeInventory(group.dir().resolve("orders.yaml"), "orders", caHome, tlsPorts, "auth-clients: yes\n");
        for (RedisServer r : group.dataNodes()) {
            confSha.put(r.conf(), sha256(Files.readAllBytes(r.conf())));
            pids.add(r.pid());
        }
    }

    @AfterAll
    void stop() {
        if (group != null) {
            group.close();
        }
    }

    @Test
    @Order(1)
    void installMovesReplicationAndSentinelsToTlsWhileServing() throws Exception {
        RedisServer master = group.master();
        long fullBefore = Long.parseLong(LocalGroup.info(master.port(), "stats", "sync_full"));
        long partialBefore = Long.parseLong(LocalGroup.info(master.port(), "stats", "sync_partial_ok"));
        Cli.Result install;
        try (Load plain = new Load("plain", plainJedis(master.port()))) {
            plain.awaitProgress(20);
            install = Cli.run("group", "install", "--inventory", inventory.toString(), "--replication", "--firewall", "none");
            plain.awaitProgress(20);
            assertThat(plain.failed()).as("plain writes failed during install: " + plain.errors()).isZero();
        }
        assertThat(install.exitCode()).as(install.toString()).isZero();
        assertThat(install.out()).contains("Created the group's root CA in " + caHome, "CN=redis-tls root CA orders",
                "Every sentinel reaches the others over TLS");
        assertThat(install.out().lines().filter(l -> l.contains("by partial resync")).count()).as(install.out()).isEqualTo(2);
        // The master's own counters: two partial resyncs, no full one.
        assertThat(Long.parseLong(LocalGroup.info(master.port(), "stats", "sync_full"))).isEqualTo(fullBefore);
        assertThat(Long.parseLong(LocalGroup.info(master.port(), "stats", "sync_partial_ok"))).isEqualTo(partialBefore + 2);
        for (RedisServer r : group.replicas()) {
            assertThat(LocalGroup.info(r.port(), "replication", "master_port")).isEqualTo(String.valueOf(tlsPorts.get(0)));
            assertThat(LocalGroup.info(r.port(), "replication", "master_link_status")).isEqualTo("up");
            assertThat(Files.readString(r.conf())).contains("replicaof 127.0.0.1 " + tlsPorts.get(0) + "\n");
        }
        for (int i = 0; i < pids.size(); i++) {
            assertThat(group.dataNodes().get(i).pid()).as("data node never restarted").isEqualTo(pids.get(i));
            assertThat(group.dataNodes().get(i).isAlive()).isTrue();
        }
        for (LocalGroup.Sentinel s : group.sentinels()) {
            assertThat(Files.readString(s.conf())).contains("tls-replication yes", "tls-port " + s.tlsPort(),
                    "sentinel monitor " + LocalGroup.MASTER_NAME + " 127.0.0.1 " + tlsPorts.get(0) + " 2");
        }

        Cli.Result status = Cli.run("group", "status", "--inventory", inventory.toString(), "--json");
        assertThat(status.exitCode()).as(status.toString()).isZero();
        JsonNode rows = new ObjectMapper().readTree(status.out());
        assertThat(rows).hasSize(6);
        assertThat(rows.get(0).get("role").asText()).isEqualTo("master");
        assertThat(rows.get(0).get("live").get("servesFileCertificate").asBoolean()).isTrue();
        for (int i = 1; i <= 2; i++) {
            assertThat(rows.get(i).get("role").asText()).isEqualTo("replica");
            assertThat(rows.get(i).get("replication").get("masterLink").asText()).isEqualTo("up");
            assertThat(rows.get(i).get("replication").get("overTls").asBoolean()).isTrue();
        }
        for (int i = 3; i <= 5; i++) {
            assertThat(rows.get(i).get("role").asText()).isEqualTo("sentinel");
            assertThat(rows.get(i).get("monitoring").get(0).get("port").asInt()).isEqualTo(tlsPorts.get(0));
            assertThat(rows.get(i).get("monitoring").get(0).get("overTls").asBoolean()).isTrue();
        }
        Cli.Result table = Cli.run("group", "status", "--inventory", inventory.toString());
        assertThat(table.out()).contains("MEMBER", "link up 127.0.0.1:" + tlsPorts.get(0) + " over TLS", "over TLS (master)");
    }

    @Test
    @Order(2)
    void uninstallRestoresEveryConfigAndPlainReplication() throws Exception {
        RedisServer master = group.master();
        long fullBefore = Long.parseLong(LocalGroup.info(master.port(), "stats", "sync_full"));
        Cli.Result uninstall;
        try (Load plain = new Load("plain", plainJedis(master.port()))) {
            plain.awaitProgress(20);
            uninstall = Cli.run("group", "uninstall", "--inventory", inventory.toString(), "--firewall", "none");
            plain.awaitProgress(20);
            assertThat(plain.failed()).as("plain writes failed during uninstall: " + plain.errors()).isZero();
        }
        assertThat(uninstall.exitCode()).as(uninstall.toString()).isZero();
        assertThat(uninstall.out().lines().filter(l -> l.contains("in plain text by partial resync")).count())
                .as(uninstall.out()).isEqualTo(2);
        assertThat(Long.parseLong(LocalGroup.info(master.port(), "stats", "sync_full"))).isEqualTo(fullBefore);
        for (RedisServer r : group.dataNodes()) {
            assertThat(sha256(Files.readAllBytes(r.conf()))).as("byte for byte: " + r.conf()).isEqualTo(confSha.get(r.conf()));
            assertThat(Files.exists(r.dir().resolve("tls"))).isFalse();
        }
        for (RedisServer r : group.replicas()) {
            assertThat(LocalGroup.info(r.port(), "replication", "master_port")).isEqualTo(String.valueOf(master.port()));
            assertThat(LocalGroup.info(r.port(), "replication", "master_link_status")).isEqualTo("up");
        }
        for (LocalGroup.Sentinel s : group.sentinels()) {
            String conf = Files.readString(s.conf());
            assertThat(conf.lines().filter(l -> l.startsWith("tls-"))).as(conf).isEmpty();
            // Replicas known at their TLS ports were forgotten (SENTINEL RESET after the replicas moved back).
            for (RedisServer r : group.replicas()) {
                assertThat(conf).contains("sentinel known-replica " + LocalGroup.MASTER_NAME + " 127.0.0.1 " + r.port() + "\n");
            }
            for (int port : tlsPorts) {
                assertThat(conf).doesNotContain("127.0.0.1 " + port + "\n");
            }
            assertThat(conf).contains("sentinel monitor " + LocalGroup.MASTER_NAME + " 127.0.0.1 "
                    + master.port() + " 2");
        }
        assertThat(uninstall.out()).contains("Sentinel itself rewrote");
        for (int i = 0; i < pids.size(); i++) {
            assertThat(group.dataNodes().get(i).pid()).as("data node never restarted").isEqualTo(pids.get(i));
        }
    }

    @Test
    @Order(3)
    void afterInstallAFailoverRunsEntirelyOverTls() throws Exception {
        Cli.Result install = Cli.run("group", "install", "--inventory", inventory.toString(), "--replication", "--firewall", "none");
        assertThat(install.exitCode()).as(install.toString()).isZero();
        Path keys = group.master().dir().resolve("tls/client");
        SSLContext tls = TlsContexts.create(Pem.readCertificate(keys.resolve("root.crt")),
                Pem.readCertificate(keys.resolve("client.crt")), Pem.readPrivateKey(keys.resolve("client.key")));
        Set<HostAndPort> sentinelTls = new HashSet<>();
        group.sentinels().forEach(s -> sentinelTls.add(new HostAndPort("127.0.0.1", s.tlsPort())));
        DefaultJedisClientConfig master = DefaultJedisClientConfig.builder().password(LocalGroup.PASSWORD).ssl(true)
                .sslSocketFactory(tls.getSocketFactory()).connectionTimeoutMillis(2000).socketTimeoutMillis(2000).build();
        DefaultJedisClientConfig sentinel = DefaultJedisClientConfig.builder().ssl(true)
                .sslSocketFactory(tls.getSocketFactory()).connectionTimeoutMillis(2000).socketTimeoutMillis(2000).build();
        Set<String> written = java.util.concurrent.ConcurrentHashMap.newKeySet();
        AtomicLong longestGapMs = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        int oldMasterTls = tlsPorts.get(0);
        try (JedisSentineled client = new JedisSentineled(LocalGroup.MASTER_NAME, master, sentinelTls, sentinel)) {
            assertThat(client.getCurrentMaster().getPort()).as("discovered over TLS, at the TLS port").isEqualTo(oldMasterTls);
            Thread writer = new Thread(() -> {
                long lastOk = System.nanoTime();
                for (int i = 0; running.get() && i < 1_000_000; i++) {
                    try {
                        client.set("fo:" + i, "v" + i);
                        // Acknowledged = on both replicas too: Sentinel's failover is asynchronous, and a write the old
                        // master took after the promotion is discarded by Redis, with or without TLS.
                        if (client.waitReplicas("fo:" + i, 2, 200) < 2) {
                            continue;
                        }
                        written.add("fo:" + i);
                        long now = System.nanoTime();
                        longestGapMs.accumulateAndGet((now - lastOk) / 1_000_000, Math::max);
                        lastOk = now;
                        sleep(1);
                    } catch (RuntimeException e) {
                        sleep(20);
                    }
                }
            }, "tls-sentinel-writer");
            writer.start();
            LocalGroup.await(() -> written.size() > 50, "writes before the failover");
            Processes.Output failover = Processes.run(null, List.of("redis-cli", "--tls", "-p",
                    String.valueOf(group.sentinels().get(0).tlsPort()), "--cacert", keys.resolve("root.crt").toString(),
                    "--cert", keys.resolve("client.crt").toString(), "--key", keys.resolve("client.key").toString(),
                    "SENTINEL", "FAILOVER", LocalGroup.MASTER_NAME));
            assertThat(failover.out()).as(failover.out()).contains("OK");
            LocalGroup.await(() -> client.getCurrentMaster().getPort() != oldMasterTls, "the client following the failover");
            int newMasterTls = client.getCurrentMaster().getPort();
            assertThat(newMasterTls).as("the new master is announced at its TLS port").isIn(tlsPorts.get(1), tlsPorts.get(2));
            int before = written.size();
            LocalGroup.await(() -> written.size() > before + 50, "writes resumed on the new master over TLS");
            // The old master rejoins as a replica of the new one, over TLS.
            LocalGroup.await(() -> String.valueOf(newMasterTls).equals(LocalGroup.info(group.master().port(), "replication", "master_port"))
                    && "up".equals(LocalGroup.info(group.master().port(), "replication", "master_link_status")), "old master rejoined over TLS");
            running.set(false);
            writer.join(10_000);
        }
        System.out.println("failover over TLS: longest gap between two acknowledged writes " + longestGapMs.get() + " ms");
        // Every replica ends linked to the new master's TLS port and holds every write acknowledged by the replicas.
        RedisServer newMaster = group.dataNodes().stream().filter(r -> "master".equals(LocalGroup.info(r.port(), "replication", "role")))
                .findFirst().orElseThrow();
        String masterOffset = LocalGroup.info(newMaster.port(), "replication", "master_repl_offset");
        for (RedisServer r : group.dataNodes()) {
            if (r == newMaster) {
                continue;
            }
            // The master's offset keeps moving (its replication pings count too): caught up is at or past it.
            LocalGroup.await(() -> Long.parseLong(LocalGroup.info(r.port(), "replication", "slave_repl_offset"))
                    >= Long.parseLong(masterOffset), "replica caught up");
            Set<String> keysThere = new HashSet<>(LocalGroup.cli(r.port(), "--scan", "--pattern", "fo:*").out().lines().toList());
            Set<String> missing = new HashSet<>(written);
            missing.removeAll(keysThere);
            assertThat(missing).as("writes missing on replica " + r.port() + " (of " + written.size() + ")").isEmpty();
        }
        for (int i = 0; i < pids.size(); i++) {
            assertThat(group.dataNodes().get(i).pid()).as("data node never restarted").isEqualTo(pids.get(i));
        }
    }

    @Test
    @Order(4)
    void uninstallAfterAFailoverFollowsTheNewRoles() throws Exception {
        Cli.Result uninstall = Cli.run("group", "uninstall", "--inventory", inventory.toString(), "--firewall", "none");
        assertThat(uninstall.exitCode()).as(uninstall.toString()).isZero();
        RedisServer newMaster = group.dataNodes().stream().filter(r -> "master".equals(LocalGroup.info(r.port(), "replication", "role")))
                .findFirst().orElseThrow();
        for (RedisServer r : group.dataNodes()) {
            assertThat(Files.readString(r.conf()).lines().filter(l -> l.startsWith("tls-"))).isEmpty();
            if (r != newMaster) {
                assertThat(LocalGroup.info(r.port(), "replication", "master_port")).isEqualTo(String.valueOf(newMaster.port()));
                assertThat(LocalGroup.info(r.port(), "replication", "master_link_status")).isEqualTo("up");
            }
        }
        assertThat(uninstall.out().lines().filter(l -> l.contains("in plain text by partial resync")).count())
                .as(uninstall.out()).isEqualTo(2);
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Jedis plainJedis(int port) {
        return new Jedis(new HostAndPort("127.0.0.1", port), DefaultJedisClientConfig.builder()
                .password(LocalGroup.PASSWORD).connectionTimeoutMillis(5000).socketTimeoutMillis(5000).build());
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
