package dev.redistls.testing;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.commands.JedisCommands;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client that holds ONE connection open and keeps sending SET/GET on it until stopped, counting answered
 * commands and failures (an exception or a wrong reply). It never reconnects: a dropped connection shows up as failures.
 * Given a pooled client instead (a Sentinel-aware {@code JedisSentineled}), it counts that client's failures.
 */
public final class Load implements AutoCloseable {
    private final JedisCommands jedis;
    private final AutoCloseable closer;
    private final String name;
    private final java.util.function.LongFunction<String> key;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final List<String> errors = new ArrayList<>();
    private final Thread thread;

    public Load(String name, Jedis jedis) {
        this(name, jedis, jedis, i -> "load:" + name);
    }

    public Load(String name, UnifiedJedis client) {
        this(name, client, client, i -> "load:" + name);
    }

    /** A cluster client writing a key of another slot each time, so that every master takes writes. */
    public static Load acrossSlots(String name, UnifiedJedis cluster) {
        return new Load(name, cluster, cluster, i -> ClusterLoad.KEYS[(int) (i * 7919 % 16384)] + ":" + name);
    }

    private Load(String name, JedisCommands jedis, AutoCloseable closer, java.util.function.LongFunction<String> key) {
        this.name = name;
        this.jedis = jedis;
        this.closer = closer;
        this.key = key;
        this.thread = new Thread(this::loop, "load-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        long i = 0;
        while (running.get()) {
            String key = this.key.apply(i);
            String value = name + "-" + i++;
            try {
                jedis.set(key, value);
                if (value.equals(jedis.get(key))) {
                    ok.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                }
            } catch (RuntimeException e) {
                failed.incrementAndGet();
                synchronized (errors) {
                    if (errors.size() < 5) {
                        errors.add(e.toString());
                    }
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    return;
                }
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    public long ok() {
        return ok.get();
    }

    public long failed() {
        return failed.get();
    }

    public List<String> errors() {
        synchronized (errors) {
            return List.copyOf(errors);
        }
    }

    /** Waits until at least {@code more} further commands were answered, so that every phase sees traffic. */
    public void awaitProgress(long more) throws InterruptedException {
        long target = ok.get() + more;
        long deadline = System.currentTimeMillis() + 10_000;
        while (ok.get() < target && System.currentTimeMillis() < deadline && failed.get() == 0) {
            Thread.sleep(5);
        }
    }

    @Override
    public void close() throws Exception {
        running.set(false);
        thread.join(5000);
        closer.close();
    }
}
