package dev.redistls.group;

import dev.redistls.RedisTlsException;
import dev.redistls.group.ClusterTopology.ClusterNode;
import dev.redistls.group.GroupHosts.GroupMember;
import dev.redistls.node.LiveNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster bus of a live cluster moved between plain text and TLS without a restart, and the proof that every
 * link was re-established. What Redis 7.0's cluster.c does, and what this relies on:
 * <ul>
 *   <li>A link's transport is fixed when it is made: an outbound link is TLS when the node has {@code tls-cluster yes}
 *       at connect time, an accepted one when it has it at accept time. Changing {@code tls-cluster} touches no open
 *       link: Redis keeps a plaintext link until something frees it.</li>
 *   <li>A node frees its outbound link to a peer when a PING from that peer announces other ports than it knew
 *       ({@code nodeUpdateAddressIfNeeded}); the peer then sees the link close and frees its end. Every peer PINGs
 *       every other within half the node timeout. So a change of every node's announced ports makes every link be
 *       made again, with the transport both ends have then. That is the mechanism used here
 *       ({@code ClusterBusMechanismIT} shows both: tls-cluster alone leaves every link plaintext; a changed
 *       announcement re-makes every one over TLS).</li>
 *   <li>Not used: {@code cluster-link-sendbuf-limit} frees only a link whose send buffer holds data when the cluster
 *       cron looks (an idle link's buffer is shrunk to 0 bytes first: CLUSTER LINKS shows send-buffer-allocated 0),
 *       so even a 1-byte limit leaves idle plaintext links alone and frees, at random, links with a reply queued; {@code DEBUG CLUSTERLINK KILL} is off unless
 *       enable-debug-command allows it; killing sockets ({@code ss -K}) needs root and a kernel with
 *       INET_DIAG_DESTROY on every host; lowering the node timeout risks exactly the failure flags we must avoid;
 *       CLUSTER RESET forgets the cluster.</li>
 *   <li>The announced client port follows {@code tls-cluster} (tls-port with it, port without: Redis 7.0 redirects
 *       and replicates to that one port), and so, unless pinned, does the bus port (client port + 10000) while the
 *       listener stays where it was opened: it is pinned with {@code cluster-announce-bus-port} live and
 *       {@code cluster-port} in the file.</li>
 * </ul>
 * So the switch goes through a masked step: every node turns {@code tls-cluster yes} while still announcing its plain
 * port as both of its client ports ({@code cluster-announce-tls-port} and {@code cluster-announce-port} = the plain
 * port), which frees every link once (re-made over TLS as both ends switch) and sends no client, and no replica, to a
 * port it cannot speak; then replicas, then masters, take {@code tls-replication yes} and announce their real TLS
 * port, which frees every link again and moves each replica to its master's TLS port (partial resync). A node that
 * switched refuses plaintext links from one that has not; each pair keeps the old link one way until both switched,
 * so no node goes without hearing from another and none is flagged failing.
 */
final class ClusterBus {
    private ClusterBus() {
    }

    /** Step 1 of install (live only): TLS bus, ports announced as before (the plain port twice), bus port pinned. */
    static Map<String, String> masked(ClusterNode n) {
        Map<String, String> v = new LinkedHashMap<>(pin(n));
        int plain = n.announcedPlainPort();
        v.put("cluster-announce-tls-port", String.valueOf(plain));
        v.put("cluster-announce-port", String.valueOf(plain));
        v.put("tls-cluster", "yes");
        return v;
    }

    /**
     * Step 2 of install, after {@code tls-replication yes}: the real client ports announced, TLS where announce
     * settings name ports, derived from tls-port otherwise. {@code original} are the node's settings before step 1.
     */
    static Map<String, String> unmasked(ClusterNode n, Map<String, String> original, int tlsPort) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("cluster-announce-tls-port", n.announces() ? String.valueOf(tlsPort) : "0");
        v.put("cluster-announce-port", n.announces() ? String.valueOf(announcedPlain(n, original))
                : original.getOrDefault("cluster-announce-port", "0"));
        return v;
    }

    /**
     * The plain port a node announces where announce settings are used: with cluster-announce-tls-port set, Redis
     * 7.0 announces cluster-announce-port as the plain one, 0 (none: plain clients get the TLS port) when unset.
     */
    static int announcedPlain(ClusterNode n, Map<String, String> original) {
        int a = Integer.parseInt(original.getOrDefault("cluster-announce-port", "0"));
        return a != 0 ? a : n.port();
    }

    /** Step 1 of uninstall, after {@code tls-replication no}: TLS bus still, the plain port announced again (twice). */
    static Map<String, String> remasked(ClusterNode n, Map<String, String> original) {
        Map<String, String> v = new LinkedHashMap<>();
        int plain = Integer.parseInt(original.getOrDefault("cluster-announce-port", "0"));
        String p = String.valueOf(plain != 0 ? plain : n.port());
        v.put("tls-replication", "no");
        v.put("cluster-announce-tls-port", p);
        v.put("cluster-announce-port", p);
        return v;
    }

    /** Step 2 of uninstall: the plaintext bus, every announce setting as the original config had it. */
    static Map<String, String> plain(Map<String, String> original) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("tls-cluster", "no");
        for (String k : List.of("cluster-announce-tls-port", "cluster-announce-port", "cluster-announce-bus-port")) {
            v.put(k, original.getOrDefault(k, "0"));
        }
        return v;
    }

    /**
     * The bus port kept where the listener is while tls-cluster changes what Redis would derive: nothing when
     * cluster-port or cluster-announce-bus-port already fixes it.
     */
    static Map<String, String> pin(ClusterNode n) {
        if (n.intValue("cluster-port") != 0 || n.intValue("cluster-announce-bus-port") != 0) {
            return Map.of();
        }
        return Map.of("cluster-announce-bus-port", String.valueOf(n.busPort()));
    }

    /**
     * CONFIG SET of {@code values} in one command (Redis sets them all, then derives the announced ports once), and
     * the node's clock right after: links it makes or accepts from then on use its new transport.
     */
    static long set(GroupMember m, Map<String, String> values) {
        try (LiveNode live = m.node().connect()) {
            return set(live, values);
        }
    }

    static long set(LiveNode live, Map<String, String> values) {
        if (values.isEmpty()) {
            return live.timeMillis();
        }
        Map<String, String> now = live.configGet(values.keySet().toArray(new String[0]));
        Map<String, String> changed = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (!v.equals(now.get(k))) {
                changed.put(k, v);
            }
        });
        live.configSet(changed);
        return live.timeMillis();
    }

    /**
     * {@link #set} after making Redis derive the node's own announced ports again: 7.0 does so only when an announce
     * port changes (not when tls-cluster does), so cluster-announce-tls-port is moved off its wanted value first.
     * For a node that switched tls-cluster while announcing the same ports (one that knows no peer yet).
     */
    static long setRederiving(LiveNode live, Map<String, String> values, int tlsPort) {
        String wanted = values.getOrDefault("cluster-announce-tls-port", live.configGet("cluster-announce-tls-port")
                .getOrDefault("cluster-announce-tls-port", "0"));
        live.configSet(Map.of("cluster-announce-tls-port", "0".equals(wanted) ? String.valueOf(tlsPort) : "0"));
        Map<String, String> all = new LinkedHashMap<>(values);
        all.put("cluster-announce-tls-port", wanted);
        return set(live, all);
    }

    /** How many links were re-made and how long it took. */
    record Links(int links, Duration took) {
    }

    /**
     * Waits until every node's links (CLUSTER LINKS, both directions) were all made after {@code since} (the node's
     * clock when it switched) and each node has a link each way with every other: then no link from before remains.
     * A link made after its node switched uses the new transport at that end, and one whose other end had not switched
     * yet is refused at once (a TLS hello is no bus message, a bus message no TLS hello): a link that lasts uses it
     * at both ends. Fails naming the links still old after {@code timeout}.
     */
    static Links awaitLinksSince(List<GroupMember> members, Map<GroupMember, Long> since, Duration timeout) {
        return awaitLinksSince(members, members.size(), since, timeout);
    }

    /** The same for {@code members} of a cluster of {@code clusterSize} nodes. */
    static Links awaitLinksSince(List<GroupMember> members, int clusterSize, Map<GroupMember, Long> since, Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        int expected = clusterSize - 1;
        Map<GroupMember, String> stale = new LinkedHashMap<>();
        while (true) {
            stale.clear();
            int total = 0;
            Map<GroupMember, List<Link>> all = Parallel.map(members, ClusterBus::links);
            for (GroupMember m : members) {
                List<Link> links = all.get(m);
                long old = links.stream().filter(l -> l.createdMs() < since.get(m)).count();
                long to = links.stream().filter(l -> l.outbound() && l.createdMs() >= since.get(m)).count();
                long from = links.stream().filter(l -> !l.outbound() && l.createdMs() >= since.get(m)).count();
                total += links.size();
                if (old > 0 || to < expected || from < expected) {
                    stale.put(m, old + " link(s) from before its switch, " + to + " of " + expected + " outbound and "
                            + from + " of " + expected + " inbound made since");
                }
            }
            if (stale.isEmpty()) {
                return new Links(total, Duration.ofNanos(System.nanoTime() - start));
            }
            if (System.nanoTime() > deadline) {
                throw RedisTlsException.failed("cluster-bus links not all re-established within " + timeout.toSeconds() + " s: "
                        + stale.entrySet().stream().map(e -> e.getKey().label() + ": " + e.getValue()).toList());
            }
            ReplicaLink.sleep(100);
        }
    }

    /** One cluster-bus link as CLUSTER LINKS shows it. */
    record Link(boolean outbound, String node, long createdMs) {
    }

    static List<Link> links(GroupMember m) {
        try (LiveNode live = m.node().connect()) {
            return links(live);
        }
    }

    static List<Link> links(LiveNode live) {
        List<Link> out = new ArrayList<>();
        Object reply = live.cluster("LINKS");
        if (reply instanceof List<?> list) {
            for (Object o : list) {
                Map<String, String> f = pairs(o);
                out.add(new Link("to".equals(f.get("direction")), f.get("node"), Long.parseLong(f.getOrDefault("create-time", "0"))));
            }
        }
        return out;
    }

    /** A flat field/value reply as a map (values of any type as text). */
    static Map<String, String> pairs(Object reply) {
        if (reply instanceof Map<?, ?> map) {
            Map<String, String> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
            return out;
        }
        Map<String, String> out = new LinkedHashMap<>();
        if (reply instanceof List<?> list) {
            for (int i = 0; i + 1 < list.size(); i += 2) {
                out.put(String.valueOf(list.get(i)), String.valueOf(list.get(i + 1)));
            }
        }
        return out;
    }

    /** {@code field:value} lines (CLUSTER INFO) as a map. */
    static Map<String, String> fields(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : text.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                out.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return out;
    }
}
