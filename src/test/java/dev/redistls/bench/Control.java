package dev.redistls.bench;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.resps.Slowlog;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The benchmark's own short-lived plain connection to the node, outside the load: who the server is (pid, run_id)
 * and how long its event loop was blocked by a command (SLOWLOG).
 */
final class Control implements AutoCloseable {
    private final Jedis jedis;

    private Control(Jedis jedis) {
        this.jedis = jedis;
    }

    static Control connect(int port, String password) throws IOException {
        try {
            return new Control(new Jedis(new HostAndPort("127.0.0.1", port), DefaultJedisClientConfig.builder()
                    .connectionTimeoutMillis(2000).socketTimeoutMillis(2000).password(password).build()));
        } catch (JedisException e) {
            throw new IOException("control connection to port " + port + ": " + e.getMessage(), e);
        }
    }

    /** "pid N, run_id XXXXXXXX": run_id is new on every start of redis-server. */
    String identity() {
        String info = jedis.info("server");
        return "pid " + field(info, "process_id:") + ", run_id " + field(info, "run_id:").substring(0, 8);
    }

    /** Whether the node answers PING; false while it is still loading its dataset (-LOADING). */
    boolean pongs() {
        try {
            return "PONG".equals(jedis.ping());
        } catch (redis.clients.jedis.exceptions.JedisDataException e) {
            return false;
        }
    }

    /** Commands that blocked the event loop for at least the slowlog threshold since the last call, then resets. */
    List<String> slowCommands() {
        List<String> slow = new ArrayList<>();
        for (Slowlog entry : jedis.slowlogGet(128)) {
            List<String> args = entry.getArgs();
            StringBuilder cmd = new StringBuilder(String.join(" ", args.subList(0, Math.min(args.size(), 3))));
            if (args.size() > 3) {
                cmd.append(" …");
            }
            slow.add(0, String.format(Locale.ROOT, "%s %.1f ms", cmd, entry.getExecutionTime() / 1000.0));
        }
        jedis.slowlogReset();
        return slow;
    }

    /** {@code keys} keys of {@code valueBytes} bytes each, pipelined in batches of 1000. */
    void fill(int keys, int valueBytes) throws IOException {
        String value = "v".repeat(valueBytes);
        for (int done = 0; done < keys; ) {
            int batch = Math.min(1000, keys - done);
            List<Response<String>> replies = new ArrayList<>(batch);
            try (Pipeline p = jedis.pipelined()) {
                for (int i = 0; i < batch; i++) {
                    replies.add(p.set("data:" + (done + i), value));
                }
                p.sync();
            }
            for (Response<String> r : replies) {
                if (!"OK".equals(r.get())) {
                    throw new IOException("SET answered " + r.get());
                }
            }
            done += batch;
        }
    }

    private static String field(String info, String key) {
        int i = info.indexOf(key);
        if (i < 0) {
            return "????????";
        }
        int end = info.indexOf('\r', i);
        return info.substring(i + key.length(), end < 0 ? info.length() : end);
    }

    @Override
    public void close() {
        jedis.close();
    }
}
