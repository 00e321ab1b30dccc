package dev.redistls.cli;

import dev.redistls.files.FileOwner;
import dev.redistls.install.Installer;
import dev.redistls.install.Phases;
import dev.redistls.install.Report;
import dev.redistls.node.Node;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "install", mixinStandardHelpOptions = true,
        description = "Secure a node: certificates, TLS in redis.conf, applied live without a restart, firewall, proof.")
final class InstallCommand implements Callable<Integer> {
    @Mixin NodeOptions node;
    @Mixin CertOptions cert;
    @Mixin ModeOptions mode;
    @Mixin FirewallOption firewall;

    @Option(names = "--dry-run", description = "Print the exact config changes and files; change nothing.")
    boolean dryRun;

    @Option(names = "--no-live", description = "Only write files, even though the node is not running.")
    boolean noLive;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        Phases opening = new Phases();
        try (OpenNode open = node.open(spec, !dryRun)) {
            opening.mark("connect and open node");
            Node n = open.node();
            FileOwner owner = FileOwner.choose(n.host(), cert.owner(), n.confPath(),
                    cert.owner() == null ? n.processOwner() : Optional.empty());
            opening.mark("owner of the keys");
            Report report = Installer.install(new Installer.Request(n, cert.caHome(), cert.hostname(n.host()), cert.sans(),
                    cert.keyType(), cert.days(), owner, mode.change(), firewall.plan(), dryRun, noLive));
            HostOptions.reportPhases(spec, opening, report.phases());
            return ReportPrinter.print(spec.commandLine(), report);
        }
    }
}
