package dev.redistls.node;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;

/** A real TLS handshake with a node: what certificate does it serve right now? */
public final class TlsProbe {
    private static final int TIMEOUT_MS = 5000;

    private TlsProbe() {
    }

    /** The outcome of one handshake: the served certificate, or why there was none. */
    public record Handshake(X509Certificate served, String protocol, String failure) {
        public boolean ok() {
            return served != null;
        }
    }

    public static Handshake handshake(Endpoint endpoint, SSLContext context) {
        try (Socket raw = new Socket()) {
            raw.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), TIMEOUT_MS);
            raw.setSoTimeout(TIMEOUT_MS);
            try (SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(raw, endpoint.host(), endpoint.port(), false)) {
                tls.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
                tls.startHandshake();
                Certificate[] chain = tls.getSession().getPeerCertificates();
                return new Handshake((X509Certificate) chain[0], tls.getSession().getProtocol(), null);
            }
        } catch (IOException e) {
            return new Handshake(null, null, LiveNode.firstLine(LiveNode.rootMessage(e)));
        }
    }

    /** Whether a port accepts a TCP connection at all. */
    public static boolean listening(Endpoint endpoint) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), TIMEOUT_MS);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
