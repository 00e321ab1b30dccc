package dev.redistls.cli;

import dev.redistls.host.Host;
import dev.redistls.host.HostLock;
import dev.redistls.node.Node;
import picocli.CommandLine.Model.CommandSpec;

/** A node a command works on: its host's connection and, for a command that changes it, the node's lock. */
record OpenNode(CommandSpec spec, Host host, HostLock lock, Node node) implements AutoCloseable {
    @Override
    public void close() {
        try {
            if (lock != null) {
                lock.close();
            }
        } finally {
            HostOptions.reportTimings(spec, host);
            host.close();
        }
    }
}
