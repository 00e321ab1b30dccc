package dev.redistls.cli;

import dev.redistls.conf.AuthClients;
import dev.redistls.conf.ModeChange;
import dev.redistls.conf.TlsProfile;
import picocli.CommandLine.Option;

/** How the node serves TLS: ports, tls-only, client certificates, TLS for replication and the cluster bus. */
public final class ModeOptions {
    @Option(names = "--tls-port", paramLabel = "N", description = "TLS port (install default: 6380; with --tls-only: the current plain port).")
    Integer tlsPort;

    @Option(names = "--port", paramLabel = "N", description = "Plain port (default: keep the current one).")
    Integer port;

    @Option(names = "--tls-only", description = "Close the plain port (port 0) and serve TLS on the port clients already use.")
    boolean tlsOnly;

    @Option(names = "--auth-clients", paramLabel = "no|optional|yes", description = "Require client certificates (install default: optional).")
    String authClients;

    @Option(names = "--replication", negatable = true, description = "TLS for replication (tls-replication yes).")
    Boolean replication;

    @Option(names = "--cluster", negatable = true, description = "TLS on the cluster bus (tls-cluster yes).")
    Boolean cluster;

    @Option(names = "--tls-profile", paramLabel = "intermediate|modern",
            description = "intermediate (default): TLS 1.2 and 1.3, ECDHE with AEAD suites only; modern: TLS 1.3 only.")
    String profile;

    public ModeChange change() {
        return new ModeChange(port, tlsPort, tlsOnly, authClients == null ? null : AuthClients.parse(authClients),
                replication, cluster, profile == null ? null : TlsProfile.parse(profile));
    }

    /** Whether the change closes the plain port (clients still on it are cut off). */
    public boolean closesPlainPort() {
        return tlsOnly || (port != null && port == 0);
    }

    public boolean any() {
        return tlsPort != null || port != null || tlsOnly || authClients != null || replication != null || cluster != null
                || profile != null;
    }
}
