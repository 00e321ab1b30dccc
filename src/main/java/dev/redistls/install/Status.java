package dev.redistls.install;

import dev.redistls.RedisTlsException;
import dev.redistls.conf.TlsProfile;
import dev.redistls.conf.TlsSettings;
import dev.redistls.files.SafeFiles;
import dev.redistls.node.ClientConnections;
import dev.redistls.node.LiveApply;
import dev.redistls.node.LiveNode;
import dev.redistls.node.Node;
import dev.redistls.node.TlsProbe;
import dev.redistls.pki.CertInfo;
import dev.redistls.pki.CertificateAuthority;
import dev.redistls.pki.HostNames;
import dev.redistls.pki.KeysDir;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a node is configured to do and what it does live: the config's TLS settings, the certificates with days
 * left, the TLS policy it serves, and a real handshake whose served fingerprint is compared with the file's.
 */
public final class Status {
    /** Leaves with fewer days left than this are warned about. */
    public static final int WARN_DAYS = 30;

    public record Certs(CertInfo root, CertInfo server, CertInfo client) {
    }

    /** {@code clients}: who is connected on the plain and the TLS port (null when not reachable or not readable). */
    public record Live(boolean reachable, boolean tlsHandshake, String servedSha256, String protocol, String suite,
                       String error, Map<String, String> config, Long processId, ClientConnections clients) {
    }

    /**
     * {@code host}: null for this machine; {@code hostName}: the node host's own name. {@code trust}: the roots of
     * {@code server/root.crt} (two during a rollover); {@code signedBy}: for "server" and "client", the SHA-256 of
     * the trusted root that signed that leaf (absent: none of them did). {@code names}: the host's current names
     * against the server certificate's (null without one).
     */
    public record Snapshot(String host, String hostName, Path conf, KeysDir keys, boolean installed,
                           TlsSettings configured, Certs certs, List<CertInfo> trust, Map<String, String> signedBy,
                           HostNames.Check names, Live live) {
        public String mode() {
            if (configured.tlsPort() == 0) {
                return "off";
            }
            return configured.modeName();
        }

        /** Whether the served certificate is the one in the keys dir. */
        public boolean servesFileCertificate() {
            return certs.server() != null && certs.server().sha256().equals(live.servedSha256());
        }

        /** The TLS profile served live (else configured), or what is wrong with it. */
        public String policy() {
            Map<String, String> values = live.config() != null ? live.config() : null;
            Optional<TlsProfile> p = values != null ? TlsProfile.of(values) : Optional.ofNullable(configured.profile());
            String negotiated = live.suite() == null ? "" : " (negotiated " + live.protocol() + " " + live.suite() + ")";
            return p.map(x -> x.word() + negotiated)
                    .orElse("not a redis-tls profile: tls-protocols/tls-ciphers allow more than TLS 1.2+ with forward-secret AEAD"
                            + " suites; run 'redis-tls configure --tls-profile intermediate'" + negotiated);
        }
    }

    private Status() {
    }

    public static Snapshot of(Node node) {
        return of(node, new Phases());
    }

    /** As {@link #of(Node)}, marking its phases (files read, live check) on {@code phases}. */
    public static Snapshot of(Node node, Phases phases) {
        KeysDir keys = node.keys();
        TlsSettings configured = node.configuredSettings();
        Certs certs = new Certs(info(keys, keys.serverRoot()), info(keys, keys.serverCert()), info(keys, keys.clientCert()));
        List<X509Certificate> roots = keys.has(keys.serverRoot()) ? keys.trust(keys.serverRoot()) : List.of();
        Map<String, String> signedBy = new LinkedHashMap<>();
        X509Certificate server = keys.has(keys.serverCert()) ? keys.certificate(keys.serverCert()) : null;
        signer(roots, server).ifPresent(r -> signedBy.put("server", CertInfo.sha256(r)));
        if (keys.has(keys.clientCert())) {
            signer(roots, keys.certificate(keys.clientCert())).ifPresent(r -> signedBy.put("client", CertInfo.sha256(r)));
        }
        HostNames.Check names = server == null ? null : HostNames.check(server, node.host().facts());
        boolean installed = node.isInstalled();
        phases.mark("read config and certificates");
        Live live = live(node);
        phases.mark("live check");
        return new Snapshot(node.host().isLocal() ? null : node.host().name(), node.host().facts().hostName(),
                node.confPath(), keys, installed, configured, certs,
                roots.stream().map(CertInfo::of).toList(), signedBy, names, live);
    }

    /** The root among {@code roots} whose key signed {@code leaf}. */
    public static Optional<X509Certificate> signer(List<X509Certificate> roots, X509Certificate leaf) {
        return CertificateAuthority.signer(roots, leaf);
    }

