package dev.redistls.cli;

import dev.redistls.files.FileOwner;
import dev.redistls.install.Reissuer;
import dev.redistls.node.Node;
import dev.redistls.pki.CertificateAuthority;
import dev.redistls.pki.KeyType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "reissue", mixinStandardHelpOptions = true,
        description = "New server and/or client certificates from the CA home's root (the new one during a rollover), loaded live.")
final class ReissueCommand implements Callable<Integer> {
    @Mixin NodeOptions node;
    @Mixin CaHomeOption ca;

    @Option(names = "--server", description = "Reissue the server certificate (default: both).") boolean server;
    @Option(names = "--client", description = "Reissue the default client certificate (default: both).") boolean client;
    @Option(names = "--san", paramLabel = "VALUE", description = "An extra IP address or DNS name for the new server certificate.")
    List<String> sans = new ArrayList<>();
    @Option(names = "--key-type", paramLabel = "TYPE", description = "Key type of the new keys (default: as now).") String keyType;
    @Option(names = "--days", paramLabel = "N", defaultValue = "" + CertificateAuthority.LEAF_DAYS, description = "Validity in days (default: ${DEFAULT-VALUE}).") int days;
    @Option(names = "--owner", paramLabel = "USER", description = "Owner of the keys (default: the user Redis runs as).") String owner;
    @Option(names = "--refresh-names", description = "Name the server certificate as install would today: the host's"
            + " current name, FQDN and addresses (and --san), dropping names it no longer has.") boolean refreshNames;
    @Option(names = "--keep-names", description = "Keep the server certificate's names and add the host's current ones (the default).")
    boolean keepNames;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        if (refreshNames && keepNames) {
            throw dev.redistls.RedisTlsException.badInput("--refresh-names and --keep-names exclude each other");
        }
        if (refreshNames && client && !server) {
            throw dev.redistls.RedisTlsException.badInput("--refresh-names is about the server certificate: add --server");
        }
        try (OpenNode open = node.open(spec, true)) {
            Node n = open.node();
            boolean both = !server && !client;
            FileOwner keyOwner = FileOwner.choose(n.host(), owner, n.confPath(), owner == null ? n.processOwner() : Optional.empty());
            return ReportPrinter.print(spec.commandLine(), Reissuer.reissue(new Reissuer.Request(n, ca.caHome(),
                    both || server, both || client, keyType == null ? null : KeyType.parse(keyType), days, sans, keyOwner,
                    refreshNames ? Reissuer.Names.REFRESH : Reissuer.Names.KEEP)));
        }
    }
}
