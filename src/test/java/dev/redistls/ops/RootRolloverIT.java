package dev.redistls.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.redistls.pki.CertInfo;
import dev.redistls.pki.Pem;
import dev.redistls.pki.TlsContexts;
import dev.redistls.testing.Cli;
import dev.redistls.testing.Load;
import dev.redistls.testing.Processes;
import dev.redistls.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A root rollover on a real master with a real replica replicating from it over TLS (mutual: the replica presents
 * its node certificate), with three kinds of client of the master: trusting the old root only, both roots, the new
 * root only. Each opens new connections at every step and keeps one open throughout; the both-roots client opens
 * new connections all the time. After each of {@code ca rotate begin}, {@code reissue} and {@code ca rotate finish}
 * exactly the clients that should connect do, no open connection ever fails, the replica keeps its link (no full
 * resync) and a fresh link works at the end; openssl verifies the served chain and judges the trust files at each
 * step; finish is refused, naming what is left, while a leaf (or the replica's master) is still from the old root.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RootRolloverIT {
    static final String PASSWORD = "rollover-s3cret";
    static final int ATTEMPTS = 5;

    Path tmp;
    Path ca;
    RedisServer master;
    RedisServer replica;
    Path masterKeys;
    Path replicaKeys;
    int masterTls;
    int replicaTls;

    @BeforeAll
    void start() throws Exception {
        tmp = Files.createTempDirectory("redis-tls-rollover-");
        ca = tmp.resolve("orders");
        master = RedisServer.start("requirepass " + PASSWORD + "\n");
        replica = RedisServer.start("requirepass " + PASSWORD + "\nmasterauth " + PASSWORD + "\n");
        masterKeys = tmp.resolve("master-tls");
        replicaKeys = tmp.resolve("replica-tls");
        masterTls = RedisServer.freePort();
        replicaTls = RedisServer.freePort();
        ok(cli(master, masterKeys, "install", "--tls-port", "" + masterTls, "--replication", "--ca-home", ca.toString(), "--firewall", "none"));
        ok(cli(replica, replicaKeys, "install", "--tls-port", "" + replicaTls, "--replication", "--ca-home", ca.toString(), "--firewall", "none"));
        try (Jedis r = plain(replica)) {
            r.replicaof("127.0.0.1", masterTls);
        }
        awaitLinkUp();
    }

    @AfterAll
    void stop() throws Exception {
        replica.close();
        master.close();
        Processes.run(null, List.of("rm", "-rf", tmp.toString()));
    }

    @Test
    void clientsAndTheReplicaKeepWorkingThroughBeginReissueAndFinish() throws Exception {
        X509Certificate oldRoot = Pem.readCertificate(ca.resolve("root.crt"));
        long fullSyncs = masterStat("sync_full");
        try (Load oldOpen = new Load("old", tls(masterTls, List.of(oldRoot)));
             Load replicaWrites = new Load("replicated", plain(master))) {
            oldOpen.awaitProgress(20);
            assertThat(attempts(List.of(oldRoot))).isEqualTo(ATTEMPTS);

            // begin: the new root exists and both nodes trust both; the master still serves its old leaf.
            Cli.Result begin = cli(master, masterKeys, "ca", "rotate", "begin", "--ca-home", ca.toString());
            ok(begin);
            assertThat(begin.out()).contains("Began a root rollover in " + ca, "Now trusted by " + masterKeys,
                    "Loaded the trust file live", "[ok] a client certificate from root");
            Cli.Result beginReplica = cli(replica, replicaKeys, "ca", "rotate", "begin", "--ca-home", ca.toString());
            ok(beginReplica);
            assertThat(beginReplica.out()).contains("A root rollover is under way in " + ca);
            X509Certificate newRoot = Pem.readCertificate(ca.resolve("root.crt"));
            assertThat(newRoot).isNotEqualTo(oldRoot);
            assertThat(Pem.readCertificate(ca.resolve("retiring/root.crt"))).isEqualTo(oldRoot);
            for (Path keys : List.of(masterKeys, replicaKeys)) {
                assertThat(rootsIn(keys.resolve("server/root.crt"))).containsExactly(newRoot, oldRoot);
                assertThat(rootsIn(keys.resolve("client/root.crt"))).containsExactly(newRoot, oldRoot);
            }
            List<X509Certificate> both = List.of(oldRoot, newRoot);
            NewConnections bothNew = new NewConnections(both);
            try (Load bothOpen = new Load("both", tls(masterTls, both))) {
                bothOpen.awaitProgress(20);
                step(oldRoot, newRoot, oldRoot, oldOpen, bothOpen, null);
                JsonNode s = statusJson(master, masterKeys);
                assertThat(s.get("trust")).hasSize(2);
                assertThat(s.at("/certificates/server/signedBy").asText()).isEqualTo(CertInfo.sha256(oldRoot));
                // An application's bundle made during the rollover: its certificate from the new root, trusting both,
                // so it works with the old leaf now and the new one after reissue, without another export.
                ok(Cli.run("client", "issue", "app", "--keys-dir", masterKeys.toString(), "--ca-home", ca.toString()));
                Path bundle = tmp.resolve("app-bundle");
                ok(Cli.run("client", "export", "app", "--format", "pem", "--out", bundle.toString(), "--keys-dir", masterKeys.toString()));
                assertThat(rootsIn(bundle.resolve("root.crt"))).containsExactlyInAnyOrder(newRoot, oldRoot);
                X509Certificate appCert = Pem.readCertificate(bundle.resolve("app.crt"));
                assertThat(appCert.getIssuerX500Principal()).isEqualTo(newRoot.getSubjectX500Principal());
                appCert.verify(newRoot.getPublicKey());
                try (Jedis app = exported(bundle)) {
                    assertThat(app.ping()).as("the exported bundle, old leaf served").isEqualTo("PONG");
                }
                Cli.Result doctor = Cli.run("doctor", "--conf", master.conf().toString(), "--keys-dir", masterKeys.toString(), "--ca-home", ca.toString());
                assertThat(doctor.out()).contains("[FAIL] server certificate from the CA home's issuing root (signed by root "
                        + CertInfo.sha256(oldRoot) + ")", "fix: redis-tls reissue --server");

                // finish refuses while leaves from the old root remain, naming them, and changes nothing.
                Cli.Result early = cli(master, masterKeys, "ca", "rotate", "finish", "--ca-home", ca.toString());
                assertThat(early.exitCode()).as(early.toString()).isEqualTo(1);
                assertThat(early.err()).contains(masterKeys.resolve("server/server.crt").toString(),
                        masterKeys.resolve("client/client.crt").toString(), "reissue them first");
                assertThat(rootsIn(masterKeys.resolve("server/root.crt"))).hasSize(2);
                assertThat(ca.resolve("retiring/root.crt")).exists();

                // The replica goes first: its finish is refused while its master serves a leaf of the old root.
                ok(cli(replica, replicaKeys, "reissue", "--ca-home", ca.toString()));
                Cli.Result replicaEarly = cli(replica, replicaKeys, "ca", "rotate", "finish", "--ca-home", ca.toString());
                assertThat(replicaEarly.exitCode()).as(replicaEarly.toString()).isEqualTo(1);
                assertThat(replicaEarly.err()).contains("its master 127.0.0.1:" + masterTls + " serves a certificate the new root does not verify");
                assertLinkKept(fullSyncs);

                // reissue: the master serves a leaf of the new root; old-root-only clients can no longer connect anew.
                Cli.Result reissue = cli(master, masterKeys, "reissue", "--ca-home", ca.toString());
                ok(reissue);
                assertThat(reissue.out()).contains("note: A root rollover is under way");
                try (Load newOpen = new Load("new", tls(masterTls, List.of(newRoot)))) {
                    newOpen.awaitProgress(20);
                    step(oldRoot, newRoot, newRoot, oldOpen, bothOpen, newOpen);
                    assertThat(statusJson(master, masterKeys).at("/certificates/server/signedBy").asText()).isEqualTo(CertInfo.sha256(newRoot));
                    try (Jedis app = exported(tmp.resolve("app-bundle"))) {
                        assertThat(app.ping()).as("the same bundle, new leaf served").isEqualTo("PONG");
                    }

                    // finish: the replica, then the master; the CA home retires the old root with the first.
                    Cli.Result finishReplica = cli(replica, replicaKeys, "ca", "rotate", "finish", "--ca-home", ca.toString());
                    ok(finishReplica);
                    assertThat(finishReplica.out()).contains("Retired 1 root(s); now trusts only", "Retired the old root (sha256 "
                            + CertInfo.sha256(oldRoot) + ") from CA home " + ca, "is refused");
                    assertThat(ca.resolve("retiring")).doesNotExist();
                    Cli.Result finish = cli(master, masterKeys, "ca", "rotate", "finish", "--ca-home", ca.toString());
                    ok(finish);
                    for (Path keys : List.of(masterKeys, replicaKeys)) {
                        assertThat(rootsIn(keys.resolve("server/root.crt"))).containsExactly(newRoot);
                        assertThat(rootsIn(keys.resolve("client/root.crt"))).containsExactly(newRoot);
                    }
                    step(oldRoot, newRoot, newRoot, oldOpen, bothOpen, newOpen);
                    assertThat(statusJson(master, masterKeys).get("trust")).hasSize(1);
                    assertThat(newOpen.failed()).as("new-root client errors: %s", newOpen.errors()).isZero();
                }
                assertThat(bothOpen.failed()).as("both-roots client errors: %s", bothOpen.errors()).isZero();
            } finally {
                bothNew.close();
            }
            assertThat(bothNew.failed.get()).as("both-roots client's new connections failed: %s", bothNew.lastError).isZero();
            assertThat(bothNew.ok.get()).isPositive();
            assertThat(oldOpen.failed()).as("old-root client's open connection: %s", oldOpen.errors()).isZero();
            replicaWrites.awaitProgress(20);
            assertThat(replicaWrites.failed()).isZero();
            assertLinkKept(fullSyncs);
        }
        // A fresh link after the rollover: both sides now trust only the new root, and the link comes back over TLS.
        try (Jedis r = plain(replica)) {
            r.clientKill(new redis.clients.jedis.params.ClientKillParams().type(redis.clients.jedis.args.ClientType.MASTER));
        }
        awaitLinkUp();
        Cli.Result shown = Cli.run("ca", "show", "--ca-home", ca.toString());
        assertThat(shown.out()).contains("group:     orders\n").doesNotContain("rollover:");
    }

    /**
     * After a step: exactly the clients that should connect anew do (every attempt, or none), open connections
     * still answer, the master serves a chain openssl verifies against its trust file, and the replica's link holds.
     */
    private void step(X509Certificate oldRoot, X509Certificate newRoot, X509Certificate servedBy, Load... open) throws Exception {
        boolean servesNew = servedBy.equals(newRoot);
        assertThat(attempts(List.of(oldRoot))).as("old-root-only client, new connections").isEqualTo(servesNew ? 0 : ATTEMPTS);
        assertThat(attempts(List.of(oldRoot, newRoot))).as("both-roots client, new connections").isEqualTo(ATTEMPTS);
        assertThat(attempts(List.of(newRoot))).as("new-root-only client, new connections").isEqualTo(servesNew ? ATTEMPTS : 0);
        for (Load l : open) {
            if (l != null) {
                l.awaitProgress(20);
                assertThat(l.failed()).as("open connection errors: %s", l.errors()).isZero();
            }
        }
        Path served = tmp.resolve("served.pem");
        Files.writeString(served, Processes.run("", List.of("sh", "-c", "openssl s_client -connect 127.0.0.1:" + masterTls
                + " </dev/null 2>/dev/null | openssl x509")).out());
        assertThat(openssl("verify", "-CAfile", masterKeys.resolve("server/root.crt").toString(), served.toString()).out())
                .isEqualTo(served + ": OK\n");
        Path rootFile = tmp.resolve("expected-root.pem");
        Files.writeString(rootFile, Pem.encode(servedBy));
        assertThat(openssl("verify", "-CAfile", rootFile.toString(), served.toString()).exitCode()).isZero();
        Files.writeString(rootFile, Pem.encode(servesNew ? oldRoot : newRoot));
        assertThat(openssl("verify", "-CAfile", rootFile.toString(), served.toString()).exitCode()).isNotZero();
        for (Path keys : List.of(masterKeys, replicaKeys)) {
            Processes.Output leaves = openssl("verify", "-CAfile", keys.resolve("client/root.crt").toString(),
                    keys.resolve("server/server.crt").toString(), keys.resolve("client/client.crt").toString());
            assertThat(leaves.exitCode()).as(leaves.out()).isZero();
        }
        assertLinkKept(-1);
    }

    /** New connections of a client trusting {@code roots}: how many of {@link #ATTEMPTS} PINGs answered. */
    private int attempts(List<X509Certificate> roots) {
        int ok = 0;
        for (int i = 0; i < ATTEMPTS; i++) {
            try (Jedis j = tls(masterTls, roots)) {
                if ("PONG".equals(j.ping())) {
                    ok++;
                }
            } catch (RuntimeException refused) {
                // counted as not connecting
            }
        }
        return ok;
    }

    private void assertLinkKept(long fullSyncs) throws Exception {
        try (Jedis r = plain(replica)) {
            Map<String, String> info = info(r.info("replication"));
            assertThat(info).containsEntry("role", "slave").containsEntry("master_link_status", "up")
                    .containsEntry("master_port", "" + masterTls);
        }
        if (fullSyncs >= 0) {
            assertThat(masterStat("sync_full")).as("full resyncs").isEqualTo(fullSyncs);
        }
    }

    private void awaitLinkUp() throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        try (Jedis r = plain(replica)) {
            while (!"up".equals(info(r.info("replication")).get("master_link_status"))) {
                assertThat(Instant.now()).as("replication link up").isBefore(deadline);
                Thread.sleep(50);
            }
        }
    }

    private long masterStat(String field) {
        try (Jedis m = plain(master)) {
            return Long.parseLong(info(m.info("stats")).get(field));
        }
    }

    private static Map<String, String> info(String text) {
        Map<String, String> m = new java.util.HashMap<>();
        text.lines().filter(l -> l.contains(":")).forEach(l -> m.put(l.substring(0, l.indexOf(':')), l.substring(l.indexOf(':') + 1).trim()));
        return m;
    }

    private static List<X509Certificate> rootsIn(Path file) {
        return Pem.readCertificates(file);
    }

    private static Processes.Output openssl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        return Processes.run(null, cmd);
    }

    private JsonNode statusJson(RedisServer node, Path keys) throws Exception {
        Cli.Result r = cli(node, keys, "status", "--json");
        ok(r);
        return new ObjectMapper().readTree(r.out());
    }

    private static Jedis plain(RedisServer node) {
        return new Jedis(new HostAndPort("127.0.0.1", node.port()), DefaultJedisClientConfig.builder().password(PASSWORD).build());
    }

    /** A client with no certificate that trusts {@code roots} and verifies the host name (127.0.0.1 is in every SAN). */
    private static Jedis tls(int port, List<X509Certificate> roots) {
        var params = new javax.net.ssl.SSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        return new Jedis(new HostAndPort("127.0.0.1", port), DefaultJedisClientConfig.builder().password(PASSWORD).ssl(true)
                .sslSocketFactory(TlsContexts.create(roots, null, null).getSocketFactory()).sslParameters(params)
                .connectionTimeoutMillis(3000).socketTimeoutMillis(3000).build());
    }

    /** A client of the master with an exported PEM bundle (app.crt, app.key, root.crt) as it is, names verified. */
    private Jedis exported(Path bundle) {
        var params = new javax.net.ssl.SSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        javax.net.ssl.SSLContext ctx = TlsContexts.create(Pem.readCertificates(bundle.resolve("root.crt")),
                Pem.readCertificate(bundle.resolve("app.crt")), Pem.readPrivateKey(bundle.resolve("app.key")));
        return new Jedis(new HostAndPort("127.0.0.1", masterTls), DefaultJedisClientConfig.builder().password(PASSWORD).ssl(true)
                .sslSocketFactory(ctx.getSocketFactory()).sslParameters(params).connectionTimeoutMillis(3000)
                .socketTimeoutMillis(3000).build());
    }

    private static void ok(Cli.Result r) {
        assertThat(r.exitCode()).as(r.toString()).isZero();
    }

    private static Cli.Result cli(RedisServer node, Path keys, String... args) {
        int at = args[0].equals("ca") ? 3 : 1;
        List<String> all = new ArrayList<>(List.of(args).subList(0, at));
        all.addAll(List.of("--conf", node.conf().toString(), "--keys-dir", keys.toString()));
        all.addAll(List.of(args).subList(at, args.length));
        return Cli.run(all.toArray(new String[0]));
    }

    /** A client that trusts both roots and opens a new connection for every command, all the time, bounded. */
    private final class NewConnections implements AutoCloseable {
        final AtomicLong ok = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        volatile String lastError;
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread thread;

        NewConnections(List<X509Certificate> roots) {
            thread = new Thread(() -> {
                for (int i = 0; i < 100_000 && running.get(); i++) {
                    try (Jedis j = tls(masterTls, roots)) {
                        if ("PONG".equals(j.ping())) {
                            ok.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                        }
                    } catch (RuntimeException e) {
                        failed.incrementAndGet();
                        lastError = e.toString();
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "both-roots-new-connections");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(5000);
        }
    }
}
