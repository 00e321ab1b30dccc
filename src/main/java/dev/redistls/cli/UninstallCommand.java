package dev.redistls.cli;

import dev.redistls.install.Uninstaller;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.concurrent.Callable;

@Command(name = "uninstall", mixinStandardHelpOptions = true,
        description = "Restore the config as it was before install, close TLS live, remove the keys dir; the CA home stays.")
final class UninstallCommand implements Callable<Integer> {
    @Mixin NodeOptions node;
    @Mixin FirewallOption firewall;

    @Option(names = "--keep-certs", description = "Keep the keys dir.") boolean keepCerts;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        try (OpenNode open = node.open(spec, true)) {
            return ReportPrinter.print(spec.commandLine(), Uninstaller.uninstall(open.node(), keepCerts, firewall.plan()));
        }
    }
}
