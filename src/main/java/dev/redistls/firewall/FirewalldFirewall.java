package dev.redistls.firewall;

import dev.redistls.RedisTlsException;

import java.util.ArrayList;
import java.util.List;

/**
 * firewalld, through firewall-cmd, in the default zone and at runtime only: {@code --permanent} would persist
 * silently, so we print {@code firewall-cmd --runtime-to-permanent} instead. firewalld keeps no comment on a port,
 * so an open port cannot be told apart from one someone else opened: open leaves an already-open port alone, and
 * close says that it may remove what another opened. Sources become rich rules of exactly the shape we add.
 * <p>
 * Not exercised against a real firewalld in our tests (it needs D-Bus and a system service); only the commands
 * it builds are tested.
 */
final class FirewalldFirewall implements Firewall {
    private final CommandRunner runner;
    private final String reason;

    FirewalldFirewall(CommandRunner runner, String reason) {
        this.runner = runner;
        this.reason = reason;
    }

    @Override
    public String name() {
        return "firewalld";
    }

    @Override
    public String reason() {
        return reason;
    }

    static List<String> entries(int port, List<Cidr> sources) {
        if (sources.isEmpty()) {
            return List.of("--%s-port=" + port + "/tcp");
        }
        return sources.stream().map(c -> "--%s-rich-rule=" + richRule(port, c)).toList();
    }

    static String richRule(int port, Cidr c) {
        return "rule family=\"" + (c.ipv6() ? "ipv6" : "ipv4") + "\" source address=\"" + c + "\" port port=\""
                + port + "\" protocol=\"tcp\" accept";
    }

    @Override
    public Outcome open(int port, List<String> allowFrom) {
        Firewall.checkPort(port);
        List<Cidr> sources = Firewall.checkSources(allowFrom);
        List<String> lines = new ArrayList<>();
        boolean changed = false;
        for (String e : entries(port, sources)) {
            if (runner.run("firewall-cmd", e.formatted("query")).ok()) {
                lines.add("already present in firewalld: " + e.formatted("query").replace("--query-", "") + "; nothing changed");
                continue;
            }
            run(e.formatted("add"));
            lines.add("opened tcp port " + port + " in firewalld's default zone (runtime" + runner.where() + "): "
                    + e.formatted("add"));
            changed = true;
        }
        if (changed) {
            lines.add(PERSIST + persistHint());
        }
        return new Outcome(name(), port, changed, lines);
    }

    @Override
    public Outcome close(int port) {
        Firewall.checkPort(port);
        List<String> lines = new ArrayList<>();
        List<String> present = new ArrayList<>();
        if (runner.run("firewall-cmd", "--query-port=" + port + "/tcp").ok()) {
            present.add("--%s-port=" + port + "/tcp");
        }
        for (String rule : richRules()) {
            if (rule.contains("port port=\"" + port + "\"") && rule.contains("protocol=\"tcp\"")
                    && rule.endsWith(" accept") && rule.contains("source address=")) {
                present.add("--%s-rich-rule=" + rule);
            }
        }
        if (present.isEmpty()) {
            return new Outcome(name(), port, false, List.of("nothing to close: tcp port " + port
                    + " is not open in firewalld's default zone" + runner.where()));
        }
        for (String e : present) {
            run(e.formatted("remove"));
            lines.add("closed in firewalld (runtime" + runner.where() + "): " + e.formatted("remove"));
        }
        lines.add("note: firewalld keeps no mark of who opened a port; if another service needs tcp port " + port
                + ", open it again with firewall-cmd --add-port=" + port + "/tcp");
        lines.add(PERSIST + persistHint());
        return new Outcome(name(), port, true, lines);
    }

    @Override
    public Status status(int port) {
        Firewall.checkPort(port);
        List<String> found = new ArrayList<>();
        if (runner.run("firewall-cmd", "--query-port=" + port + "/tcp").ok()) {
            found.add("port " + port + "/tcp");
        }
        richRules().stream().filter(r -> r.contains("port port=\"" + port + "\"")).forEach(found::add);
        return new Status(name(), port, !found.isEmpty(), found, List.of(),
                List.of("note: firewalld cannot tell whether redis-tls or someone else opened these"));
    }

    @Override
    public String persistHint() {
        return "firewall-cmd --runtime-to-permanent";
    }

    private List<String> richRules() {
        CommandRunner.Result r = runner.run("firewall-cmd", "--list-rich-rules");
        return r.ok() ? r.out().lines().map(String::trim).filter(l -> !l.isEmpty()).toList() : List.of();
    }

    private void run(String arg) {
        CommandRunner.Result r = runner.run("firewall-cmd", arg);
        if (!r.ok()) {
            throw RedisTlsException.failed("firewall-cmd " + arg + " failed" + runner.where() + ": " + r.firstErrorLine());
        }
    }
}
