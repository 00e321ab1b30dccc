package dev.redistls.cli;

import dev.redistls.install.PortFirewall;
import picocli.CommandLine.Option;

/** --firewall on install, configure and uninstall. */
public final class FirewallOption {
    @Option(names = "--firewall", paramLabel = "auto|nftables|iptables|none", defaultValue = "none",
            description = "Open the TLS port in the host firewall (default: ${DEFAULT-VALUE}).")
    String backend;

    public PortFirewall firewall() {
        return PortFirewall.NONE;
    }
}
