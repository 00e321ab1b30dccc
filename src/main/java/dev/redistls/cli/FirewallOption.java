package dev.redistls.cli;

import dev.redistls.install.FirewallPlan;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** --firewall and --allow-from on install, configure and uninstall. */
public final class FirewallOption {
    @Option(names = "--firewall", paramLabel = "auto|nftables|iptables|firewalld|ufw|none",
            description = "Open the TLS port in the host firewall (install default: auto, what the host uses; "
                    + "configure and uninstall: the backend install used).")
    String backend;

    @Option(names = "--allow-from", paramLabel = "CIDR",
            description = "Accept TLS connections only from these sources (repeatable; default: any).")
    List<String> allowFrom = new ArrayList<>();

    // Hidden: tests run the firewall part inside a network namespace they made; REDIS_TLS_NETNS does the same.
    @Option(names = "--netns", paramLabel = "NAME", hidden = true)
    String netns;

    public FirewallPlan plan() {
        return new FirewallPlan(backend, allowFrom, netns);
    }
}
