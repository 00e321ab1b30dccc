package dev.redistls.testing;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A veth pair linking the test's (root) namespace to a namespace of its own, on a /30 of 10.0.0.0/8 of its own:
 * {@code .1} on the test side ({@code rtsh<network in hex>}), {@code .2} on {@code eth0} inside the namespace.
 *
 * <p>The /30 is picked at random and checked against every address and route of the machine ({@code ip -o addr},
 * {@code ip route show table all}) before and after it is taken. Two test JVMs picking the same /30 at the same time
 * cannot both get it: the test-side link is named after the network, so the second {@code ip link add} fails with
 * "File exists" and picks again.
 */
public final class VethLink {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int TEN = 10 << 24;
    private static final List<String> ROUTE_TYPES = List.of("unicast", "local", "broadcast", "multicast", "anycast",
            "unreachable", "blackhole", "prohibit", "throw", "nat");

    private final int network;
    private final String name;

    private VethLink(int network) {
        this.network = network;
        this.name = "rtsh" + String.format(Locale.ROOT, "%08x", network);
    }

    /** Creates the pair with the namespace's end as {@code eth0} inside it, addresses set, both ends and lo up. */
    public static VethLink create(Netns ns) {
        for (int attempt = 0; attempt < 64; attempt++) {
            VethLink link = new VethLink(TEN | (RANDOM.nextInt(1 << 24) & ~3));
            if (link.collides()) {
                continue;
            }
            Processes.Output add = Processes.run(null, List.of("ip", "link", "add", link.name, "type", "veth",
                    "peer", "name", "eth0", "netns", ns.name()));
            if (add.exitCode() != 0) {
                if (add.out().contains("File exists")) {
                    continue; // another test JVM took this /30 a moment ago
                }
                throw new IllegalStateException("ip link add " + link.name + " failed: " + add.out().strip());
            }
            try {
                Processes.must("addr add " + link.testSide() + "/30 dev " + link.name + "\n"
                        + "link set " + link.name + " up\n", List.of("ip", "-batch", "-"));
                Processes.must("addr add " + link.hostSide() + "/30 dev eth0\n"
                        + "link set eth0 up\nlink set lo up\n", List.of("ip", "-n", ns.name(), "-batch", "-"));
                if (!link.collides()) {
                    return link;
                }
            } catch (RuntimeException e) {
                link.delete();
                throw e;
            }
            link.delete(); // someone else added an overlapping address or route meanwhile: pick again
        }
        throw new IllegalStateException("no free /30 in 10.0.0.0/8 after 64 attempts");
    }

    /** The test side's address ({@code .1}). */
    public String testSide() {
        return dotted(network + 1);
    }

    /** The namespace side's address ({@code .2}). */
    public String hostSide() {
        return dotted(network + 2);
    }

    /** The link's network, {@code a.b.c.d/30}. */
    public String network() {
        return dotted(network) + "/30";
    }

    /** The test-side link's name (in the root namespace). */
    public String name() {
        return name;
    }

    /** Deletes the pair (both ends); {@code ip netns del} alone leaves it behind for a while. */
    public void delete() {
        Processes.Output r = Processes.run(null, List.of("ip", "link", "del", name));
        if (r.exitCode() != 0 && exists()) {
            throw new IllegalStateException("ip link del " + name + " failed: " + r.out().strip());
        }
    }

    public boolean exists() {
        return Processes.run(null, List.of("ip", "link", "show", "dev", name)).exitCode() == 0;
    }

    /** Whether an address or route of the machine, other than this link's own, overlaps this /30. */
    private boolean collides() {
        for (String[] prefixAndDev : inUse()) {
            if (!name.equals(prefixAndDev[1]) && overlaps(prefixAndDev[0])) {
                return true;
            }
        }
        return false;
    }

    private boolean overlaps(String prefix) {
        String[] p = prefix.split("/");
        int len = p.length == 2 ? Integer.parseInt(p[1]) : 32;
        int other = parse(p[0]);
        int mask = Math.min(len, 30) == 0 ? 0 : -1 << (32 - Math.min(len, 30));
        return (other & mask) == (network & mask);
    }

    /** Every IPv4 prefix in use on the machine with its device: addresses, and routes of every table. */
    private static List<String[]> inUse() {
        List<String[]> out = new ArrayList<>();
        for (String line : Processes.must("ip", "-4", "-o", "addr", "show").split("\n")) {
            String[] t = line.trim().split("\\s+");
            for (int i = 0; i + 1 < t.length; i++) {
                if (t[i].equals("inet")) {
                    out.add(new String[]{t[i + 1], t[1]});
                }
            }
        }
        for (String line : Processes.must("ip", "-4", "route", "show", "table", "all").split("\n")) {
            String[] t = line.trim().split("\\s+");
            int i = t.length > 1 && ROUTE_TYPES.contains(t[0]) ? 1 : 0;
            if (t[i].isEmpty() || t[i].equals("default") || !Character.isDigit(t[i].charAt(0))) {
                continue;
            }
            String dev = "";
            for (int j = i; j + 1 < t.length; j++) {
                if (t[j].equals("dev")) {
                    dev = t[j + 1];
                }
            }
            out.add(new String[]{t[i], dev});
        }
        return out;
    }

    private static int parse(String dotted) {
        String[] o = dotted.split("\\.");
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v = (v << 8) | (i < o.length ? Integer.parseInt(o[i]) : 0);
        }
        return v;
    }

    private static String dotted(int v) {
        return (v >>> 24) + "." + ((v >>> 16) & 255) + "." + ((v >>> 8) & 255) + "." + (v & 255);
    }
}
