package dev.redistls.install;

import dev.redistls.RedisTlsException;
import dev.redistls.node.ClientConnections;
import dev.redistls.node.LiveApply;
import dev.redistls.node.LiveNode;
import dev.redistls.node.Node;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The operator's safe path to "TLS required": before the plain port closes, say who is still on it, and with
 * {@code --if-no-plaintext} refuse while anyone is. Judged at the moment of the check: a client that connects after
 * it is cut off like any other.
 */
public final class PlaintextGate {
    private PlaintextGate() {
    }

    /**
     * The lines to print about the node's plaintext clients (none when its plain port is already closed or it is not
     * running); throws, naming them, when {@code refuse} and any is connected.
     */
    public static List<String> check(Node node, boolean refuse) {
        Optional<LiveNode> live = node.connectIfRunning();
        if (live.isEmpty()) {
            return List.of();
        }
        ClientConnections clients;
        String plainPort;
        String tlsPort;
        try (LiveNode l = live.get()) {
            Map<String, String> now = LiveApply.snapshot(l);
            plainPort = now.get("port");
            tlsPort = now.get("tls-port");
            if ("0".equals(plainPort)) {
                return List.of();
            }
            clients = l.clients(Integer.parseInt(plainPort), Integer.parseInt(tlsPort));
        }
        List<String> lines = new ArrayList<>();
        if (clients.plaintext().isEmpty()) {
            lines.add("No client is on plain text port " + plainPort + node.where() + " (" + clients.tlsCount() + " over TLS).");
            return lines;
        }
        lines.add(clients.plaintext().size() + " client(s) still on plain text port " + plainPort + node.where() + ":");
        clients.plaintext().forEach(c -> lines.add("  " + c.describe()));
        if (refuse) {
            List<String> who = clients.plaintext().stream()
                    .map(c -> c.address() + (c.name().isEmpty() ? "" : " (" + c.name() + ")")).toList();
            throw new Refused(lines, clients.plaintext().size() + " client(s) still on plain text port " + plainPort
                    + node.where() + ": " + String.join(", ", who) + "; move them to TLS"
                    + ("0".equals(tlsPort) ? "" : " (port " + tlsPort + ")") + " first, or run without --if-no-plaintext");
        }
        lines.add("Closing the plain port cuts them off; 'configure --tls-only --if-no-plaintext' waits for them instead.");
        return lines;
    }

    /** Refused because clients are on plain text; {@link #listing()} says who. Exit 1: nothing was changed. */
    public static final class Refused extends RedisTlsException {
        private final List<String> listing;

        Refused(List<String> listing, String message) {
            super(FAILED, message);
            this.listing = List.copyOf(listing);
        }

        public List<String> listing() {
            return listing;
        }
    }
}
