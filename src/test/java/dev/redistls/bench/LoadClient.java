package dev.redistls.bench;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import java.io.IOException;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * One benchmark client: a single persistent connection (plain or TLS) paced at a fixed rate, alternating
 * {@code SET k v} and {@code GET k} (which must answer {@code v}). A request that throws, times out or gets a wrong
 * reply is a failed request; the connection is then dropped and the next request reconnects (counted).
 * A bare Jedis connection (no pool, no retry, no auto-reconnect), so that nothing hides a failure.
 */
final class LoadClient implements Runnable {
    /** Failed requests kept with their cause, at most this many per client, for the report. */
    private static final int KEEP_FAILURES = 10_000;
    private static final int TIMEOUT_MS = 2000;

    private final String name;
    private final int port;
    private final SSLContext tls;
    private final String password;
    private final long intervalNanos;
    private final Thread thread;

    private volatile boolean running = true;
    /** Set when this client's port is closed on purpose: a refused reconnect then ends the client. */
    private volatile boolean stopWhenRefused;

    private Jedis jedis;
    private long iteration;
    private String pendingGetKey;
    private String pendingGetValue;

    // Per request: when it was sent, how long it took, whether it succeeded. Read only after the thread ended.
    private long[] sentAt = new long[1 << 16];
    private int[] micros = new int[1 << 16];
    private boolean[] ok = new boolean[1 << 16];
    private int count;
    /** When each connection was established (the first one is not a reconnect). */
    final List<Long> connects = new ArrayList<>();
    final List<Failure> failures = new ArrayList<>();
    volatile String endedBecause = "stopped by the benchmark";

    LoadClient(String name, int port, SSLContext tls, String password, int requestsPerSecond) {
        this.name = name;
        this.port = port;
        this.tls = tls;
        this.password = password;
        this.intervalNanos = 1_000_000_000L / requestsPerSecond;
        this.thread = new Thread(this, name);
        this.thread.setDaemon(true);
    }

    LoadClient start() {
        thread.start();
        return this;
    }

    void stopWhenRefused() {
        stopWhenRefused = true;
    }

    void stop() throws InterruptedException {
        running = false;
        thread.join(TIMEOUT_MS * 3L);
        if (thread.isAlive()) {
            throw new IllegalStateException(name + " did not stop");
        }
        closeQuietly();
    }

    boolean isTls() {
        return tls != null;
    }

    String name() {
        return name;
    }

    @Override
    public void run() {
        long next = System.nanoTime();
        while (running) {
            long now = System.nanoTime();
            if (now < next) {
                LockSupport.parkNanos(next - now);
            }
            next += intervalNanos;
            long start = System.nanoTime();
            boolean success;
            try {
                success = request();
            } catch (IOException | RuntimeException e) {
                success = false;
                fail(start, e.getClass().getSimpleName() + ": " + e.getMessage());
                closeQuietly();
                if (stopWhenRefused && refused(e)) {
                    endedBecause = "its port was closed on purpose; reconnect refused";
                    record(start, System.nanoTime() - start, false);
                    return;
                }
            }
            long end = System.nanoTime();
            record(start, end - start, success);
            if (!success) {
                // No catch-up burst after a failure: the schedule restarts from now, one attempt per slot.
                next = Math.max(next, end);
            }
        }
    }

    private boolean request() throws IOException {
        if (jedis == null) {
            connect();
        }
        if (pendingGetKey != null) {
            String key = pendingGetKey;
            String want = pendingGetValue;
            pendingGetKey = null;
            String got = jedis.get(key);
            if (!want.equals(got)) {
                fail(System.nanoTime(), "GET " + key + " answered " + got + ", expected " + want);
                return false;
            }
            return true;
        }
        String key = "bench:" + name + ":" + (iteration % 100);
        String value = name + "-" + iteration++;
        String got = jedis.set(key, value);
        if (!"OK".equals(got)) {
            fail(System.nanoTime(), "SET answered " + got);
            return false;
        }
        pendingGetKey = key;
        pendingGetValue = value;
        return true;
    }

    private void connect() {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(TIMEOUT_MS).socketTimeoutMillis(TIMEOUT_MS).password(password);
        if (tls != null) {
            SSLParameters p = new SSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            config.ssl(true).sslSocketFactory(tls.getSocketFactory()).sslParameters(p);
        }
        // Jedis connects, handshakes and authenticates in its constructor.
        jedis = new Jedis(new HostAndPort("127.0.0.1", port), config.build());
        connects.add(System.nanoTime());
    }

    /** A refused connect; Jedis keeps the ConnectException of each address it tried as a suppressed exception. */
    private static boolean refused(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ConnectException) {
                return true;
            }
            for (Throwable s : c.getSuppressed()) {
                if (s instanceof ConnectException) {
                    return true;
                }
            }
        }
        return false;
    }

    /** One failed request: when, and what went wrong. */
    record Failure(long at, String client, String what) {
    }

    private void fail(long at, String what) {
        if (failures.size() < KEEP_FAILURES) {
            failures.add(new Failure(at, name, what));
        }
        pendingGetKey = null;
    }

    private void closeQuietly() {
        if (jedis != null) {
            try {
                jedis.close();
            } catch (RuntimeException ignored) {
                // dropping it anyway
            }
            jedis = null;
        }
    }

    private void record(long start, long nanos, boolean success) {
        if (count == sentAt.length) {
            sentAt = Arrays.copyOf(sentAt, count * 2);
            micros = Arrays.copyOf(micros, count * 2);
            ok = Arrays.copyOf(ok, count * 2);
        }
        sentAt[count] = start;
        micros[count] = (int) Math.min(Integer.MAX_VALUE, nanos / 1000);
        ok[count] = success;
        count++;
    }

    int count() {
        return count;
    }

    long sentAt(int i) {
        return sentAt[i];
    }

    int micros(int i) {
        return micros[i];
    }

    boolean ok(int i) {
        return ok[i];
    }
}
