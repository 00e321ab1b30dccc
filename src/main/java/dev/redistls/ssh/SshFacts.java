package dev.redistls.ssh;

import dev.redistls.RedisTlsException;
import dev.redistls.host.Host;
import dev.redistls.host.HostFacts;
import dev.redistls.host.ProcText;
import dev.redistls.net.IpText;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a host over SSH says it is, asked in one round trip: a small shell script prints every fact at once, tagged
 * line by line, and the answer is kept for the command. What the script could not know in advance (an account
 * only the name service has, a tool not in the usual list, a process) costs one more exec when asked.
 */
final class SshFacts implements HostFacts {
    private static final Duration ASK = Duration.ofSeconds(20);
    /** Tools the commands ask about (firewalls, service managers, Redis); others are looked up when asked. */
    private static final List<String> TOOLS = List.of("nft", "iptables", "ip6tables", "firewall-cmd", "ufw", "systemctl",
            "redis-server", "redis-cli", "redis-sentinel", "flock", "ss", "openssl");
    static final List<String> SFTP_SERVERS = List.of("/usr/lib/openssh/sftp-server", "/usr/libexec/openssh/sftp-server",
            "/usr/libexec/sftp-server", "/usr/lib/ssh/sftp-server");

    /** An executable file in the system PATH (as {@link dev.redistls.host.LocalHost} judges): not a shell builtin. */
    private static final String HAS = "has() { for d in $(echo \"$PATH\" | tr : ' '); do [ -f \"$d/$1\" ] && [ -x \"$d/$1\" ] && return 0; done; return 1; }";

    private static final String SCRIPT = String.join("\n",
            "h=$(hostname 2>/dev/null || cat /proc/sys/kernel/hostname); echo \"host $h\"",
            "f=$(hostname -f 2>/dev/null) && echo \"fqdn $f\"",
            "echo \"euid $(id -u)\"",
            "if command -v ip >/dev/null 2>&1; then ip -o addr show up 2>/dev/null | while read -r n dev fam addr rest; do echo \"addr $addr $rest\"; done",
            "else for a in $(hostname -I 2>/dev/null); do echo \"addr $a\"; done; fi",
            HAS,
            "for t in " + String.join(" ", TOOLS) + "; do has \"$t\" && echo \"tool $t\"; done",
            "for p in " + String.join(" ", SFTP_SERVERS) + "; do [ -x \"$p\" ] && echo \"sftp $p\"; done",
            "sed -n 's/^[[:space:]]*[Ss][Uu][Bb][Ss][Yy][Ss][Tt][Ee][Mm][[:space:]]\\{1,\\}sftp[[:space:]]\\{1,\\}\\([^[:space:]]*\\).*/sftpconf \\1/p' /etc/ssh/sshd_config 2>/dev/null",
            "getent passwd | sed 's/^/passwd /'",
            "echo end");

    private final SshHost host;
    private final String hostName;
    private final Optional<String> fqdn;
    private final List<String> addresses;
    private final int euid;
    private final Set<String> tools;
    private final List<String> sftpServers;
    private final Map<String, Optional<Account>> byName = new ConcurrentHashMap<>();
    private final Map<Integer, Optional<Account>> byUid = new ConcurrentHashMap<>();
    private final Map<String, Boolean> askedTools = new ConcurrentHashMap<>();

    private SshFacts(SshHost host, Map<String, List<String>> lines) {
        this.host = host;
        this.hostName = first(lines, "host").orElse("");
        String shortName = hostName.toLowerCase(Locale.ROOT);
        this.fqdn = first(lines, "fqdn").filter(f -> f.toLowerCase(Locale.ROOT).startsWith(shortName + ".") && f.length() > shortName.length() + 1);
        this.euid = Integer.parseInt(first(lines, "euid").orElse("-1"));
        this.addresses = addresses(lines.getOrDefault("addr", List.of()));
        this.tools = new TreeSet<>(lines.getOrDefault("tool", List.of()));
        List<String> servers = new ArrayList<>(lines.getOrDefault("sftpconf", List.of()));
        servers.addAll(lines.getOrDefault("sftp", List.of()));
        this.sftpServers = servers.stream().filter(s -> s.startsWith("/")).distinct().toList();
        for (String p : lines.getOrDefault("passwd", List.of())) {
            passwdEntry(p).ifPresent(a -> {
                byName.putIfAbsent(a.name(), Optional.of(a));
                byUid.putIfAbsent(a.uid(), Optional.of(a));
            });
        }
    }

