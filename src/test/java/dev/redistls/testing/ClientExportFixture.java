package dev.redistls.testing;

import dev.redistls.pki.KeysDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a client-export test shares across its class: a real redis-server with mutual TLS (tls-auth-clients yes) and
 * a password, the client certificate "billing" from its root, and exports of it made by the real command line,
 * together with the same exports spoiled one way each. The server certificate names localhost (and 127.0.0.1);
 * the server also listens on 127.0.0.2, which the certificate does not name: a wrong host name for every client.
 */
public final class ClientExportFixture implements AutoCloseable {
    public static final String PASSWORD = "client-export-test-password";
    public static final String STORE_PASSWORD = "client-export-store-password";
    public static final String HOST = "localhost";
    public static final String WRONG_HOST = "127.0.0.2";
    public static final String CLIENT = "billing";

    /** A bundle written by {@code client export}, and what the command printed. */
    public record Export(Path dir, String printed) {
        public String snippet(String header) {
            return PrintedSnippets.section(printed, header);
        }
    }

    private final Path tmp;
    private final KeysDir keys;
    private final KeysDir foreignKeys;
    private final Path passwordFile;
    private final int tlsPort;
    private final RedisServer redis;

    private ClientExportFixture(Path tmp, KeysDir keys, KeysDir foreignKeys, Path passwordFile, int tlsPort, RedisServer redis) {
        this.tmp = tmp;
        this.keys = keys;
        this.foreignKeys = foreignKeys;
        this.passwordFile = passwordFile;
        this.tlsPort = tlsPort;
        this.redis = redis;
    }

    public static ClientExportFixture start(Path tmp) throws IOException {
        KeysDir keys = KeysDir.local(tmp.resolve("keys"));
        ok(Cli.run("certs", "--keys-dir", keys.dir().toString(), "--ca-home", tmp.resolve("ca").toString(),
                "--hostname", "node1.redis-tls.test"));
        ok(Cli.run("client", "issue", CLIENT, "--keys-dir", keys.dir().toString(), "--ca-home", tmp.resolve("ca").toString()));
        // Another group's root: a client that trusts it must refuse this server.
        KeysDir foreign = KeysDir.local(tmp.resolve("foreign-keys"));
        ok(Cli.run("certs", "--keys-dir", foreign.dir().toString(), "--ca-home", tmp.resolve("foreign-ca").toString(),
                "--hostname", "node1.other.test"));
        Path passwordFile = tmp.resolve("store.pass");
        Files.writeString(passwordFile, STORE_PASSWORD + "\n");
        int tlsPort = RedisServer.freePort();
        RedisServer redis = RedisServer.start(RedisServer.mutualTls(keys, tlsPort)
                + "bind 127.0.0.1 " + WRONG_HOST + " -::1\n"
                + "requirepass " + PASSWORD + "\n");
        RedisServer.awaitListening(tlsPort);
        return new ClientExportFixture(tmp, keys, foreign, passwordFile, tlsPort, redis);
    }

    /** {@code client export billing --format FORMAT} into a new directory {@code name}. */
    public Export export(String format, String name) {
        return export(keys, CLIENT, format, tmp.resolve(name));
    }

    /** The same export, but its root (root.crt, truststore.p12) is another group's: nothing else differs. */
    public Export exportTrustingAForeignRoot(String format, String name) throws IOException {
        Export e = export(format, name);
        Export foreign = export(foreignKeys, "client", format, tmp.resolve(name + "-foreign"));
        String trust = format.equals("pkcs12") ? "truststore.p12" : "root.crt";
        Files.copy(foreign.dir().resolve(trust), e.dir().resolve(trust), StandardCopyOption.REPLACE_EXISTING);
        return e;
    }

    /** The environment every printed snippet reads: the endpoint at {@code host}, the password, the store password. */
    public Map<String, String> env(String host) {
        return Map.of("REDIS_HOST", host, "REDIS_PORT", String.valueOf(tlsPort), "REDIS_PASSWORD", PASSWORD,
                "REDIS_STORE_PASSWORD", STORE_PASSWORD);
    }

    /** What the server holds at {@code key}, as an independent judge (redis-cli) reads it. */
    public String valueAt(String key) {
        Processes.Output get = Processes.run(null, Map.of("REDISCLI_AUTH", PASSWORD), List.of("redis-cli", "--tls",
                "-h", HOST, "-p", String.valueOf(tlsPort), "--cacert", keys.clientRoot().toString(),
                "--cert", keys.clientCert(CLIENT).toString(), "--key", keys.clientKey(CLIENT).toString(), "GET", key),
                Duration.ofSeconds(30));
        if (get.exitCode() != 0) {
            throw new AssertionError("redis-cli GET " + key + ": " + get.out());
        }
        return get.out().strip();
    }

    /** How many connections the server has refused for coming without a client certificate, from its log. */
    public long refusedWithoutCertificate() {
        return redis.log().lines().filter(l -> l.contains("peer did not return a certificate")).count();
    }

    private Export export(KeysDir from, String client, String format, Path out) {
        Cli.Result r = format.equals("pkcs12")
                ? Cli.run("client", "export", client, "--format", format, "--out", out.toString(),
                        "--password-file", passwordFile.toString(), "--keys-dir", from.dir().toString())
                : Cli.run("client", "export", client, "--format", format, "--out", out.toString(),
                        "--keys-dir", from.dir().toString());
        ok(r);
        return new Export(out, r.out());
    }

    private static void ok(Cli.Result r) {
        if (r.exitCode() != 0) {
            throw new AssertionError(r.toString());
        }
    }

    @Override
    public void close() {
        redis.close();
    }
}
