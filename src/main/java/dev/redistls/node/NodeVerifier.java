package dev.redistls.node;

import dev.redistls.conf.AuthClients;
import dev.redistls.pki.CertInfo;
import dev.redistls.pki.TlsContexts;

import javax.net.ssl.SSLContext;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/**
 * Proves a node serves what its files say: a handshake on the TLS port presenting the node's client certificate,
 * the served certificate's SHA-256 equal to the file's, PING answered over TLS, a client without a certificate
 * accepted or refused exactly as {@code tls-auth-clients} says, and the plain port open or closed as the mode says.
 */
public final class NodeVerifier {
    /** What should hold on the live node. {@code plainPort} 0: the plain port must not answer {@code closedPlainPort}. */
    public record Expectation(Endpoint tls, int plainPort, int closedPlainPort, AuthClients authClients,
                              X509Certificate root, X509Certificate serverCert,
                              X509Certificate clientCert, PrivateKey clientKey, Credentials credentials) {
    }

    private NodeVerifier() {
    }

    public static Verification verify(Expectation e) {
        Verification v = new Verification();
        SSLContext withCert = TlsContexts.create(e.root(), e.clientCert(), e.clientKey());
        TlsProbe.Handshake hs = TlsProbe.handshake(e.tls(), withCert);
        if (!hs.ok()) {
            v.add("tls handshake on " + e.tls(), false, hs.failure());
            v.served(null);
            return v;
        }
        String served = CertInfo.sha256(hs.served());
        v.served(served);
        v.add("tls handshake on " + e.tls(), true, hs.protocol());
        String expected = CertInfo.sha256(e.serverCert());
        v.add("served certificate is the file's", served.equals(expected),
                served.equals(expected) ? "sha256 " + served : "served sha256 " + served + ", file has " + expected);
        v.add("PING over TLS with client certificate", pings(e.tls(), withCert, e.credentials()), "");
        boolean anonymous = pings(e.tls(), TlsContexts.create(e.root(), null, null), e.credentials());
        boolean wantAnonymous = e.authClients() != AuthClients.YES;
        v.add(wantAnonymous ? "client without certificate accepted" : "client without certificate refused",
                anonymous == wantAnonymous, "tls-auth-clients " + e.authClients().word());
        if (e.plainPort() > 0) {
            v.add("plain port " + e.plainPort() + " answers PING", pings(e.tls().withPort(e.plainPort()), null, e.credentials()), "");
        }
        if (e.closedPlainPort() > 0) {
            v.add("plaintext PING on port " + e.closedPlainPort() + " gets no PONG",
                    !pings(e.tls().withPort(e.closedPlainPort()), null, e.credentials()), "");
        }
        return v;
    }

    private static boolean pings(Endpoint endpoint, SSLContext tls, Credentials credentials) {
        try (LiveNode node = LiveNode.connect(endpoint, tls, credentials)) {
            return "PONG".equals(node.ping());
        } catch (RuntimeException ex) {
            return false;
        }
    }
}
