package dev.redistls.firewall;

import java.util.List;

/** The {@code none} backend: no rule anywhere, and output that says so rather than pretending. */
final class NoFirewall implements Firewall {
    private final String reason;

    NoFirewall(String reason) {
        this.reason = reason;
    }

    @Override
    public String name() {
        return "none";
    }

    @Override
    public String reason() {
        return reason;
    }

    @Override
    public Outcome open(int port, List<String> allowFrom) {
        Firewall.checkPort(port);
        Firewall.checkSources(allowFrom);
        return new Outcome(name(), port, false, List.of(
                "firewall: none; no rule added: make sure tcp port " + port + " is reachable by your clients"));
    }

    @Override
    public Outcome close(int port) {
        Firewall.checkPort(port);
        return new Outcome(name(), port, false, List.of("firewall: none; no rule removed for tcp port " + port));
    }

    @Override
    public Status status(int port) {
        Firewall.checkPort(port);
        return new Status(name(), port, false, List.of(), List.of(),
                List.of("firewall: none; redis-tls manages no rule for tcp port " + port));
    }

    @Override
    public String persistHint() {
        return "";
    }
}
