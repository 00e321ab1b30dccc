package dev.redistls.firewall;

import dev.redistls.RedisTlsException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * nftables: our own table {@code inet redis_tls} with one input base chain whose policy is accept, so that it only
 * ever adds acceptance and never changes what anyone else's chains decide. Every change is one {@code nft -f}
 * transaction: it applies whole or not at all.
 * <p>
 * nftables runs every base chain on a hook: an accept in our chain does not override a drop in someone else's.
 * We say so (a note) when another input chain drops by default and does not itself accept the port.
 */
final class NftablesFirewall implements Firewall {
    static final String FAMILY = "inet";
    static final String TABLE = "redis_tls";
    static final String CHAIN = "input";

    private final CommandRunner runner;
    private final String reason;

    NftablesFirewall(CommandRunner runner, String reason) {
        this.runner = runner;
        this.reason = reason;
    }

    @Override
    public String name() {
        return "nftables";
    }

    @Override
    public String reason() {
        return reason;
    }

    @Override
    public Outcome open(int port, List<String> allowFrom) {
        Firewall.checkPort(port);
        List<String> wanted = sources(Firewall.checkSources(allowFrom));
        NftRuleset rs = ruleset();
        List<NftRuleset.Rule> ours = ours(rs, port);
        List<String> script = new ArrayList<>();
        Set<String> kept = new LinkedHashSet<>();
        List<String> lines = new ArrayList<>();
        for (NftRuleset.Rule r : ours) {
            String src = sourceName(r.source());
            if (wanted.contains(src) && kept.add(src)) {
                continue;
            }
            script.add("delete rule " + FAMILY + " " + TABLE + " " + CHAIN + " handle " + r.handle());
            lines.add("removed our earlier rule for tcp port " + port + " from " + src);
        }
        List<String> added = new ArrayList<>();
        for (String src : wanted) {
            if (!kept.contains(src)) {
                script.add("add rule " + FAMILY + " " + TABLE + " " + CHAIN + " " + ruleText(port, src));
                added.add(src);
            }
        }
        String place = "nftables table " + FAMILY + " " + TABLE + " chain " + CHAIN + runner.where();
        if (script.isEmpty()) {
            lines.add("tcp port " + port + " is already open from " + String.join(", ", wanted) + " (" + place
                    + "): nothing changed");
        } else {
            script.add(0, "add table " + FAMILY + " " + TABLE);
            script.add(1, "add chain " + FAMILY + " " + TABLE + " " + CHAIN
                    + " { type filter hook input priority 0 ; policy accept ; }");
            apply(script);
            if (!added.isEmpty()) {
                lines.add(0, "opened tcp port " + port + " from " + String.join(", ", added) + " (" + place + ")"
                        + (dropNotes(rs, port).isEmpty() ? "" : "; another chain still drops it, see the note"));
            }
        }
        lines.addAll(notes(rs, port));
        if (!script.isEmpty()) {
            lines.add(PERSIST + persistHint());
        }
        return new Outcome(name(), port, !script.isEmpty(), lines);
    }

    @Override
    public Outcome close(int port) {
        Firewall.checkPort(port);
        NftRuleset rs = ruleset();
        List<NftRuleset.Rule> ours = ours(rs, port);
        if (ours.isEmpty()) {
            return new Outcome(name(), port, false, List.of("nothing to close: no redis-tls rule for tcp port " + port
                    + " (nftables" + runner.where() + ")"));
        }
        List<String> script = new ArrayList<>();
        ours.forEach(r -> script.add("delete rule " + FAMILY + " " + TABLE + " " + CHAIN + " handle " + r.handle()));
        boolean lastOnes = rs.rules().stream().filter(r -> r.family().equals(FAMILY) && r.table().equals(TABLE))
                .allMatch(ours::contains);
        // Our table goes with its last rule, unless someone put a chain of their own in it.
        boolean onlyOurChain = rs.chains().stream().filter(c -> c.family().equals(FAMILY) && c.table().equals(TABLE))
                .allMatch(c -> c.name().equals(CHAIN));
        if (lastOnes && onlyOurChain) {
            script.add("delete table " + FAMILY + " " + TABLE);
        }
        apply(script);
        List<String> lines = new ArrayList<>();
        lines.add("closed tcp port " + port + ": removed " + ours.size() + " redis-tls rule" + (ours.size() == 1 ? "" : "s")
                + " (nftables table " + FAMILY + " " + TABLE + runner.where() + ")"
                + (lastOnes && onlyOurChain ? "; the table, now empty, is gone too" : ""));
        foreign(rs, port).forEach(r -> lines.add("note: a rule not made by redis-tls still accepts tcp port " + port
                + " in " + r.where() + "; left as it is"));
        lines.add(PERSIST + persistHint());
        return new Outcome(name(), port, true, lines);
    }

