package dev.redistls.node;

import dev.redistls.RedisTlsException;
import dev.redistls.conf.TlsProfile;
import dev.redistls.host.Host;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisSocketFactory;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
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

    /**
     * Connects through {@code host} (a forwarded channel when the host is remote) in plain text, or over TLS when
     * {@code tls} is given (the handshake done here, so a failed one is named at once); authenticates with
     * {@code credentials}, whose password goes as its exact bytes.
     */
    public static LiveNode connect(Host host, Endpoint endpoint, SSLContext tls, Credentials credentials) {
        DefaultJedisClientConfig cfg = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(TIMEOUT_MS)
                .socketTimeoutMillis(TIMEOUT_MS)
                .build();
        JedisSocketFactory sockets = () -> {
            try {
                return open(host, endpoint, tls);
            } catch (IOException e) {
                throw new JedisConnectionException(e);
            }
        };
        Jedis jedis = null;
        try {
            jedis = new Jedis(sockets, cfg);
            if (credentials.password() != null) {
                byte[][] auth = credentials.user() == null ? new byte[][] {credentials.password()}
                        : new byte[][] {credentials.user().getBytes(StandardCharsets.UTF_8), credentials.password()};
                jedis.sendCommand(Protocol.Command.AUTH, auth);
            }
            jedis.clientSetname("redis-tls");
            return new LiveNode(jedis, endpoint);
        } catch (JedisAccessControlException e) {
            closeQuietly(jedis);
            throw RedisTlsException.badInput("Redis at " + endpoint + where(host) + " refused the password from " + credentials
                    + ": " + firstLine(e.getMessage()));
        } catch (JedisDataException e) {
            closeQuietly(jedis);
            String m = firstLine(e.getMessage());
            if (m.startsWith("NOAUTH")) {
                throw RedisTlsException.badInput("Redis at " + endpoint + where(host) + " needs a password: set REDISCLI_AUTH or requirepass in the config");
            }
            if (m.startsWith("WRONGPASS") || m.startsWith("ERR invalid password") || m.contains("AUTH <password> called without")) {
                throw RedisTlsException.badInput("Redis at " + endpoint + where(host) + " refused the password from " + credentials + ": " + m);
            }
            throw RedisTlsException.failed("Redis at " + endpoint + where(host) + " answered: " + m);
        } catch (JedisConnectionException e) {
            closeQuietly(jedis);
            throw new Unreachable(endpoint, host, e);
        }
    }

    /** A socket to the endpoint as the host sees it, with the TLS handshake done when {@code tls} is given. */
    static Socket open(Host host, Endpoint endpoint, SSLContext tls) throws IOException {
        Socket raw = host.connect(endpoint.host(), endpoint.port(), Duration.ofMillis(TIMEOUT_MS));
        try {
            raw.setSoTimeout(TIMEOUT_MS);
            if (tls == null) {
                return raw;
            }
            SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(raw, endpoint.host(), endpoint.port(), true);
            s.setEnabledProtocols(TlsProfile.JAVA_PROTOCOLS);
            s.startHandshake();
            return s;
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    private static String where(Host host) {
        return host.isLocal() ? "" : " on " + host.name();
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
        public Unreachable(Endpoint endpoint, Host host, Throwable cause) {
            super(FAILED, "Redis at " + endpoint + where(host) + " is not reachable: " + firstLine(rootMessage(cause)), cause);
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

    /** Who is connected, on which listener (see {@link ClientConnections}); this connection left out. */
    public ClientConnections clients(int plainPort, int tlsPort) {
        try {
            long own = jedis.clientId();
            return ClientConnections.parse(jedis.clientList(), plainPort, tlsPort, own);
        } catch (JedisDataException e) {
            throw RedisTlsException.failed("CLIENT LIST on " + endpoint + " failed: " + firstLine(e.getMessage()));
        }
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

    /** {@code INFO section} as fields (replication, stats, server ...): what a group reads roles and resyncs from. */
    public Map<String, String> info(String section) {
        Map<String, String> out = new LinkedHashMap<>();
        try {
            for (String line : jedis.info(section).split("\r?\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && !line.startsWith("#")) {
                    out.put(line.substring(0, colon), line.substring(colon + 1).trim());
                }
            }
        } catch (JedisDataException e) {
            throw RedisTlsException.failed("INFO " + section + " on " + endpoint + " failed: " + firstLine(e.getMessage()));
        }
        return out;
    }

    /** {@code REPLICAOF host port}: (re-)points a replica live; a link that was up resumes by partial resync where it can. */
    public void replicaOf(String host, int port) {
        try {
            jedis.replicaof(host, port);
        } catch (JedisDataException e) {
            throw RedisTlsException.failed("Redis at " + endpoint + " refused REPLICAOF " + host + " " + port + ": "
                    + firstLine(e.getMessage()));
        }
    }

    /**
     * A {@code SENTINEL} subcommand on a Sentinel, its reply as text: a flat field/value array becomes a map, an
     * array of those a list of maps (SENTINEL MASTERS, REPLICAS, SENTINELS); anything else its string form.
     */
    public Object sentinel(String... args) {
        try {
            return text(jedis.sendCommand(Protocol.Command.SENTINEL, args));
        } catch (JedisDataException e) {
            throw RedisTlsException.failed("Sentinel at " + endpoint + " refused SENTINEL " + String.join(" ", args) + ": "
                    + firstLine(e.getMessage()));
        }
    }

    /**
     * A {@code CLUSTER} subcommand, its reply as text: a bulk string (CLUSTER NODES, INFO), a list of maps (CLUSTER
     * LINKS, SHARDS), or a simple reply's string form.
     */
    public Object cluster(String... args) {
        try {
            return text(jedis.sendCommand(Protocol.Command.CLUSTER, args));
        } catch (JedisDataException e) {
            throw RedisTlsException.failed("Redis at " + endpoint + " refused CLUSTER " + String.join(" ", args) + ": "
                    + firstLine(e.getMessage()));
        }
    }

    /** The server's clock ({@code TIME}), in milliseconds since the epoch: what CLUSTER LINKS' create-time is read against. */
    public long timeMillis() {
        java.util.List<String> t = jedis.time();
        return Long.parseLong(t.get(0)) * 1000 + Long.parseLong(t.get(1)) / 1000;
    }

    private static Object text(Object reply) {
        if (reply instanceof byte[] b) {
            return new String(b, StandardCharsets.UTF_8);
        }
        if (reply instanceof java.util.List<?> list) {
            boolean flat = !list.isEmpty() && list.size() % 2 == 0 && list.stream().allMatch(x -> x instanceof byte[]);
            if (flat) {
                Map<String, String> m = new LinkedHashMap<>();
                for (int i = 0; i < list.size(); i += 2) {
                    m.put((String) text(list.get(i)), (String) text(list.get(i + 1)));
                }
                return m;
            }
            return list.stream().map(LiveNode::text).toList();
        }
        return reply == null ? null : String.valueOf(reply);
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