    private static Live live(Node node) {
        Map<String, String> config = null;
        Long pid = null;
        ClientConnections clients = null;
        LiveNode live;
        try {
            live = node.connect();
        } catch (RedisTlsException e) {
            return new Live(false, false, null, null, null, e.getMessage(), null, null, null);
        }
        try (live) {
            if (live.isSentinel()) {
                // Sentinel has no CONFIG command: the TLS port is the one its file gives, probed live.
                pid = live.processId();
                if (node.tlsPort() == 0 || !node.keys().isComplete()) {
                    return new Live(true, false, null, null, null, node.tlsPort() == 0 ? "TLS is not configured"
                            : "no client certificate to probe with", null, pid, null);
                }
                TlsProbe.Handshake hs = TlsProbe.handshake(node.host(), live.endpoint().withPort(node.tlsPort()),
                        node.keys().clientContext());
                return new Live(true, hs.ok(), hs.ok() ? CertInfo.sha256(hs.served()) : null, hs.protocol(), hs.suite(),
                        hs.failure(), null, pid, null);
            }
            config = LiveApply.snapshot(live);
            pid = live.processId();
            int tlsPort = Integer.parseInt(config.getOrDefault("tls-port", "0"));
            clients = clients(live, config);
            if (tlsPort == 0 || !node.keys().isComplete()) {
                return new Live(true, false, null, null, null,
                        tlsPort == 0 ? "TLS is not enabled live" : "no client certificate to probe with", config, pid, clients);
            }
            TlsProbe.Handshake hs = TlsProbe.handshake(node.host(), live.endpoint().withPort(tlsPort), node.keys().clientContext());
            return new Live(true, hs.ok(), hs.ok() ? CertInfo.sha256(hs.served()) : null, hs.protocol(), hs.suite(),
                    hs.failure(), config, pid, clients);
        } catch (RedisTlsException e) {
            return new Live(true, false, null, null, null, e.getMessage(), config, pid, clients);
        }
    }

    /** The live node's clients on its live ports; null when CLIENT is renamed away (status still reports the rest). */
    private static ClientConnections clients(LiveNode live, Map<String, String> config) {
        try {
            return live.clients(Integer.parseInt(config.getOrDefault("port", "0")), Integer.parseInt(config.getOrDefault("tls-port", "0")));
        } catch (RedisTlsException | NumberFormatException e) {
            return null;
        }
    }

    private static CertInfo info(KeysDir keys, Path file) {
        if (!new SafeFiles(keys.host()).exists(file)) {
            return null;
        }
        return CertInfo.of(keys.certificate(file));
    }

    /** The documented {@code status --json} shape. */
    public static Map<String, Object> json(Snapshot s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host", s.host());
        m.put("conf", s.conf().toString());
        m.put("keysDir", s.keys().dir().toString());
        m.put("installed", s.installed());
        m.put("mode", s.mode());
        Map<String, Object> ports = new LinkedHashMap<>();
        ports.put("plain", s.configured().port());
        ports.put("tls", s.configured().tlsPort());
        m.put("ports", ports);
        m.put("authClients", s.configured().authClients().word());
        m.put("replication", s.configured().replication());
        m.put("cluster", s.configured().cluster());
        m.put("tlsProfile", s.configured().profile() == null ? null : s.configured().profile().word());
        Map<String, Object> certs = new LinkedHashMap<>();
        certs.put("root", certJson(s.certs().root()));
        certs.put("server", leafJson(s.certs().server(), s.signedBy().get("server")));
        certs.put("client", leafJson(s.certs().client(), s.signedBy().get("client")));
        m.put("certificates", certs);
        m.put("trust", s.trust().stream().map(CertInfo::toMap).toList());
        m.put("hostName", s.hostName());
        m.put("names", s.names() == null ? null : s.names().toMap());
        Map<String, Object> live = new LinkedHashMap<>();
        live.put("reachable", s.live().reachable());
        live.put("tlsHandshake", s.live().tlsHandshake());
        live.put("servedSha256", s.live().servedSha256());
        live.put("servesFileCertificate", s.servesFileCertificate());
        live.put("protocol", s.live().protocol());
        live.put("cipherSuite", s.live().suite());
        live.put("processId", s.live().processId());
        if (s.live().config() != null) {
            live.put("ports", Map.of("plain", Integer.parseInt(s.live().config().get("port")),
                    "tls", Integer.parseInt(s.live().config().get("tls-port"))));
            live.put("authClients", s.live().config().get("tls-auth-clients"));
            live.put("tlsProfile", TlsProfile.of(s.live().config()).map(TlsProfile::word).orElse(null));
        }
        live.put("error", s.live().error());
        m.put("live", live);
        m.put("clients", s.live().clients() == null ? null : s.live().clients().toMap());
        return m;
    }

    private static Map<String, Object> certJson(CertInfo c) {
        return c == null ? null : c.toMap();
    }

    private static Map<String, Object> leafJson(CertInfo c, String signedBy) {
        if (c == null) {
            return null;
        }
        Map<String, Object> m = c.toMap();
        m.put("signedBy", signedBy);
        return m;
    }

    public static Optional<String> expiryWarning(String what, CertInfo c) {
        if (c != null && c.daysLeft() < WARN_DAYS) {
            return Optional.of(what + " certificate expires in " + c.daysLeft() + " days: run 'redis-tls renew'");
        }
        return Optional.empty();
    }
}
