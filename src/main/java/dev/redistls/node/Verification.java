package dev.redistls.node;

import java.util.ArrayList;
import java.util.List;

/** The checks run against a live node after a change, each passed or failed with a reason. */
public final class Verification {
    public record Check(String name, boolean passed, String detail) {
    }

    private final List<Check> checks = new ArrayList<>();
    private String servedSha256;
    private boolean handshake;

    public void add(String name, boolean passed, String detail) {
        checks.add(new Check(name, passed, detail));
    }

    void served(String sha256) {
        this.servedSha256 = sha256;
        this.handshake = sha256 != null;
    }

    public List<Check> checks() {
        return List.copyOf(checks);
    }

    public boolean passed() {
        return checks.stream().allMatch(Check::passed);
    }

    public List<Check> failures() {
        return checks.stream().filter(c -> !c.passed()).toList();
    }

    public String servedSha256() {
        return servedSha256;
    }

    public boolean handshake() {
        return handshake;
    }
}
