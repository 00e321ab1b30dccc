package dev.redistls.install;

import dev.redistls.firewall.CommandRunner;
import dev.redistls.firewall.Firewall;
import dev.redistls.host.Host;
import dev.redistls.node.InstallRecord;

import java.util.List;
import java.util.Optional;

/**
 * Which firewall backend install, configure and uninstall use: the one named with --firewall, else the one the
 * node was installed with (recorded), else {@code auto} for a first install, as the add-on opens its port by itself.
 * The backend's commands run on the node's host ({@code netns}: inside that network namespace there, for tests).
 */
public record FirewallPlan(String backend, List<String> allowFrom, String netns) {
    public static final FirewallPlan NONE = new FirewallPlan("none", List.of(), null);

    public FirewallPlan {
        allowFrom = allowFrom == null ? List.of() : List.copyOf(allowFrom);
        if (backend != null) {
            Firewall.checkSources(allowFrom);
        }
    }

    Firewall select(Host host, Optional<InstallRecord> record) {
        String name = backend != null ? backend
                : record.map(r -> r.firewallBackend() == null ? "none" : r.firewallBackend()).orElse("auto");
        if ("none".equals(name)) {
            return Firewall.select(name, CommandRunner.local());
        }
        CommandRunner runner = CommandRunner.on(host);
        runner = netns != null ? runner.inNamespace(netns) : host.isLocal() ? CommandRunner.fromEnvironment(runner) : runner;
        return Firewall.select(name, runner);
    }

    static void report(Firewall.Outcome o, Report report) {
        o.done().forEach(report::done);
        o.notes().forEach(n -> report.note(n.substring("note: ".length())));
        o.next().forEach(report::next);
    }
}
