package dev.redistls.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.redistls.pki.KeysDir;
import dev.redistls.pki.Pem;
import dev.redistls.pki.TlsContexts;
import dev.redistls.testing.Cli;
import dev.redistls.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who still speaks plain text, against real connections: a redis-cli and a Jedis client (as an ACL user) on the
 * plain port and a Jedis client over TLS. {@code status} and {@code status --json} list exactly the two plain ones
 * (address, name, user, age, idle, last command) and count the TLS one; {@code configure --tls-only
 * --if-no-plaintext} refuses naming them and changes nothing, then closes the plain port once they are gone, while
 * the TLS client keeps its connection.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PlaintextClientsIT {
    static final String PASSWORD = "plain-s3cret";
    static final String BILLING_PASSWORD = "billing-pw";

    Path tmp;
    RedisServer redis;
    Path keys;
    int tlsPort;

    @BeforeAll
    void start() throws Exception {
        tmp = Files.createTempDirectory("redis-tls-plaintext-");
        redis = RedisServer.start("requirepass " + PASSWORD + "\nuser billing on >" + BILLING_PASSWORD + " ~* &* +@all\n");
        keys = tmp.resolve("tls");
        tlsPort = RedisServer.freePort();
        Cli.Result install = cli("install", "--tls-port", "" + tlsPort, "--ca-home", tmp.resolve("ca").toString(), "--firewall", "none");
        assertThat(install.exitCode()).as(install.toString()).isZero();
    }

    @AfterAll
    void stop() throws Exception {
        redis.close();
        try (var files = Files.walk(tmp)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void statusListsThePlainClientsAndTlsOnlyWaitsForThemWithIfNoPlaintext() throws Exception {
        String confBefore = Files.readString(redis.conf());
        Process redisCli = new ProcessBuilder("redis-cli", "-p", "" + redis.port()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.PIPE).start();
        OutputStream cliIn = redisCli.getOutputStream();
        BufferedReader cliOut = new BufferedReader(new InputStreamReader(redisCli.getInputStream(), StandardCharsets.UTF_8));
        // AUTH on stdin, never in argv; then a name, and its own address as the server sees it.
        send(cliIn, "AUTH " + PASSWORD + "\nCLIENT SETNAME cli-app\nCLIENT INFO\n");
        assertThat(cliOut.readLine()).isEqualTo("OK");
        assertThat(cliOut.readLine()).isEqualTo("OK");
        String cliAddress = field(cliOut.readLine(), "addr");

        try (Jedis jedis = new Jedis(new HostAndPort("127.0.0.1", redis.port()), DefaultJedisClientConfig.builder()
                .user("billing").password(BILLING_PASSWORD).clientName("jedis-app").build());
             Jedis tls = tlsClient()) {
            jedis.set("k", "v");
            String jedisAddress = field(jedis.clientInfo(), "addr");
            assertThat(tls.ping()).isEqualTo("PONG");

            JsonNode clients = json(cli("status", "--json")).get("clients");
            assertThat(clients.get("plaintextCount").asInt()).isEqualTo(2);
            assertThat(clients.get("tlsCount").asInt()).isEqualTo(1);
            List<JsonNode> plain = StreamSupport.stream(clients.get("plaintext").spliterator(), false).toList();
            assertThat(plain).extracting(c -> c.get("address").asText()).containsExactlyInAnyOrder(cliAddress, jedisAddress);
            JsonNode j = plain.stream().filter(c -> c.get("address").asText().equals(jedisAddress)).findFirst().orElseThrow();
            assertThat(j.get("name").asText()).isEqualTo("jedis-app");
            assertThat(j.get("user").asText()).isEqualTo("billing");
            assertThat(j.get("lastCommand").asText()).isEqualTo("client|info");
            assertThat(j.get("ageSeconds").asLong()).isGreaterThanOrEqualTo(0);
            assertThat(j.get("idleSeconds").asLong()).isGreaterThanOrEqualTo(0);
            assertThat(j.get("replica").asBoolean()).isFalse();
            JsonNode c = plain.stream().filter(x -> x.get("address").asText().equals(cliAddress)).findFirst().orElseThrow();
            assertThat(c.get("name").asText()).isEqualTo("cli-app");
            assertThat(c.get("user").asText()).isEqualTo("default");

            Cli.Result human = cli("status");
            assertThat(human.out()).contains("clients:   2 on plain text (port " + redis.port() + "), 1 over TLS\n",
                    "  plain:   " + jedisAddress + " name jedis-app, user billing, age ",
                    "  plain:   " + cliAddress + " name cli-app, user default, age ");

            Cli.Result refused = cli("configure", "--tls-only", "--if-no-plaintext", "--firewall", "none");
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
            assertThat(refused.out()).startsWith("2 client(s) still on plain text port " + redis.port() + ":\n")
                    .contains(jedisAddress + " name jedis-app, user billing", cliAddress + " name cli-app, user default");
            assertThat(refused.err()).startsWith("error: 2 client(s) still on plain text port " + redis.port() + ": ")
                    .contains(jedisAddress + " (jedis-app)", cliAddress + " (cli-app)", "move them to TLS (port " + tlsPort + ") first");
            assertThat(refused.err().lines().count()).isEqualTo(1);
            assertThat(Files.readString(redis.conf())).isEqualTo(confBefore);
            assertThat(jedis.ping()).isEqualTo("PONG");
            assertThat(jedis.configGet("port")).containsEntry("port", "" + redis.port());
        }
        cliIn.close();
        assertThat(redisCli.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        try (Jedis tls = tlsClient()) {
            awaitPlaintextCount(0);
            assertThat(json(cli("status", "--json")).at("/clients/tlsCount").asInt()).isEqualTo(1);

            Cli.Result closed = cli("configure", "--tls-only", "--if-no-plaintext", "--tls-port", "" + tlsPort, "--firewall", "none");
            assertThat(closed.exitCode()).as(closed.toString()).isZero();
            assertThat(closed.out()).startsWith("No client is on plain text port " + redis.port() + " (1 over TLS).\n")
                    .contains("Applied live on 127.0.0.1:" + redis.port());
            assertThat(tls.ping()).isEqualTo("PONG");
            JsonNode after = json(cli("status", "--json"));
            assertThat(after.at("/live/ports/plain").asInt()).isZero();
            assertThat(after.at("/clients/plaintextCount").asInt()).isZero();
            assertThat(after.at("/clients/tlsCount").asInt()).isEqualTo(1);
            assertThat(cli("status").out()).contains("clients:   0 on plain text (plain port closed), 1 over TLS\n");
        }

        // Closing the plain port cuts off no one already on it: Redis keeps the connection, and so does the listing.
        Cli.Result reopened = cli("configure", "--port", "" + redis.port(), "--firewall", "none");
        assertThat(reopened.exitCode()).as(reopened.toString()).isZero();
        try (Jedis left = new Jedis(new HostAndPort("127.0.0.1", redis.port()), DefaultJedisClientConfig.builder()
                .user("billing").password(BILLING_PASSWORD).clientName("left-behind").build())) {
            assertThat(left.ping()).isEqualTo("PONG");
            String address = field(left.clientInfo(), "addr");
            Cli.Result closed = cli("configure", "--tls-only", "--tls-port", "" + tlsPort, "--firewall", "none");
            assertThat(closed.exitCode()).as(closed.toString()).isZero();
            assertThat(closed.out()).startsWith("1 client(s) still on plain text port " + redis.port() + ":\n");
            assertThat(left.ping()).as("still connected, in plain text").isEqualTo("PONG");
            JsonNode after = json(cli("status", "--json"));
            assertThat(after.at("/live/ports/plain").asInt()).isZero();
            assertThat(after.at("/clients/plaintextCount").asInt()).isEqualTo(1);
            assertThat(after.at("/clients/plaintext/0/address").asText()).isEqualTo(address);
            assertThat(cli("status").out()).contains("clients:   1 on plain text (plain port closed: connected before it closed,",
                    "  plain:   " + address + " name left-behind, user billing");
        }
    }

    @Test
    void ifNoPlaintextWithoutClosingThePlainPortIsBadUsage() {
        Cli.Result r = cli("configure", "--auth-clients", "yes", "--if-no-plaintext");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: --if-no-plaintext goes with --tls-only (or --port 0): only closing the plain port cuts clients off\n");
    }

    private void awaitPlaintextCount(int expected) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        int count = -1;
        while (Instant.now().isBefore(deadline)) {
            count = json(cli("status", "--json")).at("/clients/plaintextCount").asInt();
            if (count == expected) {
                return;
            }
            Thread.sleep(50);
        }
        assertThat(count).as("plaintext clients").isEqualTo(expected);
    }

    private Jedis tlsClient() {
        KeysDir k = KeysDir.local(keys);
        return new Jedis(new HostAndPort("127.0.0.1", tlsPort), DefaultJedisClientConfig.builder()
                .password(PASSWORD).ssl(true).clientName("tls-app")
                .sslSocketFactory(TlsContexts.create(Pem.readCertificate(k.clientRoot()), Pem.readCertificate(k.clientCert()),
                        Pem.readPrivateKey(k.clientKey())).getSocketFactory())
                .build());
    }

    private static void send(OutputStream in, String text) throws Exception {
        in.write(text.getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    private static String field(String clientInfo, String name) {
        for (String pair : clientInfo.trim().split(" ")) {
            if (pair.startsWith(name + "=")) {
                return pair.substring(name.length() + 1);
            }
        }
        throw new AssertionError("no " + name + " in " + clientInfo);
    }

    private static JsonNode json(Cli.Result r) throws Exception {
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return new ObjectMapper().readTree(r.out());
    }

    private Cli.Result cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args[0], "--conf", redis.conf().toString(), "--keys-dir", keys.toString()));
        all.addAll(List.of(args).subList(1, args.length));
        return Cli.run(all.toArray(new String[0]));
    }
}
