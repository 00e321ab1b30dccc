package dev.redistls.group;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.redistls.testing.Cli;
import dev.redistls.testing.HostGroup;
import dev.redistls.testing.LocalGroup;
import dev.redistls.testing.Load;
import dev.redistls.testing.SimulatedHost;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The group of {@link GroupLocalIT} with each data node on a simulated host of its own (namespace, real sshd,
 * redis-server as {@code redis}) and a sentinel beside it on each host (the usual Sentinel layout), every member
 * reached over SSH; the hosts reach each other by their addresses through the test's namespace, as on one network.
 * {@code group install --replication --auth-clients yes} secures it live while a plain client writes to the master:
 * zero failed writes, no redis-server restarted, each replica's link up on its master's TLS port (6380, on another
 * host) over mutual TLS by partial resync, each sentinel restarted once over SSH and monitoring the master over
 * TLS; {@code group uninstall} restores every redis.conf byte for byte.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GroupSshIT {
    HostGroup group;
    Path inventory;
    Map<Path, byte[]> confs = new LinkedHashMap<>();
    List<Long> pids = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        group = HostGroup.start("gs", 3, true);
        Path admin = Files.createDirectory(group.fixture().dir().resolve("admin"));
        inventory = group.writeInventory(admin.resolve("orders-ssh.yaml"), "orders-ssh", admin.resolve("ca"),
                "auth-clients: yes\n");
        for (SimulatedHost h : group.hosts()) {
            confs.put(h.redisConf(), Files.readAllBytes(h.redisConf()));
            pids.add(h.redisPid());
        }
    }

    @AfterAll
    void stop() {
        if (group != null) {
            group.close();
        }
    }

    String[] group(String... args) {
        List<String> a = new ArrayList<>(List.of("group"));
        a.addAll(List.of(args));
        a.addAll(List.of("--inventory", inventory.toString(), "--ssh-config", group.sshConfig().toString()));
        return a.toArray(String[]::new);
    }

    @Test
    @Order(1)
    void installOverSshWhileServing() throws Exception {
        SimulatedHost master = group.master();
        Cli.Result install;
        try (Load plain = new Load("plain", new Jedis(new HostAndPort(master.address(), 6379), DefaultJedisClientConfig
                .builder().password(LocalGroup.PASSWORD).connectionTimeoutMillis(5000).socketTimeoutMillis(5000).build()))) {
            plain.awaitProgress(20);
            install = Cli.run(group("install", "--replication", "--firewall", "none"));
            plain.awaitProgress(20);
            assertThat(plain.failed()).as("plain writes failed: " + plain.errors()).isZero();
        }
        assertThat(install.exitCode()).as(install.toString()).isZero();
        assertThat(install.out().lines().filter(l -> l.contains("port 6380 over TLS by partial resync")).count())
                .as(install.out()).isEqualTo(2);
        assertThat(install.out()).contains("Applied live on 127.0.0.1:6379 on gs0", "Every sentinel reaches the others over TLS");
        for (SimulatedHost h : group.replicas()) {
            assertThat(HostGroup.info(h, "replication", "master_host")).isEqualTo(master.address());
            assertThat(HostGroup.info(h, "replication", "master_port")).isEqualTo("6380");
            assertThat(HostGroup.info(h, "replication", "master_link_status")).isEqualTo("up");
        }
        Cli.Result status = Cli.run(group("status", "--json"));
        assertThat(status.exitCode()).as(status.toString()).isZero();
        JsonNode rows = new ObjectMapper().readTree(status.out());
        assertThat(rows).hasSize(6);
        assertThat(rows.get(0).get("host").asText()).isEqualTo("gs0");
        assertThat(rows.get(0).get("role").asText()).isEqualTo("master");
        for (int i = 1; i <= 2; i++) {
            assertThat(rows.get(i).get("replication").get("overTls").asBoolean()).as(status.out()).isTrue();
        }
        for (int i = 3; i <= 5; i++) {
            assertThat(rows.get(i).get("role").asText()).isEqualTo("sentinel");
            assertThat(rows.get(i).get("monitoring").get(0).get("port").asInt()).isEqualTo(6380);
            assertThat(rows.get(i).get("monitoring").get(0).get("overTls").asBoolean()).isTrue();
        }
    }

    @Test
    @Order(9)
    void uninstallOverSshRestoresEveryConfig() throws Exception {
        Cli.Result uninstall = Cli.run(group("uninstall", "--firewall", "none"));
        assertThat(uninstall.exitCode()).as(uninstall.toString()).isZero();
        assertThat(uninstall.out().lines().filter(l -> l.contains("port 6379 in plain text by partial resync")).count())
                .as(uninstall.out()).isEqualTo(2);
        for (SimulatedHost h : group.hosts()) {
            assertThat(Files.readAllBytes(h.redisConf())).as("byte for byte: " + h.name()).isEqualTo(confs.get(h.redisConf()));
            assertThat(Files.exists(h.path("/etc/redis/tls"))).isFalse();
        }
        for (int i = 0; i < pids.size(); i++) {
            assertThat(group.hosts().get(i).redisPid()).as("never restarted: " + group.hosts().get(i).name()).isEqualTo(pids.get(i));
        }
    }
}
