package dev.redistls.testing;

import dev.redistls.pki.TlsContexts;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A {@link Load} client as a process of its own, so that it can run inside a simulated host (its namespace) and
 * connect there as a local application would. Holds one connection until its stdin closes, then prints
 * {@code ok N failed M} and the first errors.
 * <p>
 * Usage: {@code LoadMain NAME HOST PORT PASSWORD_FILE [CA CERT KEY]} (TLS when the three files are given).
 */
public final class LoadMain {
    private LoadMain() {
    }

    public static void main(String[] args) throws Exception {
        String password = Files.readString(Path.of(args[3])).strip();
        DefaultJedisClientConfig.Builder cfg = DefaultJedisClientConfig.builder().password(password)
                .connectionTimeoutMillis(5000).socketTimeoutMillis(5000);
        if (args.length > 4) {
            cfg.ssl(true).sslSocketFactory(TlsContexts.create(dev.redistls.pki.Pem.readCertificate(Path.of(args[4])),
                    dev.redistls.pki.Pem.readCertificate(Path.of(args[5])),
                    dev.redistls.pki.Pem.readPrivateKey(Path.of(args[6]))).getSocketFactory());
        }
        try (Load load = new Load(args[0], new Jedis(new HostAndPort(args[1], Integer.parseInt(args[2])), cfg.build()))) {
            load.awaitProgress(10);
            System.out.println("running");
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the test closes our stdin
            }
            load.close();
            System.out.println("ok " + load.ok() + " failed " + load.failed() + " " + load.errors());
        }
    }
}
