package dev.redistls.node;

import dev.redistls.conf.TlsProfile;
import dev.redistls.host.Host;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.Socket;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/** A real TLS handshake with a node, through its host: what does it serve right now, and how? */
public final class TlsProbe {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private TlsProbe() {
    }

    /** The outcome of one handshake: the served certificate, the protocol and suite, or why there was none. */
    public record Handshake(X509Certificate served, String protocol, String suite, String failure) {
        public boolean ok() {
            return served != null;
        }
    }

    public static Handshake handshake(Host host, Endpoint endpoint, SSLContext context) {
        return handshake(host, endpoint, context, TlsProfile.JAVA_PROTOCOLS, null);
    }

    /**
     * A handshake offering only {@code protocols} and, when given, only {@code suites} (those the JDK supports;
     * none supported is a failed handshake).
     */
    public static Handshake handshake(Host host, Endpoint endpoint, SSLContext context, String[] protocols, List<String> suites) {
        try (Socket raw = host.connect(endpoint.host(), endpoint.port(), TIMEOUT)) {
            raw.setSoTimeout((int) TIMEOUT.toMillis());
            try (SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(raw, endpoint.host(), endpoint.port(), false)) {
                tls.setEnabledProtocols(protocols);
                if (suites != null) {
                    List<String> supported = Arrays.asList(tls.getSupportedCipherSuites());
                    String[] offer = suites.stream().filter(supported::contains).toArray(String[]::new);
                    if (offer.length == 0) {
                        return new Handshake(null, null, null, "none of the suites is supported by this JDK");
                    }
                    tls.setEnabledCipherSuites(offer);
                }
                tls.startHandshake();
                Certificate[] chain = tls.getSession().getPeerCertificates();
                return new Handshake((X509Certificate) chain[0], tls.getSession().getProtocol(),
                        tls.getSession().getCipherSuite(), null);
            }
        } catch (IOException e) {
            return new Handshake(null, null, null, LiveNode.firstLine(LiveNode.rootMessage(e)));
        }
    }
}
