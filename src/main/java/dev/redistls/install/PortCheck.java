package dev.redistls.install;

import dev.redistls.RedisTlsException;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Refuses a port another process already listens on, before anything is changed. */
final class PortCheck {
    private PortCheck() {
    }

    static void requireFree(String what, int port) {
        try (ServerSocket s = new ServerSocket()) {
            // Reuse-address lets the bind succeed over TIME_WAIT leftovers of closed connections, and still fails
            // when a process listens on the port, which is the question.
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("0.0.0.0", port));
        } catch (IOException e) {
            throw RedisTlsException.badInput(what + " " + port + " is already in use by another process: choose another with --tls-port");
        }
    }
}
