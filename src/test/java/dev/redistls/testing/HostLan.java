package dev.redistls.testing;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A LAN for simulated hosts: a namespace of its own holding a bridge, and a veth from it into each host's namespace
 * ({@code lan0}, an address of one /24), plus one into the test's namespace ({@code .1}), so that hosts reach each
 * other directly (a Redis Cluster's bus) and the test reaches them all as a client on the same network, the way
 * machines on one subnet do. Nothing is routed or forwarded: the test's namespace keeps {@code ip_forward} as it is.
 * Addresses are chosen before hosts start ({@link #address(int)}), so that a host's redis.conf can bind them.
 * {@link #close()} deletes every veth and the namespace.
 */
public final class HostLan implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String id;
    private final String netns;
    private final int network;
    private final List<String> links = new ArrayList<>();
    private final List<String> legs = new ArrayList<>();

    private HostLan(String id, int network) {
        this.id = id;
        this.netns = "rtlan" + id;
        this.network = network;
    }

    /** The bridge namespace, and the test's own leg on it. */
    public static HostLan create() {
        for (int attempt = 0; attempt < 32; attempt++) {
            byte[] b = new byte[3];
            RANDOM.nextBytes(b);
            int network = (10 << 24) | ((RANDOM.nextInt(1 << 16)) << 8);
            if (inUse(network)) {
                continue;
            }
            HostLan lan = new HostLan(HexFormat.of().formatHex(b), network);
            try {
                Processes.must("ip", "netns", "add", lan.netns);
                Processes.must("link add br0 type bridge\nlink set br0 up\nlink set lo up\n",
                        List.of("ip", "-n", lan.netns, "-batch", "-"));
                String test = lan.linkName("t");
                Processes.must("ip", "link", "add", test, "type", "veth", "peer", "name", lan.linkName("b"), "netns", lan.netns);
                lan.links.add(test);
                Processes.must("addr add " + lan.address(0) + "/24 dev " + test + "\nlink set " + test + " up\n",
                        List.of("ip", "-batch", "-"));
                Processes.must("ip", "-n", lan.netns, "link", "set", lan.linkName("b"), "master", "br0", "up");
                return lan;
            } catch (RuntimeException e) {
                lan.close();
                throw e;
            }
        }
        throw new IllegalStateException("no free /24 in 10.0.0.0/8 for a LAN after 32 attempts");
    }

    /** The LAN's address {@code index} ({@code 0}: the test's, {@code 1..}: the hosts'). */
    public String address(int index) {
        int a = network + (index == 0 ? 1 : 10 + index);
        return (a >>> 24) + "." + ((a >>> 16) & 255) + "." + ((a >>> 8) & 255) + "." + (a & 255);
    }

    /** Puts {@code host} on the LAN as {@code lan0} with {@link #address(int) address(index)}. */
    public synchronized void attach(SimulatedHost host, int index) {
        String leg = linkName("h" + index);
        Processes.must("ip", "-n", netns, "link", "add", leg, "type", "veth", "peer", "name", "lan0", "netns", host.netns());
        legs.add(leg);
        Processes.must("ip", "-n", netns, "link", "set", leg, "master", "br0", "up");
        Processes.must("addr add " + address(index) + "/24 dev lan0\nlink set lan0 up\n",
                List.of("ip", "-n", host.netns(), "-batch", "-"));
    }

    /** The namespace holding the bridge ({@code br0}): where a capture sees every packet between hosts. */
    public String netns() {
        return netns;
    }

    private String linkName(String suffix) {
        return "rl" + id + suffix;
    }

    private static boolean inUse(int network) {
        String prefix = (network >>> 24) + "." + ((network >>> 16) & 255) + "." + ((network >>> 8) & 255) + ".";
        String all = Processes.must("ip", "-4", "-o", "addr", "show") + Processes.must("ip", "-4", "route", "show", "table", "all");
        return all.contains(" " + prefix) || all.lines().anyMatch(l -> l.startsWith(prefix));
    }

    @Override
    public synchronized void close() {
        // ip netns del leaves veths behind for a while: each goes explicitly first.
        for (String leg : legs) {
            Processes.run(null, List.of("ip", "-n", netns, "link", "del", leg));
        }
        for (String link : links) {
            Processes.run(null, List.of("ip", "link", "del", link));
        }
        Processes.run(null, List.of("ip", "netns", "del", netns));
    }
}
