package dev.redistls.node;

import dev.redistls.RedisTlsException;
import dev.redistls.host.Host;

import javax.net.ssl.SSLContext;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where a Redis Cluster node sends clients that follow MOVED/ASK or build their slot map from CLUSTER SLOTS, and
 * which of those answers break plain-text or TLS clients on the version it runs.
 * <ul>
 *   <li>Redis before 7.2 announces one client port per node: the TLS port with {@code tls-cluster yes}, the plain
 *       port otherwise. A TLS client is always given that port; a plain-text client is given the plain port instead
 *       only by a node that has tls-cluster yes itself (and knows the peer's plain port). So tls-port without
 *       tls-cluster sends TLS clients to plain ports, and in a cluster whose nodes disagree on tls-cluster the nodes
 *       with "no" send plain-text clients to the TLS ports of those with "yes".</li>
 *   <li>With {@code cluster-announce-tls-port} set, 7.0 announces {@code cluster-announce-port} as the plain port
 *       (none when it is 0: plain-text clients get the TLS port); with {@code cluster-announce-port} set and no
 *       cluster-announce-tls-port, it announces the plain one as its only port (TLS clients get a plain port).</li>
 *   <li>Redis 7.2 announces both ports and answers each client with the port of its kind; but each node reads a
 *       peer's two ports in the order its own tls-cluster implies, so nodes that disagree on it swap each other's
 *       ports.</li>
 * </ul>
 * {@link #rules} states what the settings imply; {@link #probe} asks the node and tries every endpoint it names,
 * from the node's host, the way a client would.
 */
public final class ClusterRedirects {
    /** What clients of one kind meet: {@code clients} "TLS" or "plain-text". */
    public record Problem(String clients, String detail) {
    }

    private ClusterRedirects() {
    }

    /** Whether the node runs Redis Cluster. */
    public static boolean enabled(LiveNode live) {
        return "1".equals(live.info("cluster").get("cluster_enabled"));
    }

    public static boolean before72(String version) {
        try {
            String[] v = version.split("\\.");
            int major = Integer.parseInt(v[0]);
            int minor = v.length > 1 ? Integer.parseInt(v[1]) : 0;
            return major < 7 || (major == 7 && minor < 2);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The settings CONFIG GET must read for {@link #rules}. */
    public static final List<String> SETTINGS = List.of("port", "tls-port", "tls-cluster", "cluster-announce-port",
            "cluster-announce-tls-port");

    /** What this node's own settings imply for clients on {@code version}. */
    public static List<Problem> rules(String version, Map<String, String> config) {
        List<Problem> out = new ArrayList<>();
        if (!before72(version)) {
            return out;
        }
        boolean tlsPort = !"0".equals(config.getOrDefault("tls-port", "0"));
        boolean tlsCluster = "yes".equals(config.get("tls-cluster"));
        boolean announcePort = !"0".equals(config.getOrDefault("cluster-announce-port", "0"));
        boolean announceTls = !"0".equals(config.getOrDefault("cluster-announce-tls-port", "0"));
        boolean plainOpen = !"0".equals(config.getOrDefault("port", "6379")); // tls-only: no plain-text client at all
        if (tlsPort && !tlsCluster) {
            out.add(new Problem("TLS", "on Redis " + version + " with tls-cluster no, this node sends TLS clients that follow"
                    + " MOVED/ASK or read CLUSTER SLOTS to plain ports (before 7.2 a node's TLS port is announced only with"
                    + " tls-cluster yes)"));
        }
        if (plainOpen && tlsCluster && announceTls && !announcePort) {
            out.add(new Problem("plain-text", "on Redis " + version + " with cluster-announce-tls-port set and"
                    + " cluster-announce-port 0, this node announces no plain port: plain-text clients are sent to its TLS port"));
        }
        if (tlsCluster && announcePort && !announceTls) {
            out.add(new Problem("TLS", "on Redis " + version + " with tls-cluster yes and cluster-announce-port set but no"
                    + " cluster-announce-tls-port, this node announces its plain port as its TLS one: TLS clients are sent to it"));
        }
        return out;
    }

    /**
     * Asks the node (CLUSTER SLOTS, in plain text on {@code plain} unless null and over TLS on {@code tls} when given) where it
     * sends clients, and tries each endpoint named from the node's host with a client of that kind: a plain PING, or a
     * TLS handshake with {@code context}. Every endpoint that does not answer is a problem.
     */
    public static List<Problem> probe(Host host, LiveNode plain, LiveNode tls, SSLContext context) {
        List<Problem> out = new ArrayList<>();
        // Plain text is tried first everywhere: a TLS port refuses it at once, while a TLS hello sent to a plain port
        // waits for a line end that never comes (until the client's timeout).
        Map<Endpoint, Boolean> speaksPlain = new java.util.HashMap<>();
        for (Endpoint e : plain == null ? Set.<Endpoint>of() : endpoints(plain)) {
            if (!speaksPlain.computeIfAbsent(e, x -> speaksPlain(host, x))) {
                out.add(new Problem("plain-text", "this node sends plain-text clients to " + e + ", which does not answer"
                        + " plain text"));
            }
        }
        if (tls != null) {
            for (Endpoint e : endpoints(tls)) {
                if (speaksPlain.computeIfAbsent(e, x -> speaksPlain(host, x))) {
                    out.add(new Problem("TLS", "this node sends TLS clients to " + e + ", which speaks plain text"));
                } else if (!TlsProbe.handshake(host, e, context).ok()) {
                    out.add(new Problem("TLS", "this node sends TLS clients to " + e + ", which does not answer TLS"));
                }
            }
        }
        return out;
    }

    /** Every endpoint CLUSTER SLOTS names on this connection. */
    static Set<Endpoint> endpoints(LiveNode live) {
        Set<Endpoint> out = new LinkedHashSet<>();
        Object reply = live.cluster("SLOTS");
        if (reply instanceof List<?> ranges) {
            for (Object r : ranges) {
                List<?> range = (List<?>) r;
                for (int i = 2; i < range.size(); i++) {
                    List<?> node = (List<?>) range.get(i);
                    String ip = String.valueOf(node.get(0));
                    int port = Integer.parseInt(String.valueOf(node.get(1)));
                    if (!ip.isEmpty() && !"?".equals(ip) && port > 0) {
                        out.add(new Endpoint(ip, port));
                    }
                }
            }
        }
        return out;
    }

    /** Whether a plain-text PING gets a Redis reply ({@code +PONG}, or {@code -NOAUTH} from a node with a password). */
    private static boolean speaksPlain(Host host, Endpoint e) {
        try (java.net.Socket s = host.connect(e.host(), e.port(), java.time.Duration.ofSeconds(3))) {
            s.setSoTimeout(3000);
            s.getOutputStream().write("PING\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            int first = s.getInputStream().read();
            return first == '+' || first == '-';
        } catch (java.io.IOException | RuntimeException ex) {
            return false;
        }
    }

    /** The node's rules and probes in one list; empty when it does not run Redis Cluster. */
    public static List<Problem> examine(Node node, LiveNode plain, Optional<LiveNode> tls) {
        if (!enabled(plain)) {
            return List.of();
        }
        Map<String, String> config = plain.configGet(SETTINGS.toArray(new String[0]));
        List<Problem> out = new ArrayList<>(rules(plain.version(), config));
        if ("0".equals(config.get("port"))) {
            // tls-only: the one connection there is speaks TLS, and no plain-text client reaches the node.
            out.addAll(probe(node.host(), null, tls.orElse(plain), node.keys().clientContext()));
        } else {
            out.addAll(probe(node.host(), plain, tls.orElse(null), tls.isPresent() ? node.keys().clientContext() : null));
        }
        return out;
    }
}
