package dev.redistls.group;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.redistls.testing.Cli;
import dev.redistls.testing.LocalGroup;
import dev.redistls.testing.Processes;
import dev.redistls.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Regions: group "orders" in region east (its master), the root exported from east's CA home and imported into
 * west's, group install there; a west node then replicates across regions from east's master over mutual TLS
 * (east requires client certificates, the west node presents its own, issued in west). A third region, south,
 * made its own root instead: its node cannot replicate from east (it refuses east's certificate, and even made to
 * trust east's root it is refused by east for its own: mutual TLS on the link), and {@code group status} says why,
 * by a handshake from the node's host with its certificate.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GroupRegionsIT {
    Path dir;
    RedisServer east;
    RedisServer west;
    RedisServer south;
    int eastTls;
    int westTls;
    int southTls;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("redis-tls-regions-");
        String auth = "requirepass " + LocalGroup.PASSWORD + "\nmasterauth " + LocalGroup.PASSWORD + "\n";
        east = RedisServer.prepare(auth);
        west = RedisServer.prepare(auth);
        south = RedisServer.prepare(auth);
        List.of(east, west, south).parallelStream().forEach(RedisServer::start);
        eastTls = RedisServer.freePort();
        westTls = RedisServer.freePort();
        southTls = RedisServer.freePort();
    }

    @AfterAll
    void stop() {
        for (RedisServer r : new RedisServer[] {east, west, south}) {
            if (r != null) {
                r.close();
            }
        }
        if (dir != null) {
            Processes.run(null, List.of("rm", "-rf", dir.toString()));
        }
    }

    Path inventory(String region, String name, RedisServer node, int tlsPort) throws Exception {
        Path file = dir.resolve(region + ".yaml");
        Files.writeString(file, "# region " + region + "\nname: " + name + "\nca-home: " + dir.resolve(region + "-ca") + "\n"
                + "defaults:\n  auth-clients: yes\n  replication: yes\n"
                + "nodes:\n  - conf: " + node.conf() + "\n    keys-dir: " + node.dir().resolve("tls") + "\n    tls-port: "
                + tlsPort + "\n    hostname: localhost\n");
        return file;
    }

    @Test
    void aCrossRegionReplicaReplicatesOverMutualTlsAndAnotherRootCannot() throws Exception {
        Path eastInv = inventory("east", "orders", east, eastTls);
        Cli.Result eastInstall = Cli.run("group", "install", "--inventory", eastInv.toString(), "--firewall", "none");
        assertThat(eastInstall.exitCode()).as(eastInstall.toString()).isZero();

        Path password = dir.resolve("bundle.pass");
        Files.writeString(password, "regions-bundle-pass\n");
        Path bundle = dir.resolve("orders-root.p12");
        Cli.Result export = Cli.run("ca", "export", "--ca-home", dir.resolve("east-ca").toString(), "--out", bundle.toString(),
                "--password-file", password.toString());
        assertThat(export.exitCode()).as(export.toString()).isZero();
        Cli.Result imported = Cli.run("ca", "import", bundle.toString(), "--ca-home", dir.resolve("west-ca").toString(),
                "--password-file", password.toString());
        assertThat(imported.exitCode()).as(imported.toString()).isZero();
        Path westInv = inventory("west", "orders-west", west, westTls);
        Cli.Result westInstall = Cli.run("group", "install", "--inventory", westInv.toString(), "--firewall", "none");
        assertThat(westInstall.exitCode()).as(westInstall.toString()).isZero();
        assertThat(westInstall.out()).contains("Using the root CA in " + dir.resolve("west-ca") + ": CN=redis-tls root CA orders",
                "(group orders's root, shared with this group: nodes of both trust each other)");
        assertThat(Files.exists(dir.resolve("west-ca/root.key"))).isTrue();

        // The operator links west to east across regions, at east's TLS port: west presents its node certificate.
        east("SET", "region-key", "from-east");
        assertThat(cli(west.port(), "REPLICAOF", "127.0.0.1", String.valueOf(eastTls)).out()).contains("OK");
        LocalGroup.await(() -> "up".equals(LocalGroup.info(west.port(), "replication", "master_link_status")),
                "west replicating from east over TLS");
        assertThat(cli(west.port(), "GET", "region-key").out().strip()).isEqualTo("from-east");
        // East saw a replica on its TLS port, where client certificates are required.
        String clients = east("CLIENT", "LIST").out();
        assertThat(clients.lines().filter(l -> l.contains(" flags=S ") && l.contains("laddr=127.0.0.1:" + eastTls + " ")))
                .as(clients).hasSize(1);
        assertThat(east("CONFIG", "GET", "tls-auth-clients").out()).contains("yes");
        JsonNode westStatus = new ObjectMapper().readTree(Cli.run("group", "status", "--inventory", westInv.toString(), "--json").out());
        assertThat(westStatus.get(0).get("role").asText()).isEqualTo("replica");
        assertThat(westStatus.get(0).get("replication").get("masterLink").asText()).isEqualTo("up");
        assertThat(westStatus.get(0).get("replication").get("overTls").asBoolean()).isTrue();

        // South made its own root: east does not trust its node, nor it east.
        Path southInv = inventory("south", "orders-south", south, southTls);
        Cli.Result southInstall = Cli.run("group", "install", "--inventory", southInv.toString(), "--firewall", "none");
        assertThat(southInstall.exitCode()).as(southInstall.toString()).isZero();
        assertThat(southInstall.out()).contains("Created the group's root CA in " + dir.resolve("south-ca"));
        assertThat(cli(south.port(), "REPLICAOF", "127.0.0.1", String.valueOf(eastTls)).out()).contains("OK");
        LocalGroup.await(() -> south.log().contains("certificate verify failed"), "south's handshake refused");
        assertThat(LocalGroup.info(south.port(), "replication", "master_link_status")).isEqualTo("down");
        Cli.Result southStatus = Cli.run("group", "status", "--inventory", southInv.toString());
        assertThat(southStatus.out()).as(southStatus.out()).contains("link down 127.0.0.1:" + eastTls + " plain: a TLS handshake"
                + " from this machine to 127.0.0.1:" + eastTls + " with the replica's certificate from " + south.dir().resolve("tls")
                + " fails: ", "both nodes need certificates from one root");
        // Mutual TLS: even trusting east's root, south's node is refused by east for the certificate it presents.
        String southLogBefore = south.log();
        String eastLogBefore = east.log();
        assertThat(cli(south.port(), "CONFIG", "SET", "tls-ca-cert-file", east.dir().resolve("tls/server/root.crt").toString())
                .out()).contains("OK");
        // Each in Redis's own words: east did not verify the certificate south presented, and told south so.
        LocalGroup.await(() -> south.log().substring(southLogBefore.length()).contains("tlsv1 alert unknown ca")
                && east.log().substring(eastLogBefore.length()).contains("Error accepting a client connection: error:0A000086:SSL"
                + " routines::certificate verify failed"), "east refusing south's certificate");
        assertThat(LocalGroup.info(south.port(), "replication", "master_link_status")).isEqualTo("down");
        assertThat(cli(south.port(), "GET", "region-key").out().strip()).isEmpty();
    }

    static Processes.Output cli(int port, String... args) {
        return LocalGroup.cli(port, args);
    }

    Processes.Output east(String... args) {
        return cli(east.port(), args);
    }
}
