package dev.redistls.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.util.List;

/** The root command; {@link Main} adds the subcommands, all of them or only the one a command line runs. */
@Command(name = "redis-tls",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Encryption in transit for self-hosted Redis: certificates, live configuration, verification.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:done",
                "1:failed (nothing half-done left behind)",
                "2:bad usage or input",
                "3:applied, but verification failed"})
public final class RedisTlsCommand implements Runnable {
    /** Every subcommand, in the order help lists them. */
    static final List<Class<?>> SUBCOMMANDS = List.of(
            CertsCommand.class,
            CaCommand.class,
            InstallCommand.class,
            ConfigureCommand.class,
            StatusCommand.class,
            ReissueCommand.class,
            RenewCommand.class,
            UninstallCommand.class,
            FirewallCommand.class,
            GroupCommand.class,
            DoctorCommand.class,
            DemoCommand.class,
            ClientCommand.class,
            CliCommand.class);

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Print stack traces of failures, and how long each step took (SSH steps, phases of install and status).")
    boolean verbose;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    boolean verbose() {
        return verbose;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
