package dev.redistls.firewall;

import dev.redistls.RedisTlsException;

import dev.redistls.host.Host;
import dev.redistls.host.LocalHost;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.time.Duration;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Runs every external firewall command (nft, iptables, firewall-cmd, ufw) and nothing else does. A runner may carry a
 * prefix, {@code ip netns exec NS}, so that a backend acts inside a network namespace: tests and end-to-end runs
 * point the whole firewall at a namespace they created and never touch the host's own rules.
 * <p>
 * {@link #fromEnvironment()} honours {@code REDIS_TLS_NETNS}: when set, every firewall command runs in that namespace.
 */
public final class CommandRunner {
    /** The namespace every firewall command runs in, when set (end-to-end tests, install tests). */
    public static final String NETNS_ENV = "REDIS_TLS_NETNS";

    private static final Pattern NETNS_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    // nft and iptables live in /usr/sbin, which a non-root user's PATH often lacks; we still want to find them
    // there to tell "not installed" apart from "needs root".
    private static final List<String> SBIN = List.of("/usr/local/sbin", "/usr/sbin", "/sbin");
    private static final long TIMEOUT_SECONDS = 60;

    public record Result(int exitCode, String out, String err) {
        public boolean ok() {
            return exitCode == 0;
        }

        /** The first line of stderr (else stdout): what the tool said went wrong. */
        public String firstErrorLine() {
            String text = err.isBlank() ? out : err;
            return text.lines().filter(l -> !l.isBlank()).findFirst().orElse("exit " + exitCode).trim();
        }
    }

    private final Host host;
    private final String netns;
    private final List<Path> path;
    private final int euid;

    private CommandRunner(Host host, String netns, List<Path> path, int euid) {
        this.host = host;
        this.netns = netns;
        this.path = path == null ? null : List.copyOf(path);
        this.euid = euid;
    }

    /** Commands run on this host, in its own network namespace. */
    public static CommandRunner local() {
        LocalHost here = new LocalHost();
        return new CommandRunner(here, null, defaultPath(), here.facts().euid());
    }

    /** Commands run on a node's host (over SSH for a remote one), in its own network namespace. */
    public static CommandRunner on(Host host) {
        return host.isLocal() ? new CommandRunner(host, null, defaultPath(), host.facts().euid())
                : new CommandRunner(host, null, null, host.facts().euid());
    }

    /** Commands run as {@code ip netns exec NAME ...}. */
    public static CommandRunner inNetns(String name) {
        return local().inNamespace(name);
    }

    /** The same runner, inside network namespace {@code name} of its host. */
    public CommandRunner inNamespace(String name) {
        if (name == null || !NETNS_NAME.matcher(name).matches()) {
            throw RedisTlsException.badInput("not a network namespace name: " + name);
        }
        return new CommandRunner(host, name, path, euid);
    }

    /** In {@code $REDIS_TLS_NETNS} when that is set and not empty, else {@link #local()}. */
    public static CommandRunner fromEnvironment() {
        return fromEnvironment(local());
    }

    /** {@code runner}, moved into {@code $REDIS_TLS_NETNS} when that is set and not empty. */
    public static CommandRunner fromEnvironment(CommandRunner runner) {
        String ns = System.getenv(NETNS_ENV);
        return ns == null || ns.isBlank() ? runner : runner.inNamespace(ns.trim());
    }

    /** The same runner, looking for tools only in {@code dirs} (tests use it to make a tool "not installed"). */
    public CommandRunner withPath(List<Path> dirs) {
        return new CommandRunner(host, netns, dirs, euid);
    }

    /** The same runner, believing it runs as {@code uid} (tests use it to check the not-root refusal). */
    public CommandRunner asUser(int uid) {
        return new CommandRunner(host, netns, path, uid);
    }

    public boolean isRoot() {
        return euid == 0;
    }

    public int euid() {
        return euid;
    }

    /** The namespace commands run in, or null for the host's own. */
    public String netns() {
        return netns;
    }

    /** " in network namespace NS", or "" on the host, plus " on HOST" for another machine: appended to what we tell the user. */
    public String where() {
        return (netns == null ? "" : " in network namespace " + netns) + (host.isLocal() ? "" : " on " + host.name());
    }

    public boolean installed(String tool) {
        if (path == null) {
            return host.facts().hasTool(tool);
        }
        return path.stream().map(d -> d.resolve(tool)).anyMatch(p -> Files.isRegularFile(p) && Files.isExecutable(p));
    }

    public Result run(String... command) {
        return run(null, Arrays.asList(command));
    }

    /** Runs {@code command} with {@code stdin} fed to it (may be null), inside the namespace when there is one. */
    public Result run(String stdin, List<String> command) {
        List<String> full = new ArrayList<>();
        if (path != null) {
            // The runner's own PATH (tests narrow it to hide a tool).
            full.add("env");
            full.add("PATH=" + path.stream().map(Path::toString).collect(Collectors.joining(":")));
        }
        if (netns != null) {
            full.addAll(List.of("ip", "netns", "exec", netns));
        }
        full.addAll(command);
        try {
            Host.Execution r = host.run(full, stdin == null ? null : stdin.getBytes(StandardCharsets.UTF_8),
                    Duration.ofSeconds(TIMEOUT_SECONDS));
            return new Result(r.exitCode(), r.out(), r.err());
        } catch (IOException e) {
            throw RedisTlsException.failed("cannot run " + command.get(0) + where() + ": " + e.getMessage(), e);
        }
    }

    private static List<Path> defaultPath() {
        Set<String> dirs = new LinkedHashSet<>();
        String env = System.getenv("PATH");
        if (env != null) {
            Arrays.stream(env.split(":")).filter(s -> !s.isBlank()).forEach(dirs::add);
        }
        dirs.addAll(SBIN);
        dirs.addAll(List.of("/usr/local/bin", "/usr/bin", "/bin"));
        return dirs.stream().map(Path::of).toList();
    }
}
