package dev.redistls.install;

import dev.redistls.conf.TlsSettings;
import dev.redistls.node.LiveNode;
import dev.redistls.node.NodeVerifier;
import dev.redistls.node.Verification;
import dev.redistls.pki.KeysDir;
import dev.redistls.pki.Pem;

/** Runs the live proof of a node against the files in its keys dir. */
final class Proof {
    private Proof() {
    }

    static Verification verify(Node node, TlsSettings settings, LiveNode live) {
        KeysDir k = node.keys();
        return NodeVerifier.verify(new NodeVerifier.Expectation(
                live.endpoint().withPort(settings.tlsPort()), settings.port(), settings.tlsPort(), settings.authClients(),
                Pem.readCertificate(k.serverRoot()), Pem.readCertificate(k.serverCert()),
                Pem.readCertificate(k.clientCert()), Pem.readPrivateKey(k.clientKey()), node.credentials()));
    }
}