    static SshFacts ask(SshHost host) {
        Host.Execution r = host.runChecked(List.of("sh", "-c", SCRIPT), ASK, "asking it for its facts");
        if (!r.out().contains("\nend") && !r.out().startsWith("end")) {
            throw RedisTlsException.failed("could not learn the facts of " + host.name() + " (host name, addresses, users): "
                    + r.firstErrorLine());
        }
        Map<String, List<String>> lines = new LinkedHashMap<>();
        for (String line : r.out().split("\n")) {
            int sp = line.indexOf(' ');
            if (sp > 0) {
                lines.computeIfAbsent(line.substring(0, sp), k -> new ArrayList<>()).add(line.substring(sp + 1).trim());
            }
        }
        return new SshFacts(host, lines);
    }

    private static Optional<String> first(Map<String, List<String>> lines, String key) {
        return lines.getOrDefault(key, List.of()).stream().filter(s -> !s.isBlank()).findFirst();
    }

    /** {@code ip -o addr} fields after the family ("10.0.0.2/30 brd ... scope global eth0"), or a bare address. */
    private static List<String> addresses(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            String a = line.split("\\s+")[0];
            int slash = a.indexOf('/');
            a = slash >= 0 ? a.substring(0, slash) : a;
            if (!a.matches("[0-9A-Fa-f:.]+") || !(a.contains(".") || a.contains(":"))) {
                continue;
            }
            try {
                InetAddress ip = InetAddress.getByName(a); // a literal: no lookup
                if (!ip.isLoopbackAddress() && !ip.isLinkLocalAddress() && !ip.isAnyLocalAddress()) {
                    String text = IpText.compact(ip);
                    if (!out.contains(text)) {
                        out.add(text);
                    }
                }
            } catch (UnknownHostException ignored) {
                // not an address
            }
        }
        return out;
    }

    private static Optional<Account> passwdEntry(String passwdLine) {
        String[] f = passwdLine.split(":");
        try {
            return f.length > 3 ? Optional.of(new Account(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[3]))) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    List<String> sftpServers() {
        return sftpServers;
    }

    @Override
    public String hostName() {
        return hostName;
    }

    @Override
    public Optional<String> fqdn() {
        return fqdn;
    }

    @Override
    public List<String> addresses() {
        return addresses;
    }

    @Override
    public int euid() {
        return euid;
    }

    @Override
    public Optional<Account> account(String user) {
        return byName.computeIfAbsent(user, u -> getent(u));
    }

    @Override
    public Optional<Account> account(int uid) {
        return byUid.computeIfAbsent(uid, u -> getent(String.valueOf(u)));
    }

    /** An account the enumeration did not list (a name service that does not enumerate). */
    private Optional<Account> getent(String key) {
        try {
            Host.Execution r = host.run(List.of("getent", "passwd", key), null, ASK);
            return r.ok() ? r.out().lines().findFirst().flatMap(SshFacts::passwdEntry) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<Account> processOwner(long pid, String comm) {
        try {
            // One exec for both files; the marker line splits them.
            Host.Execution r = host.run(List.of("sh", "-c", "cat /proc/\"$1\"/comm && echo --status-- && cat /proc/\"$1\"/status",
                    "sh", String.valueOf(pid)), null, ASK);
            int mark = r.out().indexOf("--status--\n");
            if (!r.ok() || mark < 0 || !r.out().startsWith(comm)) {
                return Optional.empty();
            }
            OptionalInt uid = ProcText.effectiveUid(r.out().substring(mark));
            return uid.isPresent() ? account(uid.getAsInt()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public boolean hasTool(String tool) {
        if (TOOLS.contains(tool)) {
            return tools.contains(tool);
        }
        return askedTools.computeIfAbsent(tool, t -> {
            try {
                return host.run(List.of("sh", "-c", HAS + "\nhas \"$1\"", "sh", t), null, ASK).ok();
            } catch (IOException e) {
                return false;
            }
        });
    }
}
