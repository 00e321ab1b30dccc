package dev.redistls.cli;

import dev.redistls.pki.CaHome;
import dev.redistls.pki.CertificateAuthority;
import dev.redistls.pki.KeyType;
import dev.redistls.host.Host;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** How certificates are made: names, key type, lifetime, which root signs them, who owns the files. */
public final class CertOptions {
    @Option(names = "--hostname", paramLabel = "NAME", description = "The node's host name, its certificate's CN (default: this host's name).")
    String hostname;

    @Option(names = "--san", paramLabel = "VALUE", description = "An extra IP address or DNS name for the node certificate (repeatable).")
    List<String> sans = new ArrayList<>();

    @Option(names = "--key-type", paramLabel = "TYPE", defaultValue = "ec-p256",
            description = "ec-p256 (default), ec-p384, rsa-2048, rsa-3072 or rsa-4096.")
    String keyType;

    @Option(names = "--days", paramLabel = "N", defaultValue = "" + CertificateAuthority.LEAF_DAYS,
            description = "Validity of node and client certificates in days (default: ${DEFAULT-VALUE}).")
    int days;

    @picocli.CommandLine.Mixin
    CaHomeOption ca = new CaHomeOption();

    @Option(names = "--owner", paramLabel = "USER",
            description = "Owner of the keys (default: the user Redis runs as, when it can be told).")
    String owner;

    /** The node's host name: given, else the name the node's host has. */
    public String hostname(Host host) {
        return hostname != null ? hostname : host.facts().hostName();
    }

    public List<String> sans() {
        return sans;
    }

    public KeyType keyType() {
        return KeyType.parse(keyType);
    }

    public int days() {
        return days;
    }

    public CaHome caHome() {
        return ca.caHome();
    }

    public String owner() {
        return owner;
    }
}
