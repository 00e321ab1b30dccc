package dev.redistls.install;

import dev.redistls.conf.TlsSettings;
import dev.redistls.node.LiveNode;
import dev.redistls.node.Node;
import dev.redistls.node.NodeVerifier;
import dev.redistls.node.Verification;
import dev.redistls.pki.KeysDir;

/** Runs the live proof of a node against the files in its keys dir. */
final class Proof {
    private Proof() {
    }

    static Verification verify(Node node, TlsSettings settings, LiveNode live) {
        KeysDir k = node.keys();
        return NodeVerifier.verify(new NodeVerifier.Expectation(node.host(),
                live.endpoint().withPort(settings.tlsPort()), settings.port(), settings.tlsPort(), settings.authClients(),
                settings.profile(), k.trust(k.clientRoot()), k.certificate(k.serverCert()),
                k.certificate(k.clientCert()), k.privateKey(k.clientKey()), node.credentials()));
    }
}
