package dev.redistls.firewall;

import dev.redistls.RedisTlsException;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** Turns a backend name into a backend, refusing at once what cannot work; {@code auto} looks at the host. */
final class Selection {
    private static final Set<String> IPTABLES_TABLES = Set.of("filter", "nat", "mangle", "raw", "security");
    private static final Set<String> IPTABLES_CHAINS = Set.of("INPUT", "FORWARD", "OUTPUT", "PREROUTING", "POSTROUTING");

    private Selection() {
    }

    static Firewall select(String backend, CommandRunner runner) {
        String b = backend == null ? "auto" : backend.trim().toLowerCase(Locale.ROOT);
        String chosen = "named explicitly";
        return switch (b) {
            case "auto" -> auto(runner);
            case "none" -> new NoFirewall(chosen);
            case "nftables" -> new NftablesFirewall(ready(runner, "nft", b), chosen);
            case "iptables" -> iptables(ready(runner, "iptables", b));
            case "firewalld" -> firewalld(ready(runner, "firewall-cmd", b));
            case "ufw" -> new UfwFirewall(ready(runner, "ufw", b), chosen);
            default -> throw RedisTlsException.badInput("unknown firewall backend: " + backend + " (expected one of "
                    + String.join(", ", Firewall.BACKENDS) + ")");
        };
    }

    /**
     * The variant that holds the host's rules. An ACCEPT in one variant cannot override a DROP in the other (each
     * has its own hooks), so when only the legacy variant has rules, ours go there.
     */
    private static Firewall iptables(CommandRunner runner) {
        if (legacyOnly(runner)) {
            return new IptablesFirewall(runner, "named explicitly; this host's rules are in iptables-legacy",
                    "iptables-legacy", "ip6tables-legacy");
        }
        return new IptablesFirewall(runner, "named explicitly", "iptables", "ip6tables");
    }

    private static boolean legacyOnly(CommandRunner runner) {
        return runner.installed("iptables-legacy")
                && iptablesLines(runner, "iptables") + iptablesLines(runner, "ip6tables") == 0
                && iptablesLines(runner, "iptables-legacy") + iptablesLines(runner, "ip6tables-legacy") > 0;
    }

    /** firewall-cmd talks to the firewalld daemon: without it every change would fail half-way. */
    private static Firewall firewalld(CommandRunner runner) {
        CommandRunner.Result state = runner.run("firewall-cmd", "--state");
        if (!state.ok()) {
            throw RedisTlsException.failed("firewalld is not running" + runner.where() + " (firewall-cmd --state: "
                    + state.firstErrorLine() + "): start it with systemctl start firewalld, or choose another --backend");
        }
        return new FirewalldFirewall(runner, "named explicitly");
    }

    /** The backend for iptables-legacy and ip6tables-legacy, for hosts (and tests) that use the legacy variant. */
    static Firewall iptablesLegacy(CommandRunner runner) {
        return new IptablesFirewall(ready(runner, "iptables-legacy", "iptables"), "named explicitly",
                "iptables-legacy", "ip6tables-legacy");
    }

    private static CommandRunner ready(CommandRunner runner, String tool, String backend) {
        if (!runner.installed(tool)) {
            throw RedisTlsException.badInput(tool + " is not installed, so the " + backend
                    + " backend cannot be used; install it or choose another --backend");
        }
        requireRoot(runner, tool);
        return runner;
    }

    private static void requireRoot(CommandRunner runner, String what) {
        if (!runner.isRoot()) {
            throw RedisTlsException.failed(what + " needs root to read or change firewall rules (effective uid "
                    + runner.euid() + "): run with sudo, or choose --backend none");
        }
    }

    private static Firewall auto(CommandRunner runner) {
        List<String> tools = List.of("firewall-cmd", "ufw", "nft", "iptables").stream().filter(runner::installed).toList();
        if (tools.isEmpty()) {
            return new NoFirewall("auto: no firewall tool is installed (firewall-cmd, ufw, nft, iptables)");
        }
        requireRoot(runner, "finding the firewall in use");
        if (tools.contains("firewall-cmd") && runner.run("firewall-cmd", "--state").ok()) {
            return new FirewalldFirewall(runner, "auto: firewalld is running");
        }
        if (tools.contains("ufw") && runner.run("ufw", "status").out().contains("Status: active")) {
            return new UfwFirewall(runner, "auto: ufw is active");
        }
        if (tools.contains("nft")) {
            CommandRunner.Result r = runner.run("nft", "-j", "list", "ruleset");
            if (r.ok()) {
                NftRuleset rs = NftRuleset.parse(r.out());
                if (rs.hasTable(NftablesFirewall.FAMILY, NftablesFirewall.TABLE)) {
                    return new NftablesFirewall(runner, "auto: redis-tls's own nftables table inet redis_tls is there");
                }
                Set<String> native_ = nativeTables(rs);
                if (!native_.isEmpty()) {
                    return new NftablesFirewall(runner, "auto: the nftables ruleset has tables in use: "
                            + String.join(", ", native_));
                }
            }
        }
        if (tools.contains("iptables")) {
            for (String[] variant : new String[][]{{"iptables", "ip6tables"}, {"iptables-legacy", "ip6tables-legacy"}}) {
                int rules = iptablesLines(runner, variant[0]) + iptablesLines(runner, variant[1]);
                if (rules > 0) {
                    return new IptablesFirewall(runner, "auto: " + variant[0] + " has " + rules + " rule"
                            + (rules == 1 ? "" : "s") + " or policies beyond the default accept", variant[0], variant[1]);
                }
            }
        }
        return new NoFirewall("auto: no firewall in use was found (no running firewalld, no active ufw, no nftables"
                + " table, no iptables rule): nothing filters incoming connections, so there is nothing to open");
    }

    /**
     * Tables a person made with nft. Tables that iptables-nft made (iptables' names, with its upper-case built-in
     * chains) are iptables rules seen through nft: they are the iptables backend's business.
     */
    private static Set<String> nativeTables(NftRuleset rs) {
        Set<String> out = new TreeSet<>();
        for (NftRuleset.Table t : rs.tables()) {
            boolean iptablesMade = IPTABLES_TABLES.contains(t.name())
                    && Set.of("ip", "ip6", "arp", "bridge").contains(t.family())
                    && rs.chains().stream().anyMatch(c -> c.family().equals(t.family()) && c.table().equals(t.name())
                    && IPTABLES_CHAINS.contains(c.name()));
            if (!iptablesMade) {
                out.add(t.toString());
            }
        }
        return out;
    }

    /** Lines of {@code -S} other than a default ACCEPT policy: a rule, a user chain, or a DROP policy. */
    private static int iptablesLines(CommandRunner runner, String tool) {
        if (!runner.installed(tool)) {
            return 0;
        }
        CommandRunner.Result r = runner.run(tool, "-w", "-S");
        if (!r.ok()) {
            return 0;
        }
        return (int) r.out().lines().filter(l -> !l.isBlank() && !l.startsWith("#") && !l.matches("-P \\S+ ACCEPT")).count();
    }
}
