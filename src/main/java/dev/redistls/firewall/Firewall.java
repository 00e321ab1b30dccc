package dev.redistls.firewall;

import dev.redistls.RedisTlsException;

import java.util.List;

/**
 * Opens and closes the TLS port in the host's firewall, the way the add-on does, touching nothing that is not ours.
 * One backend per tool, each the same trio: {@link #open}, {@link #close}, {@link #status}.
 * <ul>
 *   <li>{@code nftables}: our own table {@code inet redis_tls}, an input chain with policy accept, rules
 *       {@code tcp dport N accept comment "redis-tls"}. The table goes when its last rule goes.</li>
 *   <li>{@code iptables}: rules at the top of INPUT in iptables (IPv4) and ip6tables (IPv6), marked
 *       {@code -m comment --comment redis-tls}, found with {@code -S} and removed with {@code -D} of the same line.</li>
 *   <li>{@code firewalld}, {@code ufw}: their own commands, runtime only for firewalld.</li>
 *   <li>{@code none}: does nothing and says so.</li>
 *   <li>{@code auto}: whichever of the above the host actually uses; {@link #reason()} says why.</li>
 * </ul>
 * Usage, from install/configure/uninstall:
 * <pre>{@code
 * Firewall fw = Firewall.select("auto");                // commands run here, or in $REDIS_TLS_NETNS
 * Firewall.Outcome o = fw.open(6380, List.of());       // or fw.close(6380), fw.status(6380)
 * o.lines().forEach(out::println);                      // what was done, notes, and fw.persistHint()
 * }</pre>
 * Every method throws {@link RedisTlsException} with a one-line message: bad port or CIDR (exit 2), tool not
 * installed for an explicit backend (2), not root (1), a tool refusing a change (1, and what we changed before it
 * is undone). Rules are never persisted: {@link Outcome#lines()} ends with the command that would.
 */
public interface Firewall {
    /** The names {@link #select} accepts. */
    List<String> BACKENDS = List.of("auto", "nftables", "iptables", "firewalld", "ufw", "none");

    /** The default TLS port, as the add-on's. */
    int DEFAULT_PORT = 6380;

    /** The comment that marks every rule we make, and the only ones we ever remove. */
    String MARK = "redis-tls";

    /** The backend's name: nftables, iptables, firewalld, ufw or none. */
    String name();

    /** Whether this is the {@code none} backend, which manages no rule. */
    default boolean isNone() {
        return "none".equals(name());
    }

    /** Why this backend: "chosen with --backend", or what auto detection found. */
    String reason();

    /**
     * Makes our rules for {@code port} exactly one per source in {@code allowFrom} (one for any source when empty).
     * Opening twice leaves one rule; opening with other sources replaces only our earlier rules for that port.
     */
    Outcome open(int port, List<String> allowFrom);

    /** Removes our rules for {@code port}; when there are none, changes nothing and says so. */
    Outcome close(int port);

    Status status(int port);

    /** The command that keeps the current rules across a reboot; we print it, never run it. */
    String persistHint();

    /** Starts the line that carries {@link #persistHint()} in an outcome. */
    String PERSIST = "to keep it after a reboot: ";

    /**
     * What open or close did: {@code changed} is false when nothing needed doing. Lines are for people, in the order
     * to print them; {@link #done()}, {@link #notes()} and {@link #next()} sort them for a caller's own report.
     */
    record Outcome(String backend, int port, boolean changed, List<String> lines) {
        public Outcome {
            lines = List.copyOf(lines);
        }

        public List<String> done() {
            return lines.stream().filter(l -> !l.startsWith("note: ") && !l.startsWith(PERSIST)).toList();
        }

        /** Rules of others left as they are, drops we cannot override, a missing ip6tables. */
        public List<String> notes() {
            return lines.stream().filter(l -> l.startsWith("note: ")).toList();
        }

        /** The command that keeps the change after a reboot; empty when nothing changed. */
        public List<String> next() {
            return lines.stream().filter(l -> l.startsWith(PERSIST)).toList();
        }
    }

    /**
     * Our rules for the port ({@code open} when there is at least one), rules of others that accept the same port,
     * and notes (such as a drop policy elsewhere that our accept cannot override).
     */
    record Status(String backend, int port, boolean open, List<String> ours, List<String> foreign,
                  List<String> notes) {
        public Status {
            ours = List.copyOf(ours);
            foreign = List.copyOf(foreign);
            notes = List.copyOf(notes);
        }
    }

    /**
     * The backend named {@code backend} (one of {@link #BACKENDS}), running its commands through {@code runner}.
     * A real backend is refused at once when its tool is missing or when we are not root.
     */
    static Firewall select(String backend, CommandRunner runner) {
        return Selection.select(backend, runner);
    }

    /** {@link #select(String, CommandRunner)} with commands run on this host, or in {@code $REDIS_TLS_NETNS}. */
    static Firewall select(String backend) {
        return select(backend, CommandRunner.fromEnvironment());
    }

    /** Refuses a port outside 1..65535 before any work. */
    static int checkPort(int port) {
        if (port < 1 || port > 65535) {
            throw RedisTlsException.badInput("port " + port + " is out of range 1..65535");
        }
        return port;
    }

    /** Parses and validates every source before any work; a bad one is named in the error. */
    static List<Cidr> checkSources(List<String> allowFrom) {
        return allowFrom == null ? List.of() : allowFrom.stream().map(Cidr::parse).distinct().toList();
    }
}
