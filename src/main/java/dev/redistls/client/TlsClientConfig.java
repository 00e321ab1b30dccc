package dev.redistls.client;

import dev.redistls.RedisTlsException;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where and how to connect: endpoint, TLS files, verification, credentials. Immutable; made by {@link #builder()}.
 * The password is kept out of {@link #toString()}.
 */
public final class TlsClientConfig {
    public static final int DEFAULT_PORT = 6379;
    public static final int DEFAULT_TIMEOUT_MILLIS = 5000;

    private final String host;
    private final int port;
    private final boolean tls;
    private final Path caCert;
    private final Path caCertDir;
    private final Path cert;
    private final Path key;
    private final String sni;
    private final VerifyMode verifyMode;
    private final String user;
    private final String password;
    private final int database;
    private final int timeoutMillis;

    private TlsClientConfig(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.tls = b.tls;
        this.caCert = b.caCert;
        this.caCertDir = b.caCertDir;
        this.cert = b.cert;
        this.key = b.key;
        this.sni = b.sni;
        this.verifyMode = b.verifyMode;
        this.user = b.user;
        this.password = b.password;
        this.database = b.database;
        this.timeoutMillis = b.timeoutMillis;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.host = host;
        b.port = port;
        b.tls = tls;
        b.caCert = caCert;
        b.caCertDir = caCertDir;
        b.cert = cert;
        b.key = key;
        b.sni = sni;
        b.verifyMode = verifyMode;
        b.user = user;
        b.password = password;
        b.database = database;
        b.timeoutMillis = timeoutMillis;
        return b;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** {@code host:port}, with brackets around an IPv6 literal. */
    public String endpoint() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    public boolean tls() {
        return tls;
    }

    public Path caCert() {
        return caCert;
    }

    public Path caCertDir() {
        return caCertDir;
    }

    public Path cert() {
        return cert;
    }

    public Path key() {
        return key;
    }

    public String sni() {
        return sni;
    }

    public VerifyMode verifyMode() {
        return verifyMode;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    public int database() {
        return database;
    }

    public int timeoutMillis() {
        return timeoutMillis;
    }

    /** Which trust the server's certificate was checked against, for messages. */
    public String trustSource() {
        if (caCert != null) {
            return "CA file " + caCert;
        }
        if (caCertDir != null) {
            return "CA dir " + caCertDir;
        }
        return "the system's trusted roots";
    }

    @Override
    public String toString() {
        return (tls ? "rediss://" : "redis://") + endpoint() + "/" + database + " verify=" + verifyMode
                + (password != null ? " (password set)" : "");
    }

    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = DEFAULT_PORT;
        private boolean tls;
        private Path caCert;
        private Path caCertDir;
        private Path cert;
        private Path key;
        private String sni;
        private VerifyMode verifyMode = VerifyMode.FULL;
        private String user;
        private String password;
        private int database;
        private int timeoutMillis = DEFAULT_TIMEOUT_MILLIS;

        public Builder host(String host) {
            this.host = Objects.requireNonNull(host);
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder tls(boolean tls) {
            this.tls = tls;
            return this;
        }

        public Builder caCert(Path caCert) {
            this.caCert = caCert;
            return this;
        }

        public Builder caCertDir(Path caCertDir) {
            this.caCertDir = caCertDir;
            return this;
        }

        public Builder cert(Path cert) {
            this.cert = cert;
            return this;
        }

        public Builder key(Path key) {
            this.key = key;
            return this;
        }

        public Builder sni(String sni) {
            this.sni = sni;
            return this;
        }

        public Builder verifyMode(VerifyMode verifyMode) {
            this.verifyMode = Objects.requireNonNull(verifyMode);
            return this;
        }

        public Builder user(String user) {
            this.user = user;
            return this;
        }

        public Builder password(String password) {
            this.password = password;
            return this;
        }

        public Builder database(int database) {
            this.database = database;
            return this;
        }

        public Builder timeoutMillis(int timeoutMillis) {
            this.timeoutMillis = timeoutMillis;
            return this;
        }

        /** Checks the values that can be checked without a network: ranges and that named files exist. */
        public TlsClientConfig build() {
            if (host.isBlank()) {
                throw RedisTlsException.badInput("host is empty");
            }
            if (port < 1 || port > 65535) {
                throw RedisTlsException.badInput("port " + port + " is not between 1 and 65535");
            }
            if (database < 0) {
                throw RedisTlsException.badInput("database " + database + " is negative");
            }
            if ((cert == null) != (key == null)) {
                throw RedisTlsException.badInput(cert == null
                        ? "--key given without --cert: pass both" : "--cert given without --key: pass both");
            }
            return new TlsClientConfig(this);
        }
    }
}
