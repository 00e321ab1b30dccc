package dev.redistls.conf;

import dev.redistls.RedisTlsException;

/**
 * The mode options a person gave (null: not given), applied to a node's current settings. Refuses combinations
 * Redis would not run with before anything is touched.
 */
public record ModeChange(Integer port, Integer tlsPort, boolean tlsOnly, AuthClients authClients,
                         Boolean replication, Boolean cluster, TlsProfile profile) {

    public static final int DEFAULT_TLS_PORT = 6380;

    public TlsSettings applyTo(TlsSettings base) {
        int newPort;
        int newTls;
        if (tlsOnly) {
            if (port != null && port != 0) {
                throw RedisTlsException.badInput("--tls-only closes the plain port; it cannot be combined with --port " + port);
            }
            newPort = 0;
            // TLS moves to the port clients already use, unless told otherwise.
            newTls = tlsPort != null ? tlsPort : (base.port() != 0 ? base.port() : base.tlsPort());
        } else {
            newPort = port != null ? port : base.port();
            newTls = tlsPort != null ? tlsPort : base.tlsPort();
        }
        check("--tls-port", newTls, 1);
        check("--port", newPort, 0);
        if (newPort == newTls) {
            throw RedisTlsException.badInput("tls-port " + newTls + " equals port " + newPort
                    + ": choose another --tls-port, or --tls-only to serve only TLS on it");
        }
        return new TlsSettings(newPort, newTls,
                authClients != null ? authClients : base.authClients(),
                replication != null ? replication : base.replication(),
                cluster != null ? cluster : base.cluster(),
                profile != null ? profile : base.profile(),
                base.certFile(), base.keyFile(), base.caFile());
    }

    private static void check(String option, int value, int min) {
        if (value < min || value > 65535) {
            throw RedisTlsException.badInput(option + " must be " + min + "-65535, got " + value);
        }
    }
}
