package dev.redistls.conf;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The TLS part of a node's configuration, as the tool owns it. {@code port == 0} is the add-on's "forcing SSL
 * connection" (tls-only); otherwise the plain port stays beside TLS (dual).
 */
public record TlsSettings(int port, int tlsPort, AuthClients authClients, boolean replication, boolean cluster,
                          TlsProfile profile, Path certFile, Path keyFile, Path caFile) {

    /** The directives in the order they are written and applied: files first, then what opens the port. */
    public Map<String, List<String>> directives() {
        Map<String, List<String>> d = new LinkedHashMap<>();
        d.put("tls-cert-file", List.of(certFile.toString()));
        d.put("tls-key-file", List.of(keyFile.toString()));
        d.put("tls-ca-cert-file", List.of(caFile.toString()));
        d.put("tls-auth-clients", List.of(authClients.word()));
        profile.directives().forEach((k, v) -> d.put(k, List.of(v)));
        d.put("tls-replication", List.of(replication ? "yes" : "no"));
        d.put("tls-cluster", List.of(cluster ? "yes" : "no"));
        d.put("port", List.of(String.valueOf(port)));
        d.put("tls-port", List.of(String.valueOf(tlsPort)));
        return d;
    }

    public boolean tlsOnly() {
        return port == 0;
    }

    public String modeName() {
        return tlsOnly() ? "tls-only" : "dual";
    }
}
