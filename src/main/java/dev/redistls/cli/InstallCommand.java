package dev.redistls.cli;

import dev.redistls.files.FileOwner;
import dev.redistls.install.Installer;
import dev.redistls.install.Node;
import dev.redistls.install.Report;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

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
        Node n = node.resolve();
        Report report = Installer.install(new Installer.Request(n, cert.caHome(), cert.hostname(), cert.sans(),
                cert.keyType(), cert.days(), FileOwner.choose(cert.owner(), n.confPath(), cert.owner() == null ? n.processUser() : java.util.Optional.empty()), mode.change(),
                firewall.plan(), dryRun, noLive));
        return ReportPrinter.print(spec.commandLine(), report);
    }
}
