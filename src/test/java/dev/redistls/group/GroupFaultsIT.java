package dev.redistls.group;

import dev.redistls.testing.Cli;
import dev.redistls.testing.LocalGroup;
import dev.redistls.testing.Processes;
import dev.redistls.testing.RedisServer;
import dev.redistls.testing.Tool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Faults around a group rollout on this machine (1 master + 2 replicas + 3 sentinels), each a one-line error with
 * nothing half-done, and the same command run again finishing the job:
 * <ul>
 *   <li>a node down, and a replica whose master is not in the inventory: refused before anything is touched;</li>
 *   <li>the tool killed (SIGKILL) twice in the middle of {@code group install} (once in the replicas' phase, once
 *       while a sentinel restarts); the third run ends with the group fully installed;</li>
 *   <li>a sentinel that does not rejoin in time during {@code group uninstall}: put back, the rollout stopped; the
 *       rerun finishes, every redis.conf byte for byte;</li>
 *   <li>a failover ({@code SENTINEL FAILOVER}) while {@code group install} is under way (the tool frozen with
 *       SIGSTOP right after the master's change, thawed once a replica is master): the rollout stops saying so,
 *       and the rerun installs the group in its new roles.</li>
 * </ul>
 * The tool runs as its own process ({@link Tool}) where it is killed or frozen.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GroupFaultsIT {
    LocalGroup group;
    Path inventory;
    Path caHome;
    Path control;
    List<Integer> tlsPorts = new ArrayList<>();
    Map<Path, String> confSha = new LinkedHashMap<>();

    @BeforeAll
    void start() throws Exception {
        group = LocalGroup.start(2, 3);
        caHome = group.dir().resolve("ca");
        for (int i = 0; i < 3; i++) {
            tlsPorts.add(RedisServer.freePort());
        }
        inventory = group.writeInventory(group.dir().resolve("faults.yaml"), "faults", caHome, tlsPorts, "auth-clients: yes\n");
        // Sentinel 1 restarts through a script the test steers: it says when it runs, can hold until told to go on,
        // and can start the sentinel announcing a port nobody reaches it at (so that it cannot rejoin).
        control = Files.createDirectory(group.dir().resolve("control"));
        LocalGroup.Sentinel s1 = group.sentinels().get(1);
        Path steered = group.dir().resolve("steered-restart");
        Files.writeString(steered, """
                #!/bin/sh
                # $1 control dir, $2 sentinel.conf, $3 its pid file
                d=$1; conf=$2; pidfile=$3
                touch "$d/reached"
                if [ -e "$d/hold" ]; then
                  rm -f "$d/hold"
                  i=0
                  while [ ! -e "$d/go" ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i + 1)); done
                  rm -f "$d/go"
                fi
                extra=""
                if [ -e "$d/no-rejoin" ]; then rm -f "$d/no-rejoin"; extra="--sentinel announce-port 1"; fi
                if [ -s "$pidfile" ]; then
                  pid=$(cat "$pidfile")
                  if kill "$pid" 2>/dev/null; then
                    while kill -0 "$pid" 2>/dev/null; do sleep 0.02; done
                  fi
                fi
                exec redis-server "$conf" --sentinel --daemonize yes $extra
                """);
        Files.setAttribute(steered, "unix:mode", 0755);
        Files.writeString(inventory, Files.readString(inventory).replace("restart-command: " + s1.restartCommand(),
                "restart-command: " + steered + " " + control + " " + s1.conf() + " " + s1.pidFile()));
        for (RedisServer r : group.dataNodes()) {
            confSha.put(r.conf(), GroupLocalIT.sha256(Files.readAllBytes(r.conf())));
        }
    }

    @AfterAll
    void stop() {
        if (group != null) {
            group.close();
        }
    }

    String[] args(String... args) {
        return GroupLocalIT.group(inventory, args);
    }

    @Test
    @Order(1)
    void aNodeDownIsRefusedBeforeAnythingIsTouched() throws Exception {
        RedisServer replica = group.replicas().get(1);
        replica.stop();
        try {
            Cli.Result r = Cli.run(args("install", "--replication"));
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            assertThat(r.err().strip()).doesNotContain("\n").startsWith("error: nodes[2] (" + replica.conf())
                    .contains("is down", "a group change needs every node running (start it, then run the same command again)");
        } finally {
            replica.start();
        }
        group.awaitReplicasUp();
        assertNothingInstalled();
    }

    @Test
    @Order(2)
    void aReplicaWhoseMasterIsNotInTheInventoryIsRefused() throws Exception {
        String text = Files.readString(inventory);
        String masterEntry = text.substring(text.indexOf("  - conf: " + group.master().conf()), text.indexOf("  - conf: "
                + group.replicas().get(0).conf()));
        Path partial = group.dir().resolve("no-master.yaml");
        Files.writeString(partial, text.replace(masterEntry, ""));
        Cli.Result r = Cli.run(GroupLocalIT.group(partial, "install", "--replication"));
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err().strip()).doesNotContain("\n").startsWith("error: nodes[0] (" + group.replicas().get(0).conf())
                .contains("replicates from 127.0.0.1:" + group.master().port() + ", which is not a node of this inventory");
        assertNothingInstalled();
    }

    @Test
    @Order(3)
    void killedTwiceInTheMiddleOfInstallTheThirdRunFinishes() throws Exception {
        // Killed as soon as a replica's install record lands: its files are written, its live change maybe not.
        Path replicaRecord = group.replicas().get(0).dir().resolve("tls/install.json");
        Process first = Tool.start(Map.of(), List.of(), args("install", "--replication"));
        LocalGroup.await(() -> Files.exists(replicaRecord) || !first.isAlive(), "a replica's install record");
        killOrExplain(first);

        // Killed while sentinel 1's restart command runs: the command goes on alone and restarts it on the new file.
        Files.createFile(control.resolve("hold"));
        Files.deleteIfExists(control.resolve("reached"));
        Process second = Tool.start(Map.of(), List.of(), args("install", "--replication"));
        LocalGroup.await(() -> Files.exists(control.resolve("reached")) || !second.isAlive(), "sentinel 1's restart");
        killOrExplain(second);
        LocalGroup.Sentinel s1 = group.sentinels().get(1);
        long before = s1.pid();
        Files.createFile(control.resolve("go"));
        LocalGroup.await(() -> s1.pid() != before && Processes.run(null, List.of("redis-cli", "-p", String.valueOf(s1.port()),
                "PING")).out().contains("PONG"), "sentinel 1 restarted by its orphaned restart command");

        Cli.Result third = Tool.run(args("install", "--replication"));
        assertThat(third.exitCode()).as(third.toString()).isZero();
        assertThat(third.out()).contains("Every sentinel reaches the others over TLS");
        RedisServer master = group.master();
        for (RedisServer r : group.replicas()) {
            assertThat(LocalGroup.info(r.port(), "replication", "master_port")).isEqualTo(String.valueOf(tlsPorts.get(0)));
            assertThat(LocalGroup.info(r.port(), "replication", "master_link_status")).isEqualTo("up");
        }
        for (LocalGroup.Sentinel s : group.sentinels()) {
            assertThat(Processes.run(null, List.of("redis-cli", "-p", String.valueOf(s.port()), "SENTINEL", "GET-MASTER-ADDR-BY-NAME",
                    LocalGroup.MASTER_NAME)).out()).contains(String.valueOf(tlsPorts.get(0)));
            assertThat(Files.readString(s.conf())).contains("tls-port " + s.tlsPort());
        }
        assertThat(Files.readString(master.conf())).contains("tls-port " + tlsPorts.get(0));
    }

    @Test
    @Order(4)
    void aSentinelThatDoesNotRejoinInTimeIsPutBackAndTheRerunFinishes() throws Exception {
        LocalGroup.Sentinel s1 = group.sentinels().get(1);
        Files.createFile(control.resolve("no-rejoin"));
        Cli.Result stopped = Cli.run(args("uninstall", "--rejoin-timeout", "3"));
        assertThat(stopped.exitCode()).as(stopped.toString()).isEqualTo(1);
        assertThat(stopped.err().strip()).doesNotContain("\n")
                .startsWith("error: the rollout stopped: sentinels: sentinels[1] (" + s1.conf())
                .contains("did not rejoin within 3 s", "knows it at port 1, not yet at " + s1.port(),
                        "the files are back as they were and the node was restarted on them");
        assertThat(stopped.out()).contains("sentinels[1] (" + s1.conf(), "old: its change failed and was undone");
        assertThat(stopped.out().lines().filter(l -> l.startsWith("  sentinels[2] ("))).singleElement().asString()
                .endsWith("old: not reached by this run");
        assertThat(stopped.out().lines().filter(l -> l.startsWith("  nodes[0] ("))).singleElement().asString()
                .endsWith("old: not reached by this run");
        assertThat(Files.readString(s1.conf())).as("back on its TLS file").contains("tls-port " + s1.tlsPort());
        assertThat(Files.exists(group.master().dir().resolve("tls/install.json"))).isTrue();

        Cli.Result rerun = Cli.run(args("uninstall"));
        assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
        for (RedisServer r : group.dataNodes()) {
            assertThat(GroupLocalIT.sha256(Files.readAllBytes(r.conf()))).as("byte for byte: " + r.conf()).isEqualTo(confSha.get(r.conf()));
        }
        for (LocalGroup.Sentinel s : group.sentinels()) {
            assertThat(Files.readString(s.conf()).lines().filter(l -> l.startsWith("tls-"))).isEmpty();
        }
    }

    @Test
    @Order(5)
    void aFailoverDuringInstallStopsItAndTheRerunFollowsTheNewRoles() throws Exception {
        RedisServer oldMaster = group.master();
        Path masterRecord = oldMaster.dir().resolve("tls/install.json");
        Process install = Tool.start(Map.of(), List.of(), args("install", "--replication"));
        LocalGroup.await(() -> Files.exists(masterRecord) || !install.isAlive(), "the master's install record");
        Processes.must("kill", "-STOP", String.valueOf(install.pid()));
        RedisServer newMaster;
        try {
            Processes.Output failover = Processes.run(null, List.of("redis-cli", "-p",
                    String.valueOf(group.sentinels().get(0).port()), "SENTINEL", "FAILOVER", LocalGroup.MASTER_NAME));
            assertThat(failover.out()).contains("OK");
            LocalGroup.await(() -> group.replicas().stream().anyMatch(r -> "master".equals(LocalGroup.info(r.port(),
                    "replication", "role"))), "a replica promoted");
            newMaster = group.replicas().stream().filter(r -> "master".equals(LocalGroup.info(r.port(), "replication", "role")))
                    .findFirst().orElseThrow();
        } finally {
            Processes.must("kill", "-CONT", String.valueOf(install.pid()));
        }
        Cli.Result stopped = Tool.finish(install);
        assertThat(stopped.exitCode()).as(stopped.toString()).isEqualTo(1);
        assertThat(stopped.err().strip()).doesNotContain("\n").startsWith("error: the rollout stopped: ").contains("failover");
        assertThat(stopped.out().lines().filter(l -> l.startsWith("  nodes[0] ("))).singleElement().asString()
                .endsWith("new as far as this run went (masters)");

        // Sentinel makes the old master a replica of the new one, at its plain port; the old master already has
        // tls-replication yes, so that link cannot come up until the rerun moves it to the new master's TLS port.
        LocalGroup.await(() -> "slave".equals(LocalGroup.info(oldMaster.port(), "replication", "role")), "old master demoted");
        Cli.Result rerun = Cli.run(args("install", "--replication"));
        assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
        int newMasterTls = tlsPorts.get(group.dataNodes().indexOf(newMaster));
        for (RedisServer r : group.dataNodes()) {
            if (r != newMaster) {
                assertThat(LocalGroup.info(r.port(), "replication", "master_port")).as(rerun.out()).isEqualTo(String.valueOf(newMasterTls));
                assertThat(LocalGroup.info(r.port(), "replication", "master_link_status")).isEqualTo("up");
            }
        }
        for (LocalGroup.Sentinel s : group.sentinels()) {
            assertThat(Processes.run(null, List.of("redis-cli", "-p", String.valueOf(s.port()), "SENTINEL",
                    "GET-MASTER-ADDR-BY-NAME", LocalGroup.MASTER_NAME)).out()).contains(String.valueOf(newMasterTls));
        }
    }

    /** SIGKILL; a run that ended by itself before the moment it was to be killed at fails the test with its output. */
    static void killOrExplain(Process p) throws InterruptedException {
        if (!p.isAlive()) {
            throw new AssertionError("the run ended before it could be killed: " + Tool.finish(p));
        }
        p.destroyForcibly().waitFor();
    }

    void assertNothingInstalled() throws Exception {
        for (RedisServer r : group.dataNodes()) {
            assertThat(GroupLocalIT.sha256(Files.readAllBytes(r.conf()))).isEqualTo(confSha.get(r.conf()));
            assertThat(Files.exists(r.dir().resolve("tls"))).isFalse();
        }
        for (LocalGroup.Sentinel s : group.sentinels()) {
            assertThat(Files.exists(s.dir().resolve("tls"))).isFalse();
        }
        assertThat(Files.exists(caHome)).as("no root made").isFalse();
    }
}
