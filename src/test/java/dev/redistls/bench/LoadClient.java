package dev.redistls.bench;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * One benchmark client: a single persistent connection (plain or TLS) paced at a fixed rate, alternating
 * {@code SET k v} and {@code GET k} (which must answer {@code v}). A request that throws, times out or gets a wrong
 * reply is a failed request; the connection is then dropped and the next request reconnects (counted).
 * A minimal RESP client, so that nothing (pooling, retries, auto-reconnect) hides a failure.
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

    private Socket socket;
    private InputStream in;
    private OutputStream out;
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
                if (stopWhenRefused && e instanceof ConnectException) {
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
        if (socket == null) {
            connect();
        }
        if (pendingGetKey != null) {
            String key = pendingGetKey;
            String want = pendingGetValue;
            pendingGetKey = null;
            String got = send("GET", key);
            if (!want.equals(got)) {
                fail(System.nanoTime(), "GET " + key + " answered " + got + ", expected " + want);
                return false;
            }
            return true;
        }
        String key = "bench:" + name + ":" + (iteration % 100);
        String value = name + "-" + iteration++;
        String got = send("SET", key, value);
        if (!"OK".equals(got)) {
            fail(System.nanoTime(), "SET answered " + got);
            return false;
        }
        pendingGetKey = key;
        pendingGetValue = value;
        return true;
    }

    private void connect() throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MS);
            s.setSoTimeout(TIMEOUT_MS);
            if (tls != null) {
                SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(s, "127.0.0.1", port, true);
                SSLParameters p = ssl.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                ssl.setSSLParameters(p);
                ssl.startHandshake();
                s = ssl;
            }
            socket = s;
            in = new BufferedInputStream(s.getInputStream());
            out = new BufferedOutputStream(s.getOutputStream());
            String auth = send("AUTH", password);
            if (!"OK".equals(auth)) {
                throw new IOException("AUTH answered " + auth);
            }
            connects.add(System.nanoTime());
        } catch (IOException | RuntimeException e) {
            s.close();
            socket = null;
            throw e;
        }
    }

    /** Sends one command and reads one reply: simple string, bulk string (null as "(nil)"), or an error. */
    private String send(String... args) throws IOException {
        StringBuilder cmd = new StringBuilder().append('*').append(args.length).append("\r\n");
        for (String a : args) {
            cmd.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        }
        out.write(cmd.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        int type = in.read();
        String line = readLine();
        switch (type) {
            case '+':
            case ':':
                return line;
            case '-':
                return "-" + line;
            case '$': {
                int len = Integer.parseInt(line);
                if (len < 0) {
                    return "(nil)";
                }
                byte[] data = in.readNBytes(len + 2);
                if (data.length != len + 2) {
                    throw new EOFException("connection closed in a reply");
                }
                return new String(data, 0, len, StandardCharsets.UTF_8);
            }
            case -1:
                throw new EOFException("connection closed by the server");
            default:
                throw new IOException("unexpected reply type " + (char) type);
        }
    }

    private String readLine() throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r') {
            if (c == -1) {
                throw new EOFException("connection closed by the server");
            }
            b.append((char) c);
        }
        in.read();
        return b.toString();
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
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // dropping it anyway
            }
            socket = null;
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
