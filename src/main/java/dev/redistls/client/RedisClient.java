package dev.redistls.client;

import dev.redistls.StartupTrace;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.DefaultJedisSocketFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisSocketFactory;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.RedisInputStream;
import redis.clients.jedis.util.SafeEncoder;

import javax.net.ssl.SSLSocket;
import java.io.Closeable;
import java.io.IOException;
import java.net.Socket;
import java.util.List;

/**
 * One connection to a Redis node through Jedis' {@link Connection}, which speaks RESP; commands are sent as given
 * (any name, any arguments) and replies come back as {@link Reply} values. The {@code Jedis} facade is left out:
 * a raw command needs none of its typed commands, and loading them (with their reply builders) cost a cold
 * {@code cli PING} some 40 ms.
 */
public final class RedisClient implements Closeable {
    private final TlsClientConfig config;
    private final TlsContext tls;
    private final StatusAwareConnection connection;

    private RedisClient(TlsClientConfig config, TlsContext tls, StatusAwareConnection connection) {
        this.config = config;
        this.tls = tls;
        this.connection = connection;
    }

    /**
     * Connects, completes the TLS handshake and authenticates. A failure is thrown as a {@link RedisTlsException}
     * whose one-line message says what to do ({@link TlsErrors}).
     */
    public static RedisClient connect(TlsClientConfig c) {
        DefaultJedisClientConfig.Builder b = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(c.timeoutMillis())
                // Bounded while connecting (a TLS client on a plaintext port waits forever for a handshake
                // reply); unbounded afterwards, for BLPOP, SUBSCRIBE and MONITOR.
                .socketTimeoutMillis(c.timeoutMillis())
                .clientSetInfoConfig(ClientSetInfoConfig.DISABLED)
                .database(c.database());
        if (c.user() != null) {
            b.user(c.user());
        }
        if (c.password() != null) {
            b.password(c.password());
        }
        TlsContext tls = c.tls() ? TlsContext.of(c) : null;
        if (tls != null) {
            b.ssl(true).sslSocketFactory(tls.socketFactory()).sslParameters(tls.parameters());
        }
        JedisClientConfig jc = b.build();
        StatusAwareConnection conn;
        try {
            conn = new StatusAwareConnection(new HostAndPort(c.host(), c.port()), jc);
        } catch (JedisException e) {
            throw TlsErrors.explain(e, c, served(tls));
        }
        StartupTrace.mark(c.password() != null ? "AUTH" : "connected");
        RedisClient client = new RedisClient(c, tls, conn);
        // Jedis sends nothing on connect without a password or database: a PING proves the handshake and that
        // the server answers (or wants a password) before the user's command is sent.
        if (c.password() == null && c.database() == 0) {
            Reply pong;
            try {
                pong = client.execute(List.of("PING"));
            } catch (RuntimeException e) {
                client.close();
                throw e;
            }
            if (pong instanceof Reply.Error err && err.message().startsWith("NOAUTH")) {
                client.close();
                throw TlsErrors.explain(new JedisAccessControlException(err.message()), c, served(tls));
            }
        }
        try {
            conn.setTimeoutInfinite();
        } catch (JedisException e) {
            client.close();
            throw TlsErrors.explain(e, c, served(tls));
        }
        return client;
    }

    public TlsClientConfig config() {
        return config;
    }

    /** Sends one command; an error reply comes back as {@link Reply.Error}, a broken connection is thrown. */
    public Reply execute(List<String> args) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        ProtocolCommand name = new RawCommand(args.get(0));
        byte[][] rest = args.subList(1, args.size()).stream().map(SafeEncoder::encode).toArray(byte[][]::new);
        connection.markStatus = true;
        try {
            connection.sendCommand(name, rest);
            return Reply.of(connection.getOne());
        } catch (JedisDataException e) {
            // Jedis throws every error reply (ERR, WRONGTYPE, NOAUTH, MOVED ...); it is still just a reply.
            return new Reply.Error(e.getMessage());
        } catch (JedisException e) {
            throw TlsErrors.explain(e, config, served(tls));
        } finally {
            connection.markStatus = false;
        }
    }

    @Override
    public void close() {
        try {
            if (connection.isBroken()) {
                // A graceful close would flush, and on a half-done handshake retry it until the timeout.
                connection.forceDisconnect();
            } else {
                connection.close();
            }
        } catch (JedisException | IOException ignored) {
            // closing a broken connection: the error that matters was already reported
        }
    }

    private static TlsContext.ServedChain served(TlsContext tls) {
        return tls == null ? null : tls.served();
    }

    /** A command name as typed: Redis is case-insensitive and knows better than a client which names exist. */
    private record RawCommand(String name) implements ProtocolCommand {
        @Override
        public byte[] getRaw() {
            return SafeEncoder.encode(name);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * Completes the TLS handshake before Jedis writes anything, so that a failed handshake is reported as such
     * (not as a failed AUTH) and the socket is dropped at once: Jedis' cleanup after a failed first command
     * flushes, which on a half-done handshake waits for another timeout.
     */
    private record HandshakeFirst(DefaultJedisSocketFactory delegate) implements JedisSocketFactory {
        @Override
        public Socket createSocket() {
            Socket socket = delegate.createSocket();
            if (socket instanceof SSLSocket ssl) {
                try {
                    ssl.startHandshake();
                    StartupTrace.mark("connect + handshake");
                } catch (IOException e) {
                    try {
                        socket.close();
                    } catch (IOException ignored) {
                        // the handshake failure is what gets reported
                    }
                    throw new JedisConnectionException("TLS handshake failed", e);
                }
            }
            return socket;
        }
    }

    /**
     * Jedis returns a status reply ({@code +OK}) and a bulk string as the same {@code byte[]}; redis-cli prints
     * them differently (OK vs "OK"). This connection peeks at the reply's type byte for the user's commands
     * only (Jedis' own AUTH/SELECT expect plain bytes).
     */
    private static final class StatusAwareConnection extends Connection {
        boolean markStatus;

        StatusAwareConnection(HostAndPort hp, JedisClientConfig config) {
            super(new HandshakeFirst(new DefaultJedisSocketFactory(hp, config)), config);
        }

        @Override
        protected Object protocolRead(RedisInputStream is) {
            if (markStatus && is.peek((byte) '+')) {
                return new Reply.Status(SafeEncoder.encode((byte[]) super.protocolRead(is)));
            }
            return super.protocolRead(is);
        }
    }
}
