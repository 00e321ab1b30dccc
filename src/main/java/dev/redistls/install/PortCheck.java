package dev.redistls.install;

import dev.redistls.RedisTlsException;
import dev.redistls.node.Node;

import java.io.IOException;

/** Refuses a port another process already listens on, on the node's host, before anything is changed. */
final class PortCheck {
    private PortCheck() {
    }

    static void requireFree(Node node, String what, int port) {
        boolean taken;
        try {
            taken = node.host().listening(port);
        } catch (IOException e) {
            throw RedisTlsException.failed("cannot tell whether port " + port + " is free" + node.where() + ": " + e.getMessage(), e);
        }
        if (taken) {
            throw RedisTlsException.badInput(what + " " + port + " is already in use by another process" + node.where()
                    + ": choose another with --tls-port");
        }
    }
}
