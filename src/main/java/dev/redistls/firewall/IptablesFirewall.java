package dev.redistls.firewall;

import dev.redistls.RedisTlsException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * iptables and ip6tables: rules inserted at the top of INPUT (so that a later drop cannot shadow them), each marked
 * {@code -m comment --comment redis-tls}. We find ours in {@code -S INPUT} by that mark and the port, and remove one
 * with {@code -D} followed by exactly the line {@code -S} printed, so a rule of anyone else can never match.
 * IPv4 sources go to iptables only, IPv6 sources to ip6tables only; no source means both.
 * <p>
 * Works the same with the nf_tables and the legacy variants; the tool names are parameters so that both can be
 * driven (Debian's {@code iptables} is the nf_tables one).
 */
final class IptablesFirewall implements Firewall {
    private static final String ANYWHERE = "anywhere";

    private final CommandRunner runner;
    private final String reason;
    private final String v4;
    private final String v6;

    IptablesFirewall(CommandRunner runner, String reason, String v4Tool, String v6Tool) {
        this.runner = runner;
        this.reason = reason;
        this.v4 = v4Tool;
        this.v6 = v6Tool;
    }

    @Override
    public String name() {
        return "iptables";
    }

    @Override
    public String reason() {
        return reason;
    }

    @Override
    public Outcome open(int port, List<String> allowFrom) {
        Firewall.checkPort(port);
        List<Cidr> cidrs = Firewall.checkSources(allowFrom);
        List<String> lines = new ArrayList<>();
        boolean has6 = runner.installed(v6);
        List<String> want4 = wanted(cidrs, false);
        List<String> want6 = wanted(cidrs, true);
        if (!has6 && !cidrs.isEmpty() && !want6.isEmpty()) {
            throw RedisTlsException.badInput(v6 + " is not installed; it is needed for " + String.join(", ", want6));
        }
        Transaction tx = new Transaction();
        try {
            open(tx, v4, port, want4, lines);
            if (has6) {
                open(tx, v6, port, want6, lines);
            } else {
                lines.add("note: " + v6 + " is not installed; IPv6 left as it is");
            }
        } catch (RedisTlsException e) {
            tx.undo();
            throw e;
        }
        notes(port, has6).forEach(lines::add);
        if (tx.changed()) {
            lines.add(PERSIST + persistHint());
        }
        return new Outcome(name(), port, tx.changed(), lines);
    }

    private void open(Transaction tx, String tool, int port, List<String> wanted, List<String> lines) {
        Set<String> kept = new LinkedHashSet<>();
        boolean removed = false;
        for (IptablesRule r : list(tool)) {
            if (!r.isOurs(port)) {
                continue;
            }
            String src = r.source() == null ? ANYWHERE : r.source();
            if (wanted.contains(src) && kept.add(src)) {
                continue;
            }
            tx.run(tool, r.deleteArgs(), r.insertArgs());
            removed = true;
            lines.add("removed our earlier " + tool + " rule for tcp port " + port + " from " + src);
        }
        List<String> added = new ArrayList<>();
        for (String src : wanted) {
            if (!kept.contains(src)) {
                List<String> spec = IptablesRule.ourSpec(port, ANYWHERE.equals(src) ? null : src);
                List<String> insert = new ArrayList<>(List.of("-I", "INPUT"));
                insert.addAll(spec);
                List<String> delete = new ArrayList<>(List.of("-D", "INPUT"));
                delete.addAll(spec);
                tx.run(tool, insert, delete);
                added.add(src);
            }
        }
        if (!added.isEmpty()) {
            lines.add("opened tcp port " + port + " from " + String.join(", ", added) + " (" + tool + " INPUT"
                    + runner.where() + ")");
        } else if (!wanted.isEmpty() && !removed) {
            lines.add("tcp port " + port + " is already open from " + String.join(", ", wanted) + " (" + tool
                    + " INPUT" + runner.where() + "): nothing changed");
        }
    }

    @Override
    public Outcome close(int port) {
        Firewall.checkPort(port);
        List<String> lines = new ArrayList<>();
        Transaction tx = new Transaction();
        int removed = 0;
        try {
            for (String tool : tools()) {
                for (IptablesRule r : list(tool)) {
                    if (r.isOurs(port)) {
                        tx.run(tool, r.deleteArgs(), r.insertArgs());
                        removed++;
                    }
                }
            }
        } catch (RedisTlsException e) {
            tx.undo();
            throw e;
        }
        if (removed == 0) {
            return new Outcome(name(), port, false, List.of("nothing to close: no redis-tls rule for tcp port " + port
                    + " (" + String.join(", ", tools()) + runner.where() + ")"));
        }
        lines.add("closed tcp port " + port + ": removed " + removed + " redis-tls rule" + (removed == 1 ? "" : "s")
                + " (" + String.join(", ", tools()) + " INPUT" + runner.where() + ")");
        for (String tool : tools()) {
            list(tool).stream().filter(r -> r.isForeignAccept(port)).forEach(r -> lines.add(
                    "note: a rule not made by redis-tls still accepts tcp port " + port + " in " + tool + " INPUT ("
                            + r.line() + "); left as it is"));
        }
        lines.add(PERSIST + persistHint());
        return new Outcome(name(), port, true, lines);
    }

    @Override
    public Status status(int port) {
        Firewall.checkPort(port);
        List<String> ours = new ArrayList<>();
        List<String> foreign = new ArrayList<>();
        for (String tool : tools()) {
            for (IptablesRule r : list(tool)) {
                if (r.isOurs(port)) {
                    ours.add(tool + ": " + r.line());
                } else if (r.isForeignAccept(port)) {
                    foreign.add(tool + ": " + r.line());
                }
            }
        }
        List<String> notes = runner.installed(v6) ? List.of() : List.of("note: " + v6 + " is not installed");
        return new Status(name(), port, !ours.isEmpty(), ours, foreign, notes);
    }

    @Override
    public String persistHint() {
        return runner.installed("netfilter-persistent") ? "netfilter-persistent save"
                : "iptables-save > /etc/iptables/rules.v4 && ip6tables-save > /etc/iptables/rules.v6";
    }

    private List<String> tools() {
        return runner.installed(v6) ? List.of(v4, v6) : List.of(v4);
    }

    private List<String> notes(int port, boolean has6) {
        List<String> notes = new ArrayList<>();
        for (String tool : has6 ? List.of(v4, v6) : List.of(v4)) {
            list(tool).stream().filter(r -> r.isForeignAccept(port)).forEach(r -> notes.add(
                    "note: a rule not made by redis-tls already accepts tcp port " + port + " in " + tool
                            + " INPUT (" + r.line() + "); left as it is"));
        }
        return notes;
    }

    private static List<String> wanted(List<Cidr> cidrs, boolean ipv6) {
        if (cidrs.isEmpty()) {
            return List.of(ANYWHERE);
        }
        return cidrs.stream().filter(c -> c.ipv6() == ipv6).map(Cidr::toString).toList();
    }

    private List<IptablesRule> list(String tool) {
        CommandRunner.Result r = runner.run(tool, "-w", "-S", "INPUT");
        if (!r.ok()) {
            throw RedisTlsException.failed(tool + " -S INPUT failed" + runner.where() + ": " + r.firstErrorLine());
        }
        return r.out().lines().filter(l -> l.startsWith("-A INPUT ")).map(IptablesRule::parse).toList();
    }

    /** The changes made so far, so that a refusal half-way leaves the rules as they were. */
    private final class Transaction {
        private final List<String[]> undo = new ArrayList<>();

        void run(String tool, List<String> args, List<String> inverse) {
            List<String> cmd = new ArrayList<>(List.of(tool, "-w"));
            cmd.addAll(args);
            CommandRunner.Result r = runner.run(null, cmd);
            if (!r.ok()) {
                throw RedisTlsException.failed(tool + " refused " + String.join(" ", args) + runner.where() + ": "
                        + r.firstErrorLine());
            }
            List<String> inv = new ArrayList<>(List.of(tool, "-w"));
            inv.addAll(inverse);
            undo.add(0, inv.toArray(String[]::new));
        }

        boolean changed() {
            return !undo.isEmpty();
        }

        void undo() {
            undo.forEach(runner::run);
            undo.clear();
        }
    }
}
