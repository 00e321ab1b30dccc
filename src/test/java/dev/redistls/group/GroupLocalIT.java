package dev.redistls.group;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.redistls.pki.Pem;
import dev.redistls.pki.TlsContexts;
import dev.redistls.testing.Cli;
import dev.redistls.testing.LocalGroup;
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
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisSentineled;

import javax.net.ssl.SSLContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A group on this machine, 1 master + 2 replicas + 3 sentinels of real processes, taken through the group's life:
 * <ol>
 *   <li>{@code group install --replication} while a plain client writes to the master on one connection: zero failed
 *       writes, no data node restarted, every replica's link up on its master's TLS port by partial resync (the
 *       master's counters), every sentinel monitoring the master over TLS; meanwhile Sentinel is made to rewrite one
 *       sentinel.conf between our edit and its restart ({@code SENTINEL FLUSHCONFIG} from its restart command), and
 *       the tool notices and makes that change again;</li>
 *   <li>{@code group status} as JSON, a table and Prometheus metrics (promtool checks them);</li>
 *   <li>{@code group add-node}: a new replica secured and moved to TLS, appended to the inventory;</li>
 *   <li>{@code group configure --tls-only}: refused while a client is on plain text with {@code --if-no-plaintext};
 *       then every plain port closed, replicas before masters, with no replication link cut (the master's resync
 *       counters do not move);</li>
 *   <li>{@code group reissue} in tls-only mode: every member serves a new certificate, links unbroken;</li>
 *   <li>{@code group uninstall} straight from tls-only: plain ports back first, every redis.conf byte for byte,
 *       sentinel.conf with our lines gone (Sentinel's rewrite race again on the way back);</li>
 *   <li>install again, a {@code SENTINEL FAILOVER} entirely over TLS with a Sentinel-aware TLS client, and an
 *       uninstall that follows the new roles.</li>
 * </ol>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GroupLocalIT {
    LocalGroup group;
    Path inventory;
    Path caHome;
    Path raceArm;
    RedisServer added;
    int addedTls;
    List<RedisServer> data = new ArrayList<>();
    List<Integer> tlsPorts = new ArrayList<>();
    Map<Path, String> confSha = new LinkedHashMap<>();
    Map<RedisServer, Long> pids = new LinkedHashMap<>();

    @BeforeAll
    void start() throws Exception {
        group = LocalGroup.start(2, 3);
        caHome = group.dir().resolve("ca");
        for (int i = 0; i < 3; i++) {
            tlsPorts.add(RedisServer.freePort());
        }
        inventory = group.writeInventory(group.dir().resolve("orders.yaml"), "orders", caHome, tlsPorts, "auth-clients: yes\n");
        // Sentinel 0's restart command first makes the running sentinel rewrite its file from memory, when armed:
        // the race between our edit and the restart, made to happen.
        raceArm = group.dir().resolve("race-armed");
        Path race = group.dir().resolve("race-restart");
        Files.writeString(race, """
                #!/bin/sh
                # $1 arm file, $2 sentinel port, $3 its TLS port, $4 its keys dir; then the real restart command.
                arm=$1; port=$2; tls=$3; keys=$4; shift 4
                if [ -e "$arm" ]; then
                  rm -f "$arm"
                  redis-cli -p "$port" SENTINEL FLUSHCONFIG 2>/dev/null | grep -q OK \\
                    || redis-cli --tls -p "$tls" --cacert "$keys/client/root.crt" --cert "$keys/client/client.crt" \\
                         --key "$keys/client/client.key" SENTINEL FLUSHCONFIG
                fi
                exec "$@"
                """);
        Files.setAttribute(race, "unix:mode", 0755);
        LocalGroup.Sentinel s0 = group.sentinels().get(0);
        String text = Files.readString(inventory);
        Files.writeString(inventory, text.replace("restart-command: " + s0.restartCommand(), "restart-command: " + race
                + " " + raceArm + " " + s0.port() + " " + s0.tlsPort() + " " + s0.dir().resolve("tls") + " " + s0.restartCommand()));
        data.addAll(group.dataNodes());
        for (RedisServer r : data) {
            confSha.put(r.conf(), sha256(Files.readAllBytes(r.conf())));
            pids.put(r, r.pid());
        }
    }

    @AfterAll
    void stop() {
        if (added != null) {
            added.close();
        }
        if (group != null) {
            group.close();
        }
    }

    static String[] group(Path inventory, String... args) {
        List<String> a = new ArrayList<>(List.of("group"));
        a.addAll(List.of(args));
        a.addAll(List.of("--inventory", inventory.toString()));
        if (!args[0].equals("status")) {
            a.addAll(List.of("--firewall", "none"));
        }
        return a.toArray(String[]::new);
    }

    Cli.Result run(String... args) {
        Cli.Result r = Cli.run(group(inventory, args));
        r.out().lines().filter(l -> l.startsWith("Took ")).forEach(l -> System.out.println("group " + args[0] + ": " + l));
        return r;
    }

    @Test
    @Order(1)
    void installMovesReplicationAndSentinelsToTlsWhileServing() throws Exception {
        RedisServer master = group.master();
        long fullBefore = Long.parseLong(LocalGroup.info(master.port(), "stats", "sync_full"));
        long partialBefore = Long.parseLong(LocalGroup.info(master.port(), "stats", "sync_partial_ok"));
        Files.createFile(raceArm);
        Cli.Result install;
        try (Load plain = new Load("plain", plainJedis(master.port()))) {
            plain.awaitProgress(20);
            install = run("install", "--replication");
            plain.awaitProgress(20);
            assertThat(plain.failed()).as("plain writes failed during install: " + plain.errors()).isZero();
        }
        assertThat(install.exitCode()).as(install.toString()).isZero();
        assertThat(install.out()).contains("Created the group's root CA in " + caHome, "CN=redis-tls root CA orders",
                "Every sentinel reaches the others over TLS");
        assertThat(Files.exists(raceArm)).as("the race was made to happen").isFalse();
        assertThat(install.out()).as(install.out()).containsOnlyOnce("(Sentinel rewrote it from memory between our edit and"
                + " the restart): edited and restarted it again");
        assertThat(partialResyncs(install.out(), "port " + tlsPorts.get(0) + " over TLS")).as(install.out()).isEqualTo(2);
        // The master's own counters: two partial resyncs, no full one.
        assertThat(Long.parseLong(LocalGroup.info(master.port(), "stats", "sync_full"))).isEqualTo(fullBefore);
        assertThat(Long.parseLong(LocalGroup.info(master.port(), "stats", "sync_partial_ok"))).isEqualTo(partialBefore + 2);
        for (RedisServer r : group.replicas()) {
            assertThat(LocalGroup.info(r.port(), "replication", "master_port")).isEqualTo(String.valueOf(tlsPorts.get(0)));
            assertThat(LocalGroup.info(r.port(), "replication", "master_link_status")).isEqualTo("up");
            assertThat(Files.readString(r.conf())).contains("replicaof 127.0.0.1 " + tlsPorts.get(0) + "\n");
        }
        assertNoDataNodeRestarted();
        for (LocalGroup.Sentinel s : group.sentinels()) {
            assertThat(Files.readString(s.conf())).contains("tls-replication yes", "tls-port " + s.tlsPort(),
                    "sentinel monitor " + LocalGroup.MASTER_NAME + " 127.0.0.1 " + tlsPorts.get(0) + " 2");
        }
        // Each sentinel rejoined before the next restarted: its peers on TLS reach it, the others know its new port.
        assertThat(install.out()).contains("reaches 0 other sentinel(s) over TLS (2 still in plain text until their turn)",
                "reaches 2 other sentinel(s) over TLS; all know it at port " + group.sentinels().get(2).tlsPort());
    }

    @Test
    @Order(2)
    void statusSaysItAsJsonTableAndMetrics() throws Exception {
        Cli.Result status = run("status", "--json");
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
        Cli.Result table = run("status");
        assertThat(table.out()).contains("MEMBER", "link up 127.0.0.1:" + tlsPorts.get(0) + " over TLS", "over TLS (master)");

        Cli.Result metrics = run("status", "--format", "prometheus");
        assertThat(metrics.exitCode()).as(metrics.toString()).isZero();
        Processes.Output lint = Processes.run(metrics.out(), List.of("promtool", "check", "metrics"));
        assertThat(lint.exitCode()).as(lint.out()).isZero();
        List<String> handshakes = metrics.out().lines().filter(l -> l.startsWith("redis_tls_handshake_ok{")).toList();
        assertThat(handshakes).hasSize(6).allMatch(l -> l.endsWith(" 1.0") && l.contains("group=\"orders\""));
        assertThat(handshakes.stream().filter(l -> l.contains("role=\"master\""))).hasSize(1);
        assertThat(handshakes.stream().filter(l -> l.contains("role=\"replica\""))).hasSize(2);
        assertThat(handshakes.stream().filter(l -> l.contains("role=\"sentinel\""))).hasSize(3);
        Path prom = group.dir().resolve("group.prom");
        Cli.Result written = run("status", "--format", "prometheus", "--output", prom.toString());
        assertThat(written.exitCode()).as(written.toString()).isZero();
        assertThat(Files.readString(prom).lines().filter(l -> l.startsWith("redis_tls_handshake_ok{"))).hasSize(6);
    }

    @Test
    @Order(3)
    void addNodeSecuresANewReplicaAndAppendsItToTheInventory() throws Exception {
        RedisServer master = group.master();
        added = RedisServer.start("requirepass " + LocalGroup.PASSWORD + "\nmasterauth " + LocalGroup.PASSWORD
                + "\nreplicaof 127.0.0.1 " + master.port() + "\n");
        LocalGroup.await(() -> "up".equals(LocalGroup.info(added.port(), "replication", "master_link_status")), "new replica linked");
        confSha.put(added.conf(), sha256(Files.readAllBytes(added.conf())));
        pids.put(added, added.pid());
        addedTls = RedisServer.freePort();
        String before = Files.readString(inventory);
        Cli.Result add = run("add-node", "--conf", added.conf().toString(), "--keys-dir", added.dir().resolve("tls").toString(),
                "--tls-port", String.valueOf(addedTls), "--hostname", "localhost");
        assertThat(add.exitCode()).as(add.toString()).isZero();
        assertThat(add.out()).contains("nodes[3]", "secured as the group's masters are: dual, client certificates yes,"
                + " replication over TLS", "port " + tlsPorts.get(0) + " over TLS by partial resync",
                "Every sentinel lists the 3 replica(s), the new one included", "Added nodes[3] to " + inventory + " (line ");
        assertThat(LocalGroup.info(added.port(), "replication", "master_port")).isEqualTo(String.valueOf(tlsPorts.get(0)));
        assertThat(LocalGroup.info(added.port(), "replication", "master_link_status")).isEqualTo("up");
        // A lossless edit: the new entry before the sentinels, every other byte as it was.
        String entry = "  - conf: " + added.conf() + "\n    keys-dir: " + added.dir().resolve("tls") + "\n    tls-port: "
                + addedTls + "\n    hostname: localhost\n";
        assertThat(Files.readString(inventory)).isEqualTo(before.replace("sentinels:\n", entry + "sentinels:\n"));
        data.add(added);
        tlsPorts.add(addedTls);
        Cli.Result again = run("add-node", "--conf", added.conf().toString(), "--keys-dir", added.dir().resolve("tls").toString());
        assertThat(again.exitCode()).isEqualTo(2);
        assertThat(again.err()).contains("nodes[4].conf: the same node as nodes[3]");
    }

    @Test
    @Order(4)
    void tlsOnlyIsRefusedWhileAClientIsOnPlainTextThenClosesEveryPlainPortWithoutCuttingALink() throws Exception {
        RedisServer master = group.master();
        Map<Path, String> before = confShas();
        try (Load plain = new Load("plain", plainJedis(master.port()))) {
            plain.awaitProgress(5);
            Cli.Result refused = run("configure", "--tls-only", "--if-no-plaintext");
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
            assertThat(refused.err().strip()).startsWith("error: nodes[0]").contains("client(s) still on plain text port "
                    + master.port(), "(nothing was changed)").doesNotContain("\n");
            plain.awaitProgress(5);
            assertThat(plain.failed()).isZero();
        }
        assertThat(confShas()).as("nothing changed").isEqualTo(before);
        long full = Long.parseLong(LocalGroup.info(master.port(), "stats", "sync_full"));
        long partial = Long.parseLong(LocalGroup.info(master.port(), "stats", "sync_partial_ok"));

        Cli.Result tlsOnly;
        // A Sentinel-aware TLS client keeps writing while plain ports close and every sentinel restarts.
        try (Load viaSentinel = new Load("sentinel-tls", sentinelTlsClient())) {
            viaSentinel.awaitProgress(5);
            tlsOnly = run("configure", "--tls-only");
            viaSentinel.awaitProgress(5);
            assertThat(viaSentinel.failed()).as("failed writes of the Sentinel-aware TLS client: " + viaSentinel.errors()).isZero();
        }
        assertThat(tlsOnly.exitCode()).as(tlsOnly.toString()).isZero();
        String took = tlsOnly.out().lines().filter(l -> l.startsWith("Took ")).findFirst().orElseThrow();
        assertThat(took.indexOf("replicas: plain port closed")).as("replicas close before their master: " + took)
                .isPositive().isLessThan(took.indexOf("masters: plain port closed"));
        for (int i = 0; i < data.size(); i++) {
            assertThat(LocalGroup.cli(data.get(i).port(), "PING").out()).as("plain port closed").doesNotContain("PONG");
            assertThat(tlsCli(tlsPorts.get(i), "CONFIG", "GET", "port").out()).contains("port\n0");
        }
        for (int i = 1; i < data.size(); i++) {
            String repl = tlsCli(tlsPorts.get(i), "INFO", "replication").out();
            assertThat(repl).contains("master_port:" + tlsPorts.get(0), "master_link_status:up");
        }
        // No replication link was cut on the way: the master resynced no one.
        List<String> stats = tlsCli(tlsPorts.get(0), "INFO", "stats").out().lines().map(String::strip).toList();
        assertThat(stats).contains("sync_full:" + full, "sync_partial_ok:" + partial);
        for (LocalGroup.Sentinel s : group.sentinels()) {
            assertThat(Processes.run(null, List.of("redis-cli", "-p", String.valueOf(s.port()), "PING")).out())
                    .doesNotContain("PONG");
            assertThat(Files.readString(s.conf())).contains("\nport 0\n");
        }
        assertNoDataNodeRestarted();
    }

    @Test
    @Order(5)
    void reissueInTlsOnlyGivesEveryMemberANewCertificateLive() throws Exception {
        Map<Path, String> serverCerts = new LinkedHashMap<>();
        for (RedisServer r : data) {
            serverCerts.put(r.dir(), sha256(Files.readAllBytes(r.dir().resolve("tls/server/server.crt"))));
        }
        for (LocalGroup.Sentinel s : group.sentinels()) {
            serverCerts.put(s.dir(), sha256(Files.readAllBytes(s.dir().resolve("tls/server/server.crt"))));
        }
        String stats = tlsCli(tlsPorts.get(0), "INFO", "stats").out();
        Cli.Result reissue;
        try (Load viaSentinel = new Load("sentinel-tls", sentinelTlsClient())) {
            viaSentinel.awaitProgress(5);
            reissue = run("reissue");
            viaSentinel.awaitProgress(5);
            assertThat(viaSentinel.failed()).as("failed writes of the Sentinel-aware TLS client: " + viaSentinel.errors()).isZero();
        }
        assertThat(reissue.exitCode()).as(reissue.toString()).isZero();
        for (Path dir : serverCerts.keySet()) {
            assertThat(sha256(Files.readAllBytes(dir.resolve("tls/server/server.crt")))).as("new certificate in " + dir)
                    .isNotEqualTo(serverCerts.get(dir));
        }
        JsonNode rows = new ObjectMapper().readTree(run("status", "--json").out());
        for (JsonNode row : rows) {
            assertThat(row.get("live").get("servesFileCertificate").asBoolean()).as(row.toString()).isTrue();
        }
        assertThat(tlsCli(tlsPorts.get(0), "INFO", "stats").out().lines().filter(l -> l.startsWith("sync_")).toList())
                .as("no link resynced").isEqualTo(stats.lines().filter(l -> l.startsWith("sync_")).toList());
        assertNoDataNodeRestarted();
    }

    @Test
    @Order(6)
    void rootRolloverRollsThroughTheGroupWithOverlappingTrust() throws Exception {
        List<Path> dirs = new ArrayList<>();
        data.forEach(r -> dirs.add(r.dir()));
        group.sentinels().forEach(x -> dirs.add(x.dir()));
        String oldRoot = Files.readString(caHome.resolve("root.crt"));
        String stats = syncCounters();

        // begin: every member trusts old + new, while a Sentinel-aware TLS client of the old root keeps writing.
        Cli.Result begin;
        try (Load oldRootOnly = new Load("rotation-old-root", sentinelTlsClient())) {
            oldRootOnly.awaitProgress(5);
            begin = run("rotate", "begin");
            oldRootOnly.awaitProgress(5);
            assertThat(oldRootOnly.failed()).as("old-root client during begin: " + oldRootOnly.errors()).isZero();
        }
        assertThat(begin.exitCode()).as(begin.toString()).isZero();
        assertThat(begin.out()).contains("Began a root rollover in " + caHome, "Next: redis-tls group reissue");
        String newRoot = Files.readString(caHome.resolve("root.crt"));
        assertThat(newRoot).isNotEqualTo(oldRoot);
        for (Path dir : dirs) {
            for (String trust : List.of("tls/server/root.crt", "tls/client/root.crt")) {
                String roots = Files.readString(dir.resolve(trust));
                assertThat(roots).as(dir + "/" + trust).contains(oldRoot.strip(), newRoot.strip());
            }
        }

        // finish before reissue: refused, naming the members' leaves, nothing changed.
        Map<Path, String> before = confShas();
        Cli.Result early = run("rotate", "finish");
        assertThat(early.exitCode()).as(early.toString()).isEqualTo(1);
        assertThat(early.err().strip()).doesNotContain("\n").contains("nodes[0]", "sentinels[2]", "server.crt",
                "run 'redis-tls group reissue", "(nothing was changed)");
        assertThat(confShas()).isEqualTo(before);
        assertThat(Files.readString(group.master().dir().resolve("tls/server/root.crt"))).contains(oldRoot.strip());

        // reissue: leaves from the new root; a client holding both roots (the bundle as it is now) writes throughout.
        Cli.Result reissue;
        try (Load bothRoots = new Load("rotation-both-roots", sentinelTlsClient())) {
            bothRoots.awaitProgress(5);
            reissue = run("reissue");
            bothRoots.awaitProgress(5);
            assertThat(bothRoots.failed()).as("both-roots client during reissue: " + bothRoots.errors()).isZero();
        }
        assertThat(reissue.exitCode()).as(reissue.toString()).isZero();

        // finish: the new root alone everywhere, the old one gone from the CA home.
        Cli.Result finish = run("rotate", "finish");
        assertThat(finish.exitCode()).as(finish.toString()).isZero();
        assertThat(finish.out()).contains("Retired the old root");
        for (Path dir : dirs) {
            for (String trust : List.of("tls/server/root.crt", "tls/client/root.crt")) {
                assertThat(Files.readString(dir.resolve(trust)).strip()).as(dir + "/" + trust).isEqualTo(newRoot.strip());
            }
        }
        // The new bundle works over a Sentinel-aware client; a client holding only the old root is refused.
        try (Load newRootOnly = new Load("rotation-new-root", sentinelTlsClient())) {
            newRootOnly.awaitProgress(20);
            assertThat(newRootOnly.failed()).as(newRootOnly.errors().toString()).isZero();
        }
        Path oldRootFile = group.master().dir().resolve("old-root.crt");
        Files.writeString(oldRootFile, oldRoot);
        Processes.Output refused = Processes.run(null, Map.of("REDISCLI_AUTH", LocalGroup.PASSWORD), List.of("redis-cli",
                "--tls", "-p", String.valueOf(tlsPorts.get(0)), "--cacert", oldRootFile.toString(), "--cert",
                group.master().dir().resolve("tls/client/client.crt").toString(), "--key",
                group.master().dir().resolve("tls/client/client.key").toString(), "PING"));
        assertThat(refused.out()).doesNotContain("PONG");
        // No replication link was cut through the whole rollover.
        assertThat(syncCounters()).as("the master's resync counters").isEqualTo(stats);
        for (int i = 1; i < data.size(); i++) {
            assertThat(tlsCli(tlsPorts.get(i), "INFO", "replication").out()).contains("master_port:" + tlsPorts.get(0),
                    "master_link_status:up");
        }
        assertNoDataNodeRestarted();
    }

    private String syncCounters() {
        return tlsCli(tlsPorts.get(0), "INFO", "stats").out().lines().map(String::strip)
                .filter(l -> l.startsWith("sync_full") || l.startsWith("sync_partial")).toList().toString();
    }

    @Test
    @Order(7)
    void uninstallFromTlsOnlyRestoresEveryConfigAndPlainReplication() throws Exception {
        RedisServer master = group.master();
        Files.createFile(raceArm);
        Cli.Result uninstall = run("uninstall");
        assertThat(uninstall.exitCode()).as(uninstall.toString()).isZero();
        assertThat(Files.exists(raceArm)).isFalse();
        assertThat(uninstall.out()).containsOnlyOnce("edited and restarted it again");
        String took = uninstall.out().lines().filter(l -> l.startsWith("Took ")).findFirst().orElseThrow();
        assertThat(took).contains("masters: plain port reopened", "replicas: plain port reopened", "sentinels");
        assertThat(partialResyncs(uninstall.out(), "port " + master.port() + " in plain text")).as(uninstall.out()).isEqualTo(3);
        for (RedisServer r : data) {
            assertThat(sha256(Files.readAllBytes(r.conf()))).as("byte for byte: " + r.conf()).isEqualTo(confSha.get(r.conf()));
            assertThat(Files.exists(r.dir().resolve("tls"))).isFalse();
        }
        for (RedisServer r : data.subList(1, data.size())) {
            assertThat(LocalGroup.info(r.port(), "replication", "master_port")).isEqualTo(String.valueOf(master.port()));
            assertThat(LocalGroup.info(r.port(), "replication", "master_link_status")).isEqualTo("up");
        }
        for (LocalGroup.Sentinel s : group.sentinels()) {
            String conf = Files.readString(s.conf());
            assertThat(conf.lines().filter(l -> l.startsWith("tls-"))).as(conf).isEmpty();
            assertThat(conf).contains("\nport " + s.port() + "\n", "sentinel monitor " + LocalGroup.MASTER_NAME
                    + " 127.0.0.1 " + master.port() + " 2");
            // Replicas are known at their plain ports only: none was ever learned at a TLS port that is now closed.
            for (RedisServer r : data.subList(1, data.size())) {
                assertThat(conf).contains("sentinel known-replica " + LocalGroup.MASTER_NAME + " 127.0.0.1 " + r.port() + "\n");
            }
            for (int port : tlsPorts) {
                assertThat(conf).doesNotContain("127.0.0.1 " + port + "\n");
            }
        }
        assertThat(uninstall.out()).contains("Sentinel itself rewrote");
        assertNoDataNodeRestarted();
    }

    /**
     * A Sentinel-aware client over TLS only, as an application would be configured with the exported client bundle:
     * it asks the sentinels at their TLS ports for the master and writes to the master's TLS port.
     */
    private JedisSentineled sentinelTlsClient() throws Exception {
        Path keys = group.master().dir().resolve("tls/client");
        // Every root of the bundle: two during a root rollover.
        SSLContext tls = TlsContexts.create(Pem.readCertificates(keys.resolve("root.crt")),
                Pem.readCertificate(keys.resolve("client.crt")), Pem.readPrivateKey(keys.resolve("client.key")));
        Set<HostAndPort> sentinelTls = new HashSet<>();
        group.sentinels().forEach(s -> sentinelTls.add(new HostAndPort("127.0.0.1", s.tlsPort())));
        DefaultJedisClientConfig master = DefaultJedisClientConfig.builder().password(LocalGroup.PASSWORD).ssl(true)
                .sslSocketFactory(tls.getSocketFactory()).connectionTimeoutMillis(2000).socketTimeoutMillis(2000).build();
        DefaultJedisClientConfig sentinel = DefaultJedisClientConfig.builder().ssl(true)
                .sslSocketFactory(tls.getSocketFactory()).connectionTimeoutMillis(2000).socketTimeoutMillis(2000).build();
        return new JedisSentineled(LocalGroup.MASTER_NAME, master, sentinelTls, sentinel);
    }

    @Test
    @Order(8)
    void afterInstallAFailoverRunsEntirelyOverTls() throws Exception {
        Cli.Result install = run("install", "--replication");
        assertThat(install.exitCode()).as(install.toString()).isZero();
        int replicas = data.size() - 1;
        Path keys = group.master().dir().resolve("tls/client");
        Set<String> written = java.util.concurrent.ConcurrentHashMap.newKeySet();
        AtomicLong longestGapMs = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        int oldMasterTls = tlsPorts.get(0);
        try (JedisSentineled client = sentinelTlsClient()) {
            assertThat(client.getCurrentMaster().getPort()).as("discovered over TLS, at the TLS port").isEqualTo(oldMasterTls);
            Thread writer = new Thread(() -> {
                long lastOk = System.nanoTime();
                for (int i = 0; running.get() && i < 1_000_000; i++) {
                    try {
                        client.set("fo:" + i, "v" + i);
                        // Acknowledged = on every replica too: Sentinel's failover is asynchronous, and a write the old
                        // master took after the promotion is discarded by Redis, with or without TLS.
                        if (client.waitReplicas("fo:" + i, replicas, 200) < replicas) {
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
            assertThat(newMasterTls).as("the new master is announced at its TLS port").isIn(tlsPorts.subList(1, tlsPorts.size()));
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
        RedisServer newMaster = data.stream().filter(r -> "master".equals(LocalGroup.info(r.port(), "replication", "role")))
                .findFirst().orElseThrow();
        String masterOffset = LocalGroup.info(newMaster.port(), "replication", "master_repl_offset");
        for (RedisServer r : data) {
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
        assertNoDataNodeRestarted();
    }

    @Test
    @Order(9)
    void uninstallAfterAFailoverFollowsTheNewRoles() throws Exception {
        Cli.Result uninstall = run("uninstall");
        assertThat(uninstall.exitCode()).as(uninstall.toString()).isZero();
        RedisServer newMaster = data.stream().filter(r -> "master".equals(LocalGroup.info(r.port(), "replication", "role")))
                .findFirst().orElseThrow();
        for (RedisServer r : data) {
            assertThat(Files.readString(r.conf()).lines().filter(l -> l.startsWith("tls-"))).isEmpty();
            if (r != newMaster) {
                assertThat(LocalGroup.info(r.port(), "replication", "master_port")).isEqualTo(String.valueOf(newMaster.port()));
                assertThat(LocalGroup.info(r.port(), "replication", "master_link_status")).isEqualTo("up");
            }
        }
        assertThat(partialResyncs(uninstall.out(), "port " + newMaster.port() + " in plain text")).as(uninstall.out())
                .isEqualTo(data.size() - 1);
    }

    /**
     * How many replicas the report says moved to {@code where} ("port 6380 over TLS") by partial resync: links moved
     * at the same time share a line (and the master's counters).
     */
    static long partialResyncs(String out, String where) {
        return out.lines().filter(l -> l.contains(": replication moved to ") && l.contains(" " + where + " ")
                        && (l.contains(" by partial resync ") || l.contains(" each by partial resync ")))
                .mapToLong(l -> l.substring(0, l.indexOf(": replication moved to ")).split("nodes\\[", -1).length - 1).sum();
    }

    void assertNoDataNodeRestarted() {
        pids.forEach((r, pid) -> {
            assertThat(r.pid()).as("data node never restarted: " + r.conf()).isEqualTo(pid);
            assertThat(r.isAlive()).isTrue();
        });
    }

    Map<Path, String> confShas() throws Exception {
        Map<Path, String> out = new LinkedHashMap<>();
        for (RedisServer r : data) {
            out.put(r.conf(), sha256(Files.readAllBytes(r.conf())));
        }
        for (LocalGroup.Sentinel s : group.sentinels()) {
            out.put(s.conf(), sha256(Files.readAllBytes(s.conf())));
        }
        return out;
    }

    /** redis-cli over mutual TLS with the master's client certificate (every member trusts the group's root). */
    Processes.Output tlsCli(int port, String... args) {
        Path keys = group.master().dir().resolve("tls/client");
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "--tls", "-p", String.valueOf(port), "--cacert",
                keys.resolve("root.crt").toString(), "--cert", keys.resolve("client.crt").toString(), "--key",
                keys.resolve("client.key").toString()));
        cmd.addAll(List.of(args));
        return Processes.run(null, Map.of("REDISCLI_AUTH", LocalGroup.PASSWORD), cmd);
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
