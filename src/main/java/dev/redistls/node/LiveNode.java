package dev.redistls.node;

import dev.redistls.RedisTlsException;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

import javax.net.ssl.SSLContext;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A running Redis, reached through Jedis: reads and changes its configuration at run time. Every change is one
 * atomic multi-argument {@code CONFIG SET}: Redis applies all of it or none.
 */
public final class LiveNode implements AutoCloseable {
    private static final int TIMEOUT_MS = 5000;

    private final Jedis jedis;
    private final Endpoint endpoint;

    private LiveNode(Jedis jedis, Endpoint endpoint) {
        this.jedis = jedis;
        this.endpoint = endpoint;
    }

    /** Connects in plain text, or over TLS when {@code tls} is given; authenticates with {@code credentials}. */
    public static LiveNode connect(Endpoint endpoint, SSLContext tls, Credentials credentials) {
        DefaultJedisClientConfig.Builder cfg = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(TIMEOUT_MS)
                .socketTimeoutMillis(TIMEOUT_MS)
                .clientName("redis-tls");
        if (credentials.password() != null) {
            cfg.user(credentials.user()).password(credentials.password());
        }
        if (tls != null) {
            cfg.ssl(true).sslSocketFactory(tls.getSocketFactory());
        }
        Jedis jedis = null;
        try {
            // Jedis connects (and authenticates) in its constructor.
            jedis = new Jedis(new HostAndPort(endpoint.host(), endpoint.port()), cfg.build());
            jedis.ping();
            return new LiveNode(jedis, endpoint);
        } catch (JedisAccessControlException e) {
            closeQuietly(jedis);
            throw RedisTlsException.badInput("Redis at " + endpoint + " refused the password from " + credentials
                    + ": " + firstLine(e.getMessage()));
        } catch (JedisDataException e) {
            closeQuietly(jedis);
            String m = firstLine(e.getMessage());
            if (m.startsWith("NOAUTH")) {
                throw RedisTlsException.badInput("Redis at " + endpoint + " needs a password: set REDISCLI_AUTH or requirepass in the config");
            }
            throw RedisTlsException.failed("Redis at " + endpoint + " answered: " + m);
        } catch (JedisConnectionException e) {
            closeQuietly(jedis);
            throw new Unreachable(endpoint, e);
        }
    }

    private static void closeQuietly(Jedis jedis) {
        if (jedis == null) {
            return;
        }
        try {
            jedis.close();
        } catch (RuntimeException ignored) {
            // the connection is already broken; the reason is being reported
        }
    }

    /** The node is not there (refused, timed out, or not speaking the protocol). */
    public static final class Unreachable extends RedisTlsException {
        public Unreachable(Endpoint endpoint, Throwable cause) {
            super(FAILED, "Redis at " + endpoint + " is not reachable: " + firstLine(rootMessage(cause)), cause);
        }
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    public Map<String, String> configGet(String... names) {
        Map<String, String> out = new LinkedHashMap<>();
        byte[][] args = new byte[names.length][];
        for (int i = 0; i < names.length; i++) {
            args[i] = names[i].getBytes(StandardCharsets.UTF_8);
        }
        try {
            jedis.configGet(args).forEach((k, v) -> out.put(new String(k, StandardCharsets.UTF_8), new String(v, StandardCharsets.UTF_8)));
        } catch (JedisDataException e) {
            throw RedisTlsException.failed("CONFIG GET on " + endpoint + " failed: " + firstLine(e.getMessage()));
        }
        return out;
    }

    /** One atomic CONFIG SET of every pair, in the given order. Fails as a whole, naming Redis's reason. */
    public void configSet(Map<String, String> values) {
        if (values.isEmpty()) {
            return;
        }
        byte[][] args = new byte[values.size() * 2][];
        int i = 0;
        for (Map.Entry<String, String> e : values.entrySet()) {
            args[i++] = e.getKey().getBytes(StandardCharsets.UTF_8);
            args[i++] = e.getValue().getBytes(StandardCharsets.UTF_8);
        }
        try {
            jedis.configSet(args);
        } catch (JedisDataException e) {
            throw RedisTlsException.failed("Redis at " + endpoint + " refused CONFIG SET " + String.join(" ", values.keySet())
                    + ": " + firstLine(e.getMessage()));
        }
    }

    /** The server's version, e.g. "7.0.15". */
    public String version() {
        return infoField("redis_version");
    }

    /**
     * Why this node cannot take a TLS change live, if it cannot: Redis 6 cannot open or move a TLS port with
     * CONFIG SET (Redis 7 can), and a hardened node may have CONFIG renamed or disabled (rename-command).
     */
    public java.util.Optional<String> whyNotLive() {
        String v = version();
        try {
            if (Integer.parseInt(v.substring(0, v.indexOf('.'))) < 7) {
                return java.util.Optional.of("Redis " + v + " at " + endpoint + " cannot change TLS ports live (Redis 7 can)");
            }
        } catch (RuntimeException e) {
            // an unusual version string: try live
        }
        try {
            jedis.configGet("port".getBytes(StandardCharsets.UTF_8));
        } catch (JedisDataException e) {
            return java.util.Optional.of("CONFIG is renamed or disabled on Redis at " + endpoint
                    + " (rename-command), and redis-tls applies changes live with CONFIG SET");
        }
        return java.util.Optional.empty();
    }

    public long processId() {
        return Long.parseLong(infoField("process_id"));
    }

    /** Whether the node is a Sentinel (whose TLS settings cannot all change at run time). */
    public boolean isSentinel() {
        return "sentinel".equals(infoField("redis_mode"));
    }

    public String infoField(String field) {
        for (String line : jedis.info("server").split("\r?\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1).trim();
            }
        }
        return "";
    }

    public String ping() {
        return jedis.ping();
    }

    @Override
    public void close() {
        closeQuietly(jedis);
    }

    static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse(s);
    }

    static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }
}
