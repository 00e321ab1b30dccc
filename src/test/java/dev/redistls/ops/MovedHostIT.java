package dev.redistls.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.redistls.pki.CertInfo;
import dev.redistls.pki.Pem;
import dev.redistls.testing.Cli;
import dev.redistls.testing.SimulatedHost;
import dev.redistls.testing.SimulatedHosts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A host that moved: a simulated host (its own network namespace, sshd and redis-server) loses the address its
 * certificate was issued for and gets another. {@code status} and {@code doctor} say so, the metric drops to 0,
 * {@code renew} reissues for the current addresses live (openssl inside the host verifies the new address), and
 * {@code reissue --refresh-names} drops the address the host no longer has.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MovedHostIT {
    static final String OLD = "198.51.100.7";
    static final String NEW = "198.51.100.8";

    SimulatedHosts hosts;
    SimulatedHost node;
    Path tmp;

    @BeforeAll
    void start() throws Exception {
        hosts = SimulatedHosts.create();
        node = hosts.start("moved");
        tmp = Files.createTempDirectory("redis-tls-moved-");
    }

    @AfterAll
    void stop() {
        hosts.close();
        dev.redistls.testing.Processes.run(null, List.of("rm", "-rf", tmp.toString()));
    }

    @Test
    void doctorReportsTheMoveAndRenewReissuesForTheCurrentAddressesLive() throws Exception {
        node.must("ip", "addr", "add", OLD + "/32", "dev", "eth0");
        Cli.Result install = run("install", "--ca-home", tmp.resolve("ca").toString(), "--firewall", "none");
        assertThat(install.exitCode()).as(install.toString()).isZero();
        assertThat(CertInfo.sans(serverCert())).contains("IP:" + OLD, "IP:" + node.address(), "DNS:" + node.name());
        assertThat(run("doctor", "--ca-home", tmp.resolve("ca").toString()).out())
                .contains("[ok] server certificate names this host and its addresses");

        // The move: the old address goes, a new one comes.
        node.must("ip", "addr", "del", OLD + "/32", "dev", "eth0");
        node.must("ip", "addr", "add", NEW + "/32", "dev", "eth0");

        Cli.Result doctor = run("doctor", "--ca-home", tmp.resolve("ca").toString());
        assertThat(doctor.exitCode()).isEqualTo(1);
        assertThat(doctor.out()).contains("[FAIL] server certificate names this host and its addresses (missing: " + NEW
                + "; no longer the host's: " + OLD + " (the host moved?))", "fix: redis-tls renew ");
        JsonNode names = new ObjectMapper().readTree(run("status", "--json").out()).get("names");
        assertThat(names.get("missing").toString()).isEqualTo("[\"" + NEW + "\"]");
        assertThat(names.get("stale").toString()).isEqualTo("[\"" + OLD + "\"]");
        assertThat(run("status").out()).contains("names:     the server certificate lacks this host's current " + NEW);
        assertThat(run("status", "--format", "prometheus").out()).containsPattern("redis_tls_certificate_names_match_host\\{[^}]*} 0\\.0");
        assertThat(verifiesAs(NEW)).isFalse();

        String before = CertInfo.sha256(serverCert());
        Cli.Result renew = run("renew", "--ca-home", tmp.resolve("ca").toString());
        assertThat(renew.exitCode()).as(renew.toString()).isZero();
        assertThat(renew.out()).contains("Issued a new server certificate", "names added: IP:" + NEW, "Reloaded live",
                "[ok] served certificate is the file's", "lacked the host's current " + NEW);
        assertThat(renew.out()).doesNotContain("Issued a new client certificate");
        X509Certificate renewed = serverCert();
        assertThat(CertInfo.sha256(renewed)).isNotEqualTo(before);
        assertThat(CertInfo.sans(renewed)).contains("IP:" + NEW, "IP:" + OLD, "IP:" + node.address());
        assertThat(verifiesAs(NEW)).isTrue();
        assertThat(run("doctor", "--ca-home", tmp.resolve("ca").toString()).out())
                .contains("[ok] server certificate names this host and its addresses");
        assertThat(run("renew", "--ca-home", tmp.resolve("ca").toString()).out()).startsWith("Nothing to renew");

        Cli.Result refresh = run("reissue", "--server", "--refresh-names", "--ca-home", tmp.resolve("ca").toString());
        assertThat(refresh.exitCode()).as(refresh.toString()).isZero();
        assertThat(refresh.out()).contains("names dropped: IP:" + OLD);
        assertThat(CertInfo.sans(serverCert())).contains("IP:" + NEW, "DNS:" + node.fqdn()).doesNotContain("IP:" + OLD);
        assertThat(verifiesAs(OLD)).isFalse();
        assertThat(verifiesAs(NEW)).isTrue();
        assertThat(run("reissue", "--refresh-names", "--keep-names").exitCode()).isEqualTo(2);
    }

    /** openssl inside the host: does the served certificate verify for {@code ip}? */
    private boolean verifiesAs(String ip) {
        String keys = node.path("/etc/redis/tls").toString();
        String out = node.execWithInput("", "openssl", "s_client", "-connect", "127.0.0.1:6380", "-CAfile",
                keys + "/client/root.crt", "-verify_ip", ip, "-verify_return_error", "-brief").out();
        return out.contains("Verification: OK");
    }

    private X509Certificate serverCert() {
        return Pem.parseCertificates(node.must("cat", node.path("/etc/redis/tls/server/server.crt").toString()), "server.crt").get(0);
    }

    private Cli.Result run(String command, String... args) {
        List<String> all = new ArrayList<>(List.of(command, "--host", node.alias(), "--ssh-config", hosts.sshConfig().toString(),
                "--conf", node.redisConf().toString(), "--keys-dir", node.path("/etc/redis/tls").toString()));
        all.addAll(List.of(args));
        return Cli.run(all.toArray(new String[0]));
    }
}
