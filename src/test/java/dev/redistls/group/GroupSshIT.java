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

    /** When a step fails, what each host's sshd saw (VERBOSE): a dropped connection says there why. */
    @org.junit.jupiter.api.extension.RegisterExtension
    final org.junit.jupiter.api.extension.TestWatcher sshdLogs = new org.junit.jupiter.api.extension.TestWatcher() {
        @Override
        public void testFailed(org.junit.jupiter.api.extension.ExtensionContext context, Throwable cause) {
            for (SimulatedHost h : group.hosts()) {
                try {
                    System.out.println("=== sshd log of " + h.name() + " (" + h.sshdLog() + ")\n" + Files.readString(h.sshdLog()));
                } catch (java.io.IOException e) {
                    System.out.println("=== no sshd log of " + h.name() + ": " + e);
                }
            }
        }
    };

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
        assertThat(GroupLocalIT.partialResyncs(install.out(), "port 6380 over TLS")).as(install.out()).isEqualTo(2);
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
    @Order(2)
    void renewOverSshRenewsWhatIsDueAndNothingElse() throws Exception {
        Map<Path, String> certs = serverCerts();
        List<Long> sentinelPids = group.hosts().stream().map(HostGroup::sentinelPid).toList();
        Cli.Result nothing = Cli.run(group("renew", "--within", "30", "--firewall", "none"));
        assertThat(nothing.exitCode()).as(nothing.toString()).isZero();
        assertThat(nothing.out().lines().filter(l -> l.contains("Nothing to renew"))).as(nothing.out()).hasSize(6);
        assertThat(serverCerts()).isEqualTo(certs);
        assertThat(group.hosts().stream().map(HostGroup::sentinelPid).toList()).as("no sentinel restarted").isEqualTo(sentinelPids);

        String stats = HostGroup.info(group.master(), "stats", "sync_full") + "/"
                + HostGroup.info(group.master(), "stats", "sync_partial_ok");
        Cli.Result renew = Cli.run(group("renew", "--within", "900", "--firewall", "none"));
        assertThat(renew.exitCode()).as(renew.toString()).isZero();
        serverCerts().forEach((file, sha) -> assertThat(sha).as("renewed: " + file).isNotEqualTo(certs.get(file)));
        JsonNode rows = new ObjectMapper().readTree(Cli.run(group("status", "--json")).out());
        for (JsonNode row : rows) {
            assertThat(row.get("live").get("servesFileCertificate").asBoolean()).as(row.toString()).isTrue();
        }
        assertThat(HostGroup.info(group.master(), "stats", "sync_full") + "/"
                + HostGroup.info(group.master(), "stats", "sync_partial_ok")).as("no link resynced").isEqualTo(stats);
        assertNoRedisRestarted();
    }

    @Test
    @Order(3)
    void aHostUnreachableMidRolloutStopsItAndTheRerunFinishes() throws Exception {
        // The restart command of the first sentinel (on gs0) waits while the test cuts gs2 off, then goes on: gs2
        // becomes unreachable in the middle of the rollout, its sentinel not yet changed.
        SimulatedHost first = group.hosts().get(0);
        SimulatedHost lost = group.hosts().get(2);
        Path arm = first.path("/run/pause-armed");
        Path reached = first.path("/run/pause-reached");
        Path go = first.path("/run/pause-go");
        Path paused = first.path("/usr/local/sbin/sentinel-restart-paused");
        Files.writeString(paused, """
                #!/bin/sh
                if [ -e %1$s ]; then
                  rm -f %1$s
                  touch %2$s
                  i=0
                  while [ ! -e %3$s ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
                fi
                exec %4$s
                """.formatted(arm, reached, go, HostGroup.sentinelRestart(first)));
        Files.setAttribute(paused, "unix:mode", 0755);
        String original = Files.readString(inventory);
        Files.writeString(inventory, original.replace("restart-command: " + HostGroup.sentinelRestart(first),
                "restart-command: " + paused));
        Files.createFile(arm);
        Cli.Result stopped;
        boolean dropped = false;
        try {
            var run = java.util.concurrent.CompletableFuture.supplyAsync(() -> Cli.run(group("configure", "--tls-only",
                    "--rejoin-timeout", "5", "--firewall", "none")), r -> new Thread(r, "group-configure").start());
            LocalGroup.await(() -> Files.exists(reached), "the first sentinel's restart");
            lost.dropInbound();
            dropped = true;
            lost.killSessions();
            Files.createFile(go);
            stopped = run.get(120, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            if (dropped) {
                lost.acceptInbound();
            }
            Files.writeString(inventory, original);
        }
        assertThat(stopped.exitCode()).as(stopped.toString()).isEqualTo(1);
        assertThat(stopped.err().strip()).as(stopped.err()).doesNotContain("\n")
                .startsWith("error: the rollout stopped: sentinels: sentinels[0] (gs0:")
                .contains("the SSH connection to gs2 (" + lost.address() + ") dropped",
                        "the files are back as they were and the node was restarted on them", "run the same command again");
        assertThat(stopped.out().lines().filter(l -> l.startsWith("  sentinels[0] (gs0:")))
                .singleElement().asString().contains("): old: its change failed and was undone");
        assertThat(stopped.out().lines().filter(l -> l.startsWith("  sentinels[2] (gs2:")))
                .singleElement().asString().endsWith("): old: not reached by this run");
        assertThat(stopped.out().lines().filter(l -> l.startsWith("  nodes[2] (gs2:")))
                .singleElement().asString().contains("): new as far as this run went (replicas)");
        // Nothing half-done: the first sentinel is back on its old file, every plain port still open.
        assertThat(Files.readString(HostGroup.sentinelConf(first))).doesNotContain("\nport 0\n");
        for (SimulatedHost h : group.hosts()) {
            assertThat(Files.readString(h.redisConf())).doesNotContain("\nport 0\n");
        }
        Cli.Result rerun = Cli.run(group("configure", "--tls-only", "--firewall", "none"));
        assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
        for (SimulatedHost h : group.hosts()) {
            assertThat(h.redisCli("PING").out()).as("plain port closed on " + h.name()).doesNotContain("PONG");
            assertThat(Files.readString(h.redisConf())).contains("\nport 0\n");
            assertThat(Files.readString(HostGroup.sentinelConf(h))).contains("\nport 0\n");
        }
        for (SimulatedHost h : group.replicas()) {
            String repl = tlsCli(h, "INFO", "replication").out();
            assertThat(repl).contains("master_host:" + group.master().address(), "master_port:6380", "master_link_status:up");
        }
        assertNoRedisRestarted();
    }

    @Test
    @Order(4)
    void noTlsOnlyOpensThePlainPortsAgain() throws Exception {
        Cli.Result dual = Cli.run(group("configure", "--no-tls-only", "--firewall", "none"));
        assertThat(dual.exitCode()).as(dual.toString()).isZero();
        for (SimulatedHost h : group.hosts()) {
            assertThat(h.redisCli("PING").out()).as("plain port open again on " + h.name()).contains("PONG");
            assertThat(HostGroup.sentinel(h, "MASTERS").out()).as("sentinel plain port open on " + h.name())
                    .contains(group.master().address());
        }
        for (SimulatedHost h : group.replicas()) {
            assertThat(HostGroup.info(h, "replication", "master_port")).isEqualTo("6380");
            assertThat(HostGroup.info(h, "replication", "master_link_status")).isEqualTo("up");
        }
        assertNoRedisRestarted();
    }

    @Test
    @Order(9)
    void uninstallOverSshRestoresEveryConfig() throws Exception {
        SimulatedHost master = group.master();
        Cli.Result uninstall;
        try (Load plain = new Load("plain", new Jedis(new HostAndPort(master.address(), 6379), DefaultJedisClientConfig
                .builder().password(LocalGroup.PASSWORD).connectionTimeoutMillis(5000).socketTimeoutMillis(5000).build()))) {
            plain.awaitProgress(20);
            uninstall = Cli.run(group("uninstall", "--firewall", "none"));
            plain.awaitProgress(20);
            assertThat(plain.failed()).as("plain writes failed during uninstall: " + plain.errors()).isZero();
        }
        assertThat(uninstall.exitCode()).as(uninstall.toString()).isZero();
        assertThat(GroupLocalIT.partialResyncs(uninstall.out(), "port 6379 in plain text")).as(uninstall.out()).isEqualTo(2);
        for (SimulatedHost h : group.hosts()) {
            assertThat(Files.readAllBytes(h.redisConf())).as("byte for byte: " + h.name()).isEqualTo(confs.get(h.redisConf()));
            assertThat(Files.exists(h.path("/etc/redis/tls"))).isFalse();
        }
        assertNoRedisRestarted();
    }

    void assertNoRedisRestarted() {
        for (int i = 0; i < pids.size(); i++) {
            assertThat(group.hosts().get(i).redisPid()).as("never restarted: " + group.hosts().get(i).name()).isEqualTo(pids.get(i));
        }
    }

    Map<Path, String> serverCerts() throws Exception {
        Map<Path, String> out = new LinkedHashMap<>();
        for (SimulatedHost h : group.hosts()) {
            for (String dir : List.of("/etc/redis/tls", "/etc/redis/tls-sentinel")) {
                Path cert = h.path(dir + "/server/server.crt");
                out.put(cert, GroupLocalIT.sha256(Files.readAllBytes(cert)));
            }
        }
        return out;
    }

    /** redis-cli over mutual TLS inside the host, with its own client certificate. */
    static dev.redistls.testing.Processes.Output tlsCli(SimulatedHost h, String... args) {
        String keys = h.path("/etc/redis/tls/client").toString();
        // The later -p wins over the plain port redisCli puts first; the password goes through the environment.
        List<String> cmd = new ArrayList<>(List.of("--tls", "-p", "6380", "--cacert", keys + "/root.crt", "--cert",
                keys + "/client.crt", "--key", keys + "/client.key"));
        cmd.addAll(List.of(args));
        return h.redisCli(cmd.toArray(String[]::new));
    }
}
