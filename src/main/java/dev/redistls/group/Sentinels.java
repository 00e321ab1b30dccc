package dev.redistls.group;

import dev.redistls.RedisTlsException;
import dev.redistls.conf.ConfSyntax;
import dev.redistls.conf.RedisConf;
import dev.redistls.group.GroupHosts.GroupMember;
import dev.redistls.host.Host;
import dev.redistls.node.LiveNode;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Sentinel side of a group. Sentinel cannot load TLS settings at run time and rewrites its own config file, so
 * a sentinel's change is: its config edited (the same lossless editor; its {@code sentinel monitor},
 * {@code known-replica} and {@code known-sentinel} lines moved to the ports the nodes now serve on), one restart,
 * and a wait until it has rejoined (sees the master, every replica and the other sentinels) before the next one.
 * With {@code tls-replication yes} a sentinel talks TLS to masters, replicas and other sentinels, and announces its
 * own TLS port in its hello messages.
 */
final class Sentinels {
    static final Duration REJOIN_TIMEOUT = Duration.ofSeconds(60);

    private Sentinels() {
    }

    /** A port move: the node at {@code ip port} (as sentinels name it) is now reached at {@code ip newPort}. */
    record Move(String ip, int port, int newPort) {
    }

    /**
     * The moves for every data node and sentinel as the sentinels see them (their addresses, which differ with the
     * point of view, are read live and matched by run ID): every port a member has now or will have maps to
     * {@code target.apply(member)}.
     */
    static List<Move> moves(List<GroupMember> sentinels, Map<String, GroupMember> byRunId,
                            java.util.function.ToIntFunction<GroupMember> target) {
        List<Move> out = new ArrayList<>();
        for (GroupMember s : sentinels) {
            Optional<LiveNode> live = s.node().connectIfRunning();
            if (live.isEmpty()) {
                continue;
            }
            try (LiveNode l = live.get()) {
                for (Map<String, String> master : maps(l.sentinel("masters"))) {
                    String name = master.get("name");
                    add(out, master, byRunId, target);
                    maps(l.sentinel("replicas", name)).forEach(r -> add(out, r, byRunId, target));
                    maps(l.sentinel("sentinels", name)).forEach(r -> add(out, r, byRunId, target));
                }
            }
        }
        return out;
    }

    private static void add(List<Move> out, Map<String, String> instance, Map<String, GroupMember> byRunId,
                            java.util.function.ToIntFunction<GroupMember> target) {
        GroupMember m = byRunId.get(instance.get("runid"));
        if (m == null) {
            return;
        }
        String ip = instance.get("ip");
        int to = target.applyAsInt(m);
        for (int port : List.of(m.node().plainPort(), m.tlsPort())) {
            if (port != 0 && port != to && out.stream().noneMatch(x -> x.ip().equals(ip) && x.port() == port)) {
                out.add(new Move(ip, port, to));
            }
        }
    }

