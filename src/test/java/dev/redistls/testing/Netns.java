package dev.redistls.testing;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A network namespace of a test's own ({@code redis-tls-test-<random>}), with its own empty firewall, so that
 * nft and iptables can be run for real without touching the host's rules. Needs root (ip netns add).
 * Close it (try-with-resources, or @AfterEach/@AfterAll) to delete it; deleting drops every rule inside.
 */
public final class Netns implements AutoCloseable {
    private static final Pattern COUNTERS = Pattern.compile("\\[\\d+:\\d+]|counter packets \\d+ bytes \\d+");

    private final String name;

    private Netns(String name) {
        this.name = name;
    }

    public static Netns create() {
        byte[] b = new byte[4];
        new SecureRandom().nextBytes(b);
        String name = "redis-tls-test-" + HexFormat.of().formatHex(b);
        Processes.Output r = Processes.run(null, List.of("ip", "netns", "add", name));
        if (r.exitCode() != 0) {
            throw new IllegalStateException("ip netns add " + name + " failed: " + r.out());
        }
        return new Netns(name);
    }

    public String name() {
        return name;
    }

    /** Runs {@code command} inside the namespace; stdout and stderr merged. */
    public Processes.Output exec(String... command) {
        return execWithInput(null, command);
    }

    public Processes.Output execWithInput(String stdin, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(command));
        return Processes.run(stdin, full);
    }

    /** Like {@link #exec} but fails the test's set-up when the command does. */
    public String must(String... command) {
        Processes.Output r = exec(command);
        if (r.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed in " + name + ": " + r.out());
        }
        return r.out();
    }

    /** The pids of every process inside the namespace now ({@code ip netns pids}); empty once it is deleted. */
    public List<Long> pids() {
        Processes.Output r = Processes.run(null, List.of("ip", "netns", "pids", name));
        if (r.exitCode() != 0) {
            return List.of();
        }
        return r.out().lines().map(String::strip).filter(l -> l.matches("\\d+")).map(Long::valueOf).toList();
    }

    /**
     * Stops every process still inside the namespace, by pid and only those (they are the test's): SIGTERM, then
     * SIGKILL for what is left after {@code grace}. Processes outside it are never signalled.
     */
    public void stopProcesses(Duration grace) {
        List<Long> pids = pids();
        pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy));
        long deadline = System.nanoTime() + grace.toNanos();
        while (!pids.isEmpty() && System.nanoTime() < deadline) {
            sleep(10);
            pids = pids();
        }
        for (int i = 0; i < 100 && !pids.isEmpty(); i++) {
            pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            sleep(10);
            pids = pids();
        }
        if (!pids.isEmpty()) {
            throw new IllegalStateException("processes left in " + name + " after SIGKILL: " + pids);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        Processes.run(null, List.of("ip", "netns", "del", name));
    }

    /**
     * The host's own firewall as text (nft ruleset, iptables-save and ip6tables-save, nf_tables and legacy),
     * with packet counters and timestamps taken out since traffic moves them: compare before and after a test class
     * to prove it left the host alone.
     */
    public static String hostFirewall() {
        StringBuilder sb = new StringBuilder();
        for (String[] cmd : new String[][]{{"nft", "list", "ruleset"}, {"iptables-save"}, {"ip6tables-save"},
                {"iptables-legacy-save"}, {"ip6tables-legacy-save"}}) {
            sb.append("== ").append(String.join(" ", cmd)).append('\n');
            try {
                Processes.run(null, List.of(cmd)).out().lines().filter(l -> !l.startsWith("#"))
                        .forEach(l -> sb.append(COUNTERS.matcher(l).replaceAll("")).append('\n'));
            } catch (IllegalStateException e) {
                sb.append("(not runnable)\n");
            }
        }
        return sb.toString();
    }
}
