package dev.redistls.cli;

import dev.redistls.firewall.CommandRunner;
import dev.redistls.firewall.Firewall;
import dev.redistls.host.Host;
import picocli.CommandLine.Option;

/** --backend, --port and the hidden --netns shared by firewall open, close and status. */
public final class FirewallOptions {
    @Option(names = "--backend", paramLabel = "NAME", defaultValue = "auto",
            description = "auto, nftables, iptables, firewalld, ufw or none (default: auto, what the host uses).")
    String backend;

    @Option(names = "--port", paramLabel = "N", defaultValue = "" + Firewall.DEFAULT_PORT,
            description = "The TLS port (default: ${DEFAULT-VALUE}).")
    int port;

    // Hidden: tests run the whole command inside a network namespace they made; REDIS_TLS_NETNS does the same
    // from outside the JVM.
    @Option(names = "--netns", paramLabel = "NAME", hidden = true)
    String netns;

    @picocli.CommandLine.Mixin
    HostOptions host = new HostOptions();

    CommandRunner runner(Host on) {
        CommandRunner r = CommandRunner.on(on);
        return netns != null ? r.inNamespace(netns) : on.isLocal() ? CommandRunner.fromEnvironment(r) : r;
    }

    /** Checks the port before looking at any firewall (or host), so bad input is refused before any work. */
    Firewall firewall(Host on) {
        return Firewall.select(backend, runner(on));
    }

    /** The port, checked; then the host the firewall is on. */
    Host open() {
        Firewall.checkPort(port);
        return host.open();
    }
}