    @Override
    public Status status(int port) {
        Firewall.checkPort(port);
        NftRuleset rs = ruleset();
        List<String> ours = ours(rs, port).stream()
                .map(r -> ruleText(port, sourceName(r.source())) + " in " + r.where()).toList();
        List<String> foreign = foreign(rs, port).stream().map(NftRuleset.Rule::where).toList();
        return new Status(name(), port, !ours.isEmpty(), ours, foreign, dropNotes(rs, port));
    }

    @Override
    public String persistHint() {
        return "nft list ruleset > /etc/nftables.conf && systemctl enable nftables";
    }

    private NftRuleset ruleset() {
        CommandRunner.Result r = runner.run("nft", "-j", "list", "ruleset");
        if (!r.ok()) {
            throw RedisTlsException.failed("nft list ruleset failed" + runner.where() + ": " + r.firstErrorLine());
        }
        return NftRuleset.parse(r.out());
    }

    private void apply(List<String> script) {
        CommandRunner.Result r = runner.run(String.join("\n", script) + "\n", List.of("nft", "-f", "-"));
        if (!r.ok()) {
            throw RedisTlsException.failed("nft refused the change" + runner.where() + " (nothing was changed): "
                    + r.firstErrorLine());
        }
    }

    static boolean isOurs(NftRuleset.Rule r) {
        return r.family().equals(FAMILY) && r.table().equals(TABLE) && MARK.equals(r.comment());
    }

    private static List<NftRuleset.Rule> ours(NftRuleset rs, int port) {
        return rs.rules().stream().filter(r -> isOurs(r) && r.matchesPort(port)).toList();
    }

    private static List<NftRuleset.Rule> foreign(NftRuleset rs, int port) {
        return rs.rules().stream().filter(r -> !isOurs(r) && r.accepts() && r.matchesPort(port)).toList();
    }

    private List<String> notes(NftRuleset rs, int port) {
        List<String> notes = new ArrayList<>();
        foreign(rs, port).forEach(r -> notes.add("note: a rule not made by redis-tls already accepts tcp port " + port
                + " in " + r.where() + "; left as it is"));
        notes.addAll(dropNotes(rs, port));
        return notes;
    }

    /** Input chains of others that drop by default and do not accept the port themselves: ours cannot help there. */
    private static List<String> dropNotes(NftRuleset rs, int port) {
        List<String> notes = new ArrayList<>();
        for (NftRuleset.Chain c : rs.chains()) {
            if (!"input".equals(c.hook()) || !"drop".equals(c.policy()) || c.table().equals(TABLE)) {
                continue;
            }
            boolean accepted = rs.rules().stream().anyMatch(r -> r.family().equals(c.family())
                    && r.table().equals(c.table()) && r.chain().equals(c.name()) && r.accepts()
                    && r.matchesPort(port));
            if (!accepted) {
                notes.add("note: chain " + c.name() + " of table " + c.family() + " " + c.table()
                        + " drops by default and no rule there accepts tcp port " + port + "; nftables runs every"
                        + " input chain, so our accept cannot override that drop: to let the port through, run: "
                        + "nft insert rule " + c.family() + " " + c.table() + " " + c.name() + " tcp dport " + port
                        + " accept");
            }
        }
        return notes;
    }

    private static List<String> sources(List<Cidr> cidrs) {
        return cidrs.isEmpty() ? List.of("anywhere") : cidrs.stream().map(Cidr::toString).toList();
    }

    private static String sourceName(String source) {
        return Objects.requireNonNullElse(source, "anywhere");
    }

    private static String ruleText(int port, String source) {
        String match = "anywhere".equals(source) ? ""
                : (source.contains(":") ? "ip6" : "ip") + " saddr " + source + " ";
        return match + "tcp dport " + port + " accept comment \"" + MARK + "\"";
    }
}
