package dev.redistls.cli;

import dev.redistls.StartupTrace;
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

import dev.redistls.timer.RenewTimer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

@Command(name = "renew", mixinStandardHelpOptions = true,
        description = "Reissue only the certificates that expire soon; safe to run from cron or a systemd timer.")
final class RenewCommand implements Callable<Integer> {
    @Mixin NodeOptions node;
    @Mixin CaHomeOption ca;

    @Option(names = "--within", paramLabel = "DAYS", defaultValue = "" + Status.WARN_DAYS,
            description = "Renew what has fewer days left than this (default: ${DEFAULT-VALUE}).") int within;
    @Option(names = "--days", paramLabel = "N", defaultValue = "" + CertificateAuthority.LEAF_DAYS, description = "Validity of renewed certificates.") int days;
    @Option(names = "--owner", paramLabel = "USER", description = "Owner of the keys.") String owner;
    @Option(names = "--install-timer", description = "Instead of renewing now: write a systemd service and timer that run this"
            + " renew daily (enabled at once when systemd runs and --timer-dir is the system one).") boolean installTimer;
    @Option(names = "--remove-timer", description = "Stop and remove the timer --install-timer wrote for this node.") boolean removeTimer;
    @Option(names = "--timer-dir", paramLabel = "DIR", description = "Where the units go (default: /etc/systemd/system).")
    Path timerDir;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        if (installTimer && removeTimer) {
            throw dev.redistls.RedisTlsException.badInput("--install-timer and --remove-timer exclude each other");
        }
        if (timerDir != null && !installTimer && !removeTimer) {
            throw dev.redistls.RedisTlsException.badInput("--timer-dir goes with --install-timer or --remove-timer");
        }
        if (installTimer || removeTimer) {
            return timer();
        }
        try (OpenNode open = node.open(spec, true)) {
            StartupTrace.mark("open node (lock, facts, config)");
            Node n = open.node();
            Supplier<FileOwner> keyOwner = () -> FileOwner.choose(n.host(), owner, n.confPath(),
                    owner == null ? n.processOwner() : Optional.empty());
            int code = ReportPrinter.print(spec.commandLine(), Reissuer.renew(n, ca.caHome(), within, days, keyOwner));
            StartupTrace.mark("check certificates and names");
            return code;
        }
    }

    /** The node is resolved (its config and keys dir, as this run sees them) so that the unit names them absolutely. */
    private int timer() {
        Path dir = timerDir != null ? timerDir.toAbsolutePath().normalize() : RenewTimer.SYSTEM_DIR;
        Node n;
        try (OpenNode open = node.open(spec, false)) {
            n = open.node();
        }
        String name = RenewTimer.name(n.host().isLocal() ? null : n.host().name(), n.confPath(),
                NodeOptions.DEFAULT_CONFS.contains(n.confPath()));
        List<String> lines;
        if (removeTimer) {
            lines = RenewTimer.remove(dir, name);
        } else {
            List<String> argv = new ArrayList<>(RenewTimer.launcher());
            argv.addAll(List.of("renew", "--conf", n.confPath().toString(), "--keys-dir", n.keys().dir().toString(),
                    "--ca-home", ca.caHome().dir().toString(), "--within", String.valueOf(within), "--days", String.valueOf(days)));
            node.timerArgs(argv);
            if (owner != null) {
                argv.addAll(List.of("--owner", owner));
            }
            lines = RenewTimer.install(dir, RenewTimer.units(name, argv, n.confPath() + n.where()));
            if (System.getenv("REDISCLI_AUTH") != null) {
                lines.add("note: the timer authenticates to Redis with the config's requirepass; REDISCLI_AUTH is not"
                        + " written into a unit (give it through an EnvironmentFile= drop-in readable by root only)");
            }
        }
        lines.forEach(spec.commandLine().getOut()::println);
        return 0;
    }
}