    /** Edits {@code sentinel monitor|known-replica|known-sentinel NAME IP PORT ...} lines by {@code moves}. */
    static List<String> edit(RedisConf conf, List<Move> moves) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < conf.lineCount(); i++) {
            List<String> w = ConfSyntax.split(conf.line(i));
            if (w == null || w.size() < 5 || !w.get(0).equalsIgnoreCase("sentinel")) {
                continue;
            }
            String sub = w.get(1).toLowerCase(java.util.Locale.ROOT);
            if (!List.of("monitor", "known-replica", "known-slave", "known-sentinel").contains(sub)) {
                continue;
            }
            for (Move m : moves) {
                if (w.get(3).equals(m.ip()) && w.get(4).equals(String.valueOf(m.port()))) {
                    if (!sub.equals("monitor") && hasPeer(conf, sub, w.get(2), m.ip(), m.newPort())) {
                        // Sentinel already learned the peer at its new port: a second line would be a duplicate,
                        // which Sentinel refuses at start.
                        conf.removeLine(i--);
                        out.add(conf.path() + ": dropped sentinel " + sub + " " + w.get(2) + " " + m.ip() + " " + m.port()
                                + " (Sentinel already lists it at port " + m.newPort() + ")");
                        break;
                    }
                    List<String> args = new ArrayList<>(w.subList(1, w.size()));
                    args.set(3, String.valueOf(m.newPort()));
                    conf.replaceLine(i, ConfSyntax.line("sentinel", args));
                    out.add(conf.path() + ": sentinel " + sub + " " + w.get(2) + " " + m.ip() + " " + m.newPort()
                            + " (was port " + m.port() + ")");
                    break;
                }
            }
        }
        return out;
    }

    private static boolean hasPeer(RedisConf conf, String sub, String master, String ip, int port) {
        for (int i = 0; i < conf.lineCount(); i++) {
            List<String> w = ConfSyntax.split(conf.line(i));
            if (w != null && w.size() >= 5 && w.get(0).equalsIgnoreCase("sentinel")
                    && w.get(1).equalsIgnoreCase(sub) && w.get(2).equals(master) && w.get(3).equals(ip)
                    && w.get(4).equals(String.valueOf(port))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Waits until the restarted sentinel sees every master it monitors up, at the ports expected, with its replicas
     * and the other sentinels; returns what it sees, or throws naming what is missing.
     */
    static String awaitRejoin(GroupMember sentinel, int replicas, int otherSentinels, java.util.Set<Integer> masterPorts,
                              Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "not reachable";
        while (System.nanoTime() < deadline) {
            Optional<LiveNode> live;
            try {
                live = sentinel.node().reread().connectIfRunning();
            } catch (RedisTlsException e) {
                live = Optional.empty();
                last = e.getMessage();
            }
            if (live.isPresent()) {
                try (LiveNode l = live.get()) {
                    Optional<String> missing = missing(l, replicas, otherSentinels, masterPorts);
                    if (missing.isEmpty()) {
                        return "rejoined: sees the master, " + replicas + " replica(s) and " + otherSentinels + " other sentinel(s)";
                    }
                    last = missing.get();
                } catch (RedisTlsException e) {
                    last = e.getMessage();
                }
            }
            ReplicaLink.sleep(100);
        }
        throw RedisTlsException.failed(sentinel.label() + " did not rejoin within " + timeout.toSeconds() + " s: " + last);
    }

    private static Optional<String> missing(LiveNode l, int replicas, int otherSentinels, java.util.Set<Integer> masterPorts) {
        List<Map<String, String>> masters = maps(l.sentinel("masters"));
        if (masters.isEmpty()) {
            return Optional.of("it monitors no master");
        }
        for (Map<String, String> m : masters) {
            String name = m.get("name");
            String flags = m.getOrDefault("flags", "");
            if (!flags.equals("master")) {
                return Optional.of("master " + name + " at " + m.get("ip") + ":" + m.get("port") + " has flags " + flags);
            }
            if (!masterPorts.isEmpty() && !masterPorts.contains(Integer.parseInt(m.get("port")))) {
                return Optional.of("master " + name + " is at port " + m.get("port") + ", not " + masterPorts);
            }
            long up = maps(l.sentinel("replicas", name)).stream()
                    .filter(r -> !r.getOrDefault("flags", "").contains("down") && !r.getOrDefault("flags", "").contains("disconnected"))
                    .count();
            if (up < replicas) {
                return Optional.of("it sees " + up + " of " + replicas + " replica(s) of " + name + " up");
            }
            int others = Integer.parseInt(m.getOrDefault("num-other-sentinels", "0"));
            if (others < otherSentinels) {
                return Optional.of("it knows " + others + " of " + otherSentinels + " other sentinel(s)");
            }
        }
        return Optional.empty();
    }

    /**
     * {@code SENTINEL RESET} of every master a sentinel monitors, one sentinel at a time, each rejoining before the
     * next: Sentinel never forgets a replica it once saw, so one it knew at a port that closed (a TLS port after
     * uninstall) would stay listed as down; a reset makes it learn the replicas and sentinels again, live.
     */
    static List<String> reset(List<GroupMember> sentinels, int replicas, java.util.Set<Integer> masterPorts, Duration timeout) {
        List<String> out = new ArrayList<>();
        for (GroupMember s : sentinels) {
            try (LiveNode l = s.node().reread().connect()) {
                for (Map<String, String> m : maps(l.sentinel("masters"))) {
                    l.sentinel("reset", m.get("name"));
                }
            }
            out.add(s.label() + ": SENTINEL RESET (forgets peers at closed ports), "
                    + awaitRejoin(s, replicas, sentinels.size() - 1, masterPorts, timeout));
        }
        return out;
    }

    /** Waits until every sentinel reaches every other one (no link down), e.g. after the last one restarted. */
    static void awaitMesh(List<GroupMember> sentinels, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            last = "";
            for (GroupMember s : sentinels) {
                try (LiveNode l = s.node().reread().connect()) {
                    for (Map<String, String> m : maps(l.sentinel("masters"))) {
                        for (Map<String, String> o : maps(l.sentinel("sentinels", m.get("name")))) {
                            String flags = o.getOrDefault("flags", "");
                            if (flags.contains("down") || flags.contains("disconnected")) {
                                last = s.label() + " sees sentinel " + o.get("ip") + ":" + o.get("port") + " with flags " + flags;
                            }
                        }
                    }
                } catch (RedisTlsException e) {
                    last = e.getMessage();
                }
            }
            if (last.isEmpty()) {
                return;
            }
            ReplicaLink.sleep(100);
        }
        throw RedisTlsException.failed("the sentinels do not all reach each other within " + timeout.toSeconds() + " s: " + last);
    }

    /**
     * Waits until a sentinel's config file has not changed for {@code quiet}: Sentinel rewrites the whole file from
     * memory on its own events (a peer seen down or moved, right after another sentinel restarted), and a rewrite
     * between our edit and the restart would put the old settings back.
     */
    static void awaitQuietConf(GroupMember s, Duration quiet, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        String last = null;
        long since = System.nanoTime();
        while (System.nanoTime() < deadline) {
            byte[] bytes = s.node().reread().conf().bytes();
            String now = bytes.length + ":" + java.util.Arrays.hashCode(bytes);
            if (!now.equals(last)) {
                last = now;
                since = System.nanoTime();
            } else if (System.nanoTime() - since >= quiet.toNanos()) {
                return;
            }
            ReplicaLink.sleep(250);
        }
    }

    /** The command that restarts a sentinel: the inventory's, else its systemd unit's, else a bad input. */
    static String restartCommand(GroupMember s, LiveNode live) {
        if (s.spec().restartCommand() != null) {
            return s.spec().restartCommand();
        }
        Host host = s.host();
        try {
            Host.Execution r = host.run(List.of("ps", "-o", "unit=", "-p", String.valueOf(live.processId())), null,
                    Duration.ofSeconds(10));
            String unit = r.out().strip();
            if (r.ok() && unit.endsWith(".service")) {
                return "systemctl restart " + unit;
            }
        } catch (IOException | RuntimeException e) {
            // no unit to be found: said below
        }
        throw RedisTlsException.badInput(s.label() + ": Sentinel cannot take TLS live and its process is not in a systemd"
                + " unit: give it 'restart-command' in the inventory");
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, String>> maps(Object reply) {
        if (reply instanceof Map<?, ?> single) {
            return List.of((Map<String, String>) single);
        }
        if (reply instanceof List<?> list) {
            List<Map<String, String>> out = new ArrayList<>();
            for (Object o : list) {
                if (o instanceof Map<?, ?> m) {
                    out.add((Map<String, String>) m);
                }
            }
            return out;
        }
        return List.of();
    }

    static Map<String, GroupMember> byRunId(List<GroupMember> members) {
        Map<String, GroupMember> out = new HashMap<>();
        for (GroupMember m : members) {
            m.node().connectIfRunning().ifPresent(l -> {
                try (l) {
                    out.put(l.infoField("run_id"), m);
                }
            });
        }
        return out;
    }
}
