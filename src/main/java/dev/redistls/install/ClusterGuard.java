package dev.redistls.install;

import dev.redistls.RedisTlsException;
import dev.redistls.node.ClusterRedirects;
import dev.redistls.node.LiveNode;
import dev.redistls.node.Node;

/**
 * Keeps a single-node command from switching one Redis Cluster node's bus alone: a node that turns tls-cluster on
 * (or off) by itself refuses its peers' links and, unless its bus port is pinned, announces another bus port, so it
 * drops out of the cluster. The bus switches with every node at once ({@code group install --cluster}); a node
 * that knows no peer yet may switch alone.
 */
final class ClusterGuard {
    private ClusterGuard() {
    }

    static void refuseLoneBusSwitch(Node node, LiveNode live, String liveTlsCluster, String wanted) {
        if (wanted == null || wanted.equalsIgnoreCase(liveTlsCluster) || !ClusterRedirects.enabled(live)) {
            return;
        }
        Object info = live.cluster("INFO");
        if (String.valueOf(info).contains("cluster_known_nodes:1\r\n")) {
            return; // a node that knows no peer yet (group add-node) has no link to cut
        }
        throw RedisTlsException.badInput(node.confPath() + node.where() + " is a Redis Cluster node: tls-cluster " + wanted
                + " on it alone would cut it off its cluster's bus; the bus switches live on every node at once with"
                + " 'redis-tls group " + ("yes".equals(wanted) ? "install --cluster" : "uninstall")
                + " --inventory FILE' (an inventory of every node of the cluster)");
    }
}
