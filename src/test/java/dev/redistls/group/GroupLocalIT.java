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

    static Jedis plainJedis(int port) {
        return new Jedis(new HostAndPort("127.0.0.1", port), DefaultJedisClientConfig.builder()
                .password(LocalGroup.PASSWORD).connectionTimeoutMillis(5000).socketTimeoutMillis(5000).build());
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
