package dev.redistls.node;

import dev.redistls.conf.AuthClients;
import dev.redistls.conf.TlsProfile;
import dev.redistls.host.Host;
import dev.redistls.pki.CertInfo;
import dev.redistls.pki.TlsContexts;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Proves a node serves what its files say: a handshake on the TLS port presenting the node's client certificate,
 * the served certificate's SHA-256 equal to the file's, a negotiated protocol and suite the profile allows, weak
 * suites refused, PING answered over TLS, a client without a certificate accepted or refused exactly as
 * {@code tls-auth-clients} says, and the plain port open or closed as the mode says. Everything goes through the
 * node's host, the way a client there would connect.
 */
public final class NodeVerifier {
    /** What should hold on the live node. {@code plainPort} 0: the plain port must not answer {@code closedPlainPort}. */
    public record Expectation(Host host, Endpoint tls, int plainPort, int closedPlainPort, AuthClients authClients,
                              TlsProfile profile, List<X509Certificate> roots, X509Certificate serverCert,
                              X509Certificate clientCert, PrivateKey clientKey, Credentials credentials) {
    }

    private NodeVerifier() {
    }

    public static Verification verify(Expectation e) {
        Verification v = new Verification();
        SSLContext withCert = TlsContexts.create(e.roots(), e.clientCert(), e.clientKey());
        TlsProbe.Handshake hs = TlsProbe.handshake(e.host(), e.tls(), withCert);
        if (!hs.ok()) {
            v.add("tls handshake on " + e.tls(), false, hs.failure());
            v.served(null);
            return v;
        }
        String served = CertInfo.sha256(hs.served());
        v.served(served);
        v.add("tls handshake on " + e.tls(), true, hs.protocol() + ", " + hs.suite());
        String expected = CertInfo.sha256(e.serverCert());
        v.add("served certificate is the file's", served.equals(expected),
                served.equals(expected) ? "sha256 " + served : "served sha256 " + served + ", file has " + expected);
        v.add("forward-secret AEAD suite (" + e.profile().word() + " profile)", e.profile().allows(hs.protocol(), hs.suite()),
                hs.suite());
        TlsProbe.Handshake weak = TlsProbe.handshake(e.host(), e.tls(), withCert, new String[] {"TLSv1.2"},
                TlsProfile.WEAK_JAVA_SUITES);
        v.add("CBC and static-RSA suites refused", !weak.ok(), weak.ok() ? "accepted " + weak.suite() : "");
        v.add("PING over TLS with client certificate", pings(e.host(), e.tls(), withCert, e.credentials()), "");
        boolean anonymous = pings(e.host(), e.tls(), TlsContexts.create(e.roots(), null, null), e.credentials());
        boolean wantAnonymous = e.authClients() != AuthClients.YES;
        v.add(wantAnonymous ? "client without certificate accepted" : "client without certificate refused",
                anonymous == wantAnonymous, "tls-auth-clients " + e.authClients().word());
        if (e.plainPort() > 0) {
            v.add("plain port " + e.plainPort() + " answers PING", pings(e.host(), e.tls().withPort(e.plainPort()), null, e.credentials()), "");
        }
        if (e.closedPlainPort() > 0) {
            v.add("plaintext PING on port " + e.closedPlainPort() + " gets no PONG",
                    !pings(e.host(), e.tls().withPort(e.closedPlainPort()), null, e.credentials()), "");
        }
        return v;
    }

    private static boolean pings(Host host, Endpoint endpoint, SSLContext tls, Credentials credentials) {
        try (LiveNode node = LiveNode.connect(host, endpoint, tls, credentials)) {
            return "PONG".equals(node.ping());
        } catch (RuntimeException ex) {
            return false;
        }
    }

    /** Whether a port has a listener, judged on the node's host. */
    public static boolean listening(Host host, int port) {
        try {
            return host.listening(port);
        } catch (IOException e) {
            return true;
        }
    }
}
