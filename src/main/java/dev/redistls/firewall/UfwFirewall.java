package dev.redistls.firewall;

import dev.redistls.RedisTlsException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ufw, through its own commands: {@code ufw allow ... comment redis-tls}. ufw skips a rule it already has, and it
 * saves every rule itself (there is no runtime-only change), which we say instead of a persist command. Ours are
 * found in {@code ufw status numbered} by the comment and removed by number, highest first so numbers hold.
 * <p>
 * Not exercised against a real ufw in our tests (it keeps its state in /etc/ufw, outside any namespace); only the
 * commands it builds and the status lines it parses are tested.
 */
final class UfwFirewall implements Firewall {
    private static final Pattern NUMBERED = Pattern.compile("^\\[\\s*(\\d+)]\\s+(\\S+)(.*)$");

    private final CommandRunner runner;
    private final String reason;

    UfwFirewall(CommandRunner runner, String reason) {
        this.runner = runner;
        this.reason = reason;
    }

    @Override
    public String name() {
        return "ufw";
    }

    @Override
    public String reason() {
        return reason;
    }

    static List<List<String>> allowCommands(int port, List<Cidr> sources) {
        if (sources.isEmpty()) {
            return List.of(List.of("ufw", "allow", port + "/tcp", "comment", MARK));
        }
        return sources.stream().map(c -> List.of("ufw", "allow", "from", c.toString(), "to", "any", "port",
                Integer.toString(port), "proto", "tcp", "comment", MARK)).toList();
    }

    /** Rule numbers of ours for {@code port} in {@code ufw status numbered} output, highest first. */
    static List<Integer> ourNumbers(String statusNumbered, int port) {
        List<Integer> out = new ArrayList<>();
        for (String line : statusNumbered.lines().toList()) {
            Matcher m = NUMBERED.matcher(line.trim());
            if (m.matches() && m.group(2).equals(port + "/tcp") && m.group(3).trim().endsWith("# " + MARK)) {
                out.add(Integer.parseInt(m.group(1)));
            }
        }
        out.sort(Comparator.reverseOrder());
        return out;
    }

    @Override
    public Outcome open(int port, List<String> allowFrom) {
        Firewall.checkPort(port);
        List<String> lines = new ArrayList<>();
        boolean changed = false;
        for (List<String> cmd : allowCommands(port, Firewall.checkSources(allowFrom))) {
            CommandRunner.Result r = runner.run(null, cmd);
            if (!r.ok()) {
                throw RedisTlsException.failed(String.join(" ", cmd) + " failed" + runner.where() + ": "
                        + r.firstErrorLine());
            }
            boolean skipped = r.out().lines().allMatch(l -> l.isBlank() || l.startsWith("Skipping"));
            changed |= !skipped;
            lines.add((skipped ? "already present, nothing changed: " : "done: ") + String.join(" ", cmd));
        }
        if (changed) {
            lines.add("ufw saves its rules itself: they stay after a reboot");
        }
        if (!runner.run("ufw", "status").out().contains("Status: active")) {
            lines.add("note: ufw is inactive, so its rules filter nothing until: ufw enable");
        }
        return new Outcome(name(), port, changed, lines);
    }

    @Override
    public Outcome close(int port) {
        Firewall.checkPort(port);
        List<Integer> numbers = ourNumbers(statusNumbered(), port);
        if (numbers.isEmpty()) {
            return new Outcome(name(), port, false, List.of("nothing to close: no redis-tls rule for tcp port " + port
                    + " in ufw" + runner.where()));
        }
        for (int n : numbers) {
            CommandRunner.Result r = runner.run("ufw", "--force", "delete", Integer.toString(n));
            if (!r.ok()) {
                throw RedisTlsException.failed("ufw delete " + n + " failed" + runner.where() + ": " + r.firstErrorLine());
            }
        }
        return new Outcome(name(), port, true, List.of("closed tcp port " + port + ": removed " + numbers.size()
                + " ufw rule" + (numbers.size() == 1 ? "" : "s") + " marked redis-tls" + runner.where(),
                "ufw saves its rules itself: the change stays after a reboot"));
    }

    @Override
    public Status status(int port) {
        Firewall.checkPort(port);
        String text = statusNumbered();
        List<String> ours = new ArrayList<>();
        List<String> foreign = new ArrayList<>();
        for (String line : text.lines().map(String::trim).toList()) {
            Matcher m = NUMBERED.matcher(line);
            if (m.matches() && m.group(2).equals(port + "/tcp") && m.group(3).contains("ALLOW")) {
                (m.group(3).trim().endsWith("# " + MARK) ? ours : foreign).add(line);
            }
        }
        return new Status(name(), port, !ours.isEmpty(), ours, foreign, List.of());
    }

    @Override
    public String persistHint() {
        return "(none needed: ufw saves its rules itself)";
    }

    private String statusNumbered() {
        CommandRunner.Result r = runner.run("ufw", "status", "numbered");
        if (!r.ok()) {
            throw RedisTlsException.failed("ufw status failed" + runner.where() + ": " + r.firstErrorLine());
        }
        return r.out();
    }
}
