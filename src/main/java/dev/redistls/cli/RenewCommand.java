package dev.redistls.cli;

import dev.redistls.files.FileOwner;
import dev.redistls.install.Reissuer;
import dev.redistls.install.Status;
import dev.redistls.node.Node;
import dev.redistls.pki.CertificateAuthority;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "renew", mixinStandardHelpOptions = true,
        description = "Reissue only the certificates that expire soon; safe to run from cron or a systemd timer.")
final class RenewCommand implements Callable<Integer> {
    @Mixin NodeOptions node;
    @Mixin CaHomeOption ca;

    @Option(names = "--within", paramLabel = "DAYS", defaultValue = "" + Status.WARN_DAYS,
            description = "Renew what has fewer days left than this (default: ${DEFAULT-VALUE}).") int within;
    @Option(names = "--days", paramLabel = "N", defaultValue = "" + CertificateAuthority.LEAF_DAYS, description = "Validity of renewed certificates.") int days;
    @Option(names = "--owner", paramLabel = "USER", description = "Owner of the keys.") String owner;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        try (OpenNode open = node.open(spec, true)) {
            Node n = open.node();
            FileOwner keyOwner = FileOwner.choose(n.host(), owner, n.confPath(), owner == null ? n.processOwner() : Optional.empty());
            return ReportPrinter.print(spec.commandLine(), Reissuer.renew(n, ca.caHome(), within, days, keyOwner));
        }
    }
}
