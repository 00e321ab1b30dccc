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
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress("0.0.0.0", port));
        } catch (IOException e) {
            throw RedisTlsException.badInput(what + " " + port + " is already in use by another process: choose another with --tls-port");
        }
    }
}
