package dev.redistls.cli;

import dev.redistls.RedisTlsException;
import dev.redistls.install.Installer;
import dev.redistls.install.PlaintextGate;
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

    @Option(names = "--if-no-plaintext",
            description = "With --tls-only: refuse (exit 1, nothing changed) while any client is connected on the plain port.")
    boolean ifNoPlaintext;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        if (!mode.any()) {
            throw RedisTlsException.badInput("nothing to change: give --tls-only, --auth-clients, --tls-port, --port, --tls-profile, --replication or --cluster");
        }
        if (ifNoPlaintext && !mode.closesPlainPort()) {
            throw RedisTlsException.badInput("--if-no-plaintext goes with --tls-only (or --port 0): only closing the plain port cuts clients off");
        }
        try (OpenNode open = node.open(spec, !dryRun)) {
            if (mode.closesPlainPort()) {
                // Who must move first, said before the port closes (and, with --if-no-plaintext, instead of closing it).
                try {
                    PlaintextGate.check(open.node(), ifNoPlaintext).forEach(spec.commandLine().getOut()::println);
                } catch (PlaintextGate.Refused r) {
                    r.listing().forEach(spec.commandLine().getOut()::println);
                    throw r;
                }
            }
            Report report = Installer.configure(open.node(), mode.change(), firewall.plan(), dryRun);
            return ReportPrinter.print(spec.commandLine(), report);
        }
    }
}
