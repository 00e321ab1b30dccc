package dev.redistls.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** A copy of Debian 12's stock redis.conf, pointed at a temp dir and a free port, optionally with a password. */
public final class StockRedis {
    private StockRedis() {
    }

    public static String template(String password) {
        return template(password, "%DIR%/redis.pid", "%DIR%/redis.log", "%DIR%");
    }

    /**
     * The stock config with its paths moved (Debian's own layout under another root, for a simulated host) and
     * {@code %PORT%} for the port; {@code daemonize no} so that the test owns the process.
     */
    public static String template(String password, String pidfile, String logfile, String dir) {
        String stock;
        try (InputStream in = StockRedis.class.getResourceAsStream("/conf/debian12-redis.conf")) {
            stock = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        String t = stock
                .replace("\nport 6379\n", "\nport %PORT%\n")
                .replace("\ndaemonize yes\n", "\ndaemonize no\n")
                .replace("\npidfile /run/redis/redis-server.pid\n", "\npidfile " + pidfile + "\n")
                .replace("\nlogfile /var/log/redis/redis-server.log\n", "\nlogfile " + logfile + "\n")
                .replace("\ndir /var/lib/redis\n", "\ndir " + dir + "\n");
        if (password != null) {
            t = t.replace("\n# requirepass foobared\n", "\n# requirepass foobared\nrequirepass " + password + "\n");
        }
        return t;
    }

    /** Prepares (does not start) a node with the stock config. */
    public static RedisServer prepare(String password) {
        return RedisServer.prepareFromTemplate(template(password));
    }
}
