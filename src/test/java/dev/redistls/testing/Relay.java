package dev.redistls.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay in the test's namespace, standing in for the router between two simulated hosts (their namespaces are
 * linked only to the test's, which does not forward): it listens on the test side of one host's link and passes
 * bytes, TLS included, untouched to an address of another host. Closed with the test.
 */
public final class Relay implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    private Relay(ServerSocket server, String targetHost, int targetPort) {
        this.server = server;
        Thread accept = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket in = server.accept();
                    Socket out = new Socket();
                    out.connect(new InetSocketAddress(targetHost, targetPort), 5000);
                    open.add(in);
                    open.add(out);
                    pump(in, out);
                    pump(out, in);
                } catch (IOException e) {
                    // closed, or the target refused: the client sees its connection drop
                }
            }
        }, "relay-" + server.getLocalPort());
        accept.setDaemon(true);
        accept.start();
    }

    /** Relays {@code listenAddress:port} to {@code targetHost:targetPort}. */
    public static Relay start(String listenAddress, int port, String targetHost, int targetPort) {
        try {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(listenAddress), port));
            return new Relay(s, targetHost, targetPort);
        } catch (IOException e) {
            throw new IllegalStateException("cannot relay " + listenAddress + ":" + port, e);
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "relay-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // already closed
        }
        open.forEach(Relay::closeQuietly);
    }
}
