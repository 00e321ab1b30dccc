package dev.redistls.cli;

import dev.redistls.RedisTlsException;
import dev.redistls.install.Installer;
import dev.redistls.install.Report;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.concurrent.Callable;

@Command(name = "configure", mixinStandardHelpOptions = true,
        description = "Change the TLS mode of an installed node (tls-only, client certificates, ports, replication, cluster), live.")
final class ConfigureCommand implements Callable<Integer> {
    @Mixin NodeOptions node;
    @Mixin ModeOptions mode;
    @Mixin FirewallOption firewall;

    @Option(names = "--dry-run", description = "Print the exact config changes; change nothing.")
    boolean dryRun;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        if (!mode.any()) {
            throw RedisTlsException.badInput("nothing to change: give --tls-only, --auth-clients, --tls-port, --port, --tls-profile, --replication or --cluster");
        }
        try (OpenNode open = node.open(spec, !dryRun)) {
            Report report = Installer.configure(open.node(), mode.change(), firewall.plan(), dryRun);
            return ReportPrinter.print(spec.commandLine(), report);
        }
    }
}
