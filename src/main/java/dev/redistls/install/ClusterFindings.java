package dev.redistls.install;

import dev.redistls.RedisTlsException;
import dev.redistls.node.ClusterRedirects;
import dev.redistls.node.Endpoint;
import dev.redistls.node.LiveNode;
import dev.redistls.node.Node;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code doctor} on a Redis Cluster node: where it sends plain-text and TLS clients that follow MOVED/ASK or read
 * CLUSTER SLOTS, judged by what its version does with its settings and by trying each endpoint it names
 * ({@link ClusterRedirects}). Nothing for a node that does not run Redis Cluster.
 */
final class ClusterFindings {
    private ClusterFindings() {
    }

    static List<Doctor.Finding> of(Node node) {
        List<ClusterRedirects.Problem> problems;
        try (LiveNode plain = node.connect()) {
            if (!ClusterRedirects.enabled(plain)) {
                return List.of();
            }
            int tlsPort = Integer.parseInt(plain.configGet("tls-port").getOrDefault("tls-port", "0"));
            Optional<LiveNode> tls = Optional.empty();
            if (tlsPort != 0 && node.keys().isComplete()) {
                try {
                    tls = Optional.of(LiveNode.connect(node.host(), new Endpoint(node.address(), tlsPort),
                            node.keys().clientContext(), node.credentials()));
                } catch (RedisTlsException e) {
                    // the TLS handshake check reports it
                }
            }
            try {
                problems = ClusterRedirects.examine(node, plain, tls);
            } finally {
                tls.ifPresent(LiveNode::close);
            }
        } catch (RedisTlsException e) {
            return List.of();
        }
        List<Doctor.Finding> out = new ArrayList<>();
        for (String kind : List.of("plain-text", "TLS")) {
            List<String> found = problems.stream().filter(p -> p.clients().equals(kind)).map(ClusterRedirects.Problem::detail).toList();
            out.add(new Doctor.Finding("cluster sends " + kind + " clients to ports that speak " + (kind.equals("TLS") ? "TLS" : "plain text"),
                    found.isEmpty(), String.join("; ", found), "redis-tls group configure --cluster --inventory FILE"
                    + " (an inventory of every node of the cluster: the bus and the announced ports switch live on all of them)"));
        }
        return out;
    }
}
