package dev.redistls.firewall;

import dev.redistls.RedisTlsException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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

    private final String netns;
    private final List<Path> path;
    private final int euid;

    private CommandRunner(String netns, List<Path> path, int euid) {
        this.netns = netns;
        this.path = List.copyOf(path);
        this.euid = euid;
    }

    /** Commands run on this host, in its own network namespace. */
    public static CommandRunner local() {
        return new CommandRunner(null, defaultPath(), effectiveUid());
    }

    /** Commands run as {@code ip netns exec NAME ...}. */
    public static CommandRunner inNetns(String name) {
        if (name == null || !NETNS_NAME.matcher(name).matches()) {
            throw RedisTlsException.badInput("not a network namespace name: " + name);
        }
        return new CommandRunner(name, defaultPath(), effectiveUid());
    }

    /** In {@code $REDIS_TLS_NETNS} when that is set and not empty, else {@link #local()}. */
    public static CommandRunner fromEnvironment() {
        String ns = System.getenv(NETNS_ENV);
        return ns == null || ns.isBlank() ? local() : inNetns(ns.trim());
    }

    /** The same runner, looking for tools only in {@code dirs} (tests use it to make a tool "not installed"). */
    public CommandRunner withPath(List<Path> dirs) {
        return new CommandRunner(netns, dirs, euid);
    }

    /** The same runner, believing it runs as {@code uid} (tests use it to check the not-root refusal). */
    public CommandRunner asUser(int uid) {
        return new CommandRunner(netns, path, uid);
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

    /** " in network namespace NS", or "" on the host: appended to what we tell the user. */
    public String where() {
        return netns == null ? "" : " in network namespace " + netns;
    }

    public boolean installed(String tool) {
        return path.stream().map(d -> d.resolve(tool)).anyMatch(p -> Files.isRegularFile(p) && Files.isExecutable(p));
    }

    public Result run(String... command) {
        return run(null, Arrays.asList(command));
    }

    /** Runs {@code command} with {@code stdin} fed to it (may be null), inside the namespace when there is one. */
    public Result run(String stdin, List<String> command) {
        List<String> full = new ArrayList<>();
        if (netns != null) {
            full.addAll(List.of("ip", "netns", "exec", netns));
        }
        full.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(full);
        pb.environment().put("PATH", path.stream().map(Path::toString).collect(Collectors.joining(":")));
        // Tools print in the C locale so that what we parse (ufw status, firewall-cmd) is the English text.
        pb.environment().put("LC_ALL", "C");
        try {
            Process p = pb.start();
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            try (var in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            String out = read(p.getInputStream());
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw RedisTlsException.failed(command.get(0) + " did not finish within " + TIMEOUT_SECONDS + "s"
                        + where());
            }
            return new Result(p.exitValue(), out, err.join());
        } catch (IOException e) {
            throw RedisTlsException.failed("cannot run " + full.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RedisTlsException.failed("interrupted while running " + command.get(0), e);
        }
    }

    private static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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

    /** The effective uid, from /proc: the JDK exposes only the real uid, and sudo/setuid set the effective one. */
    private static int effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or /proc hidden: let the tools themselves refuse if we are not root.
        }
        return 0;
    }
}
