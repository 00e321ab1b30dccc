package dev.redistls.group;

import dev.redistls.RedisTlsException;
import dev.redistls.conf.ConfSyntax;
import dev.redistls.conf.RedisConf;
import dev.redistls.group.GroupHosts.GroupMember;
import dev.redistls.host.Host;
import dev.redistls.node.LiveNode;
import dev.redistls.node.Node;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The Sentinel side of a group. Sentinel cannot load TLS settings at run time and rewrites its own config file, so
 * a sentinel's change is: its config edited (the same lossless editor; its {@code sentinel monitor},
 * {@code known-replica} and {@code known-sentinel} lines moved to the ports the nodes now serve on), one restart,
 * a check that the file kept the edit, and a wait until it has rejoined (it sees the master, every replica and the
 * other sentinels, and they see it at its new port) before the next one.
 * With {@code tls-replication yes} a sentinel talks TLS to masters, replicas and other sentinels, and announces its
 * own TLS port in its hello messages.
 */
final class Sentinels {
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
     * The check a restarted sentinel must pass before its change counts as done (run inside the change, so that a
     * failure puts its files back and restarts it on them): first, its file still holds what was written (Sentinel
     * rewrites its whole file from memory on its own events, and one that lands between our edit and the restart
     * puts the old settings back: then {@link LostEdit}, and the change is made again); then it has rejoined
     * ({@link #awaitRejoin}).
     *
     * @param written what the change wrote ({@link #owned}), known once the config was edited
     */
    static java.util.function.Consumer<LiveNode> afterRestart(GroupMember sentinel, Supplier<Map<String, String>> written,
                                                              List<GroupMember> sentinels, int replicas,
                                                              Set<Integer> masterPorts, Duration timeout,
                                                              java.util.function.Consumer<String> rejoined) {
        return restarted -> {
            Node now = sentinel.node().reread();
            Map<String, String> want = written.get();
            Map<String, String> have = owned(now.conf());
            if (!have.equals(want)) {
                String what = new java.util.TreeSet<>(union(want.keySet(), have.keySet())).stream()
                        .filter(k -> !java.util.Objects.equals(want.get(k), have.get(k)))
                        .map(k -> k + " is " + (have.containsKey(k) ? "'" + have.get(k) + "'" : "absent") + ", not "
                                + (want.containsKey(k) ? "'" + want.get(k) + "'" : "absent"))
                        .collect(java.util.stream.Collectors.joining(", "));
                throw new LostEdit(now.confPath() + now.where() + " after the restart: " + what
                        + " (Sentinel rewrote it from memory between our edit and the restart)");
            }
            rejoined.accept(awaitRejoin(new GroupMember(sentinel.spec(), sentinel.host(), now), sentinels, replicas,
                    masterPorts, timeout));
        };
    }

    /**
     * What a sentinel's change decides in its file, by directive: {@code port}, every {@code tls-*}, and each
     * monitored master's address ({@code sentinel monitor NAME}).
     */
    static Map<String, String> owned(RedisConf conf) {
        Map<String, String> out = new java.util.TreeMap<>();
        for (int i = 0; i < conf.lineCount(); i++) {
            List<String> w = ConfSyntax.split(conf.line(i));
            if (w == null || w.size() < 2) {
                continue;
            }
            String key = w.get(0).toLowerCase(java.util.Locale.ROOT);
            if (key.equals("port") || key.startsWith("tls-")) {
                out.put(key, String.join(" ", w.subList(1, w.size())));
            } else if (key.equals("sentinel") && w.size() >= 5 && w.get(1).equalsIgnoreCase("monitor")) {
                out.put("sentinel monitor " + w.get(2), w.get(3) + " " + w.get(4));
            }
        }
        return out;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> out = new java.util.HashSet<>(a);
        out.addAll(b);
        return out;
    }

    /** A sentinel's file lost our edit before its restart (see {@link #afterRestart}): the change is made again. */
    static final class LostEdit extends RedisTlsException {
        LostEdit(String message) {
            super(FAILED, message);
        }

        /** Whether {@code e} (or what it wraps) is one. */
        static boolean in(Throwable e) {
            return find(e) != null;
        }

        /** Its message, found in what {@code e} wraps. */
        static String message(Throwable e) {
            LostEdit l = find(e);
            return l == null ? e.getMessage() : l.getMessage();
        }

        private static LostEdit find(Throwable e) {
            for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
                if (c instanceof LostEdit l) {
                    return l;
                }
            }
            return null;
        }
    }

    /**
     * Waits until a restarted sentinel has rejoined: it sees every master it monitors up at one of
     * {@code masterPorts} and {@code replicas} replicas up; every other sentinel lists it at the port it now announces
     * (its TLS port with {@code tls-replication yes}: learned only from a hello sent after the restart); and it and
     * the other sentinels that speak what it speaks reach each other. Sentinel has one setting for every link it
     * makes, so while sentinels are restarted one at a time those on TLS and those still in plain text cannot reach
     * each other: each side monitors the master on its own port, and the side that has the majority can fail over.
     * Returns what it sees, or throws naming what is missing.
     */
    static String awaitRejoin(GroupMember sentinel, List<GroupMember> sentinels, int replicas, Set<Integer> masterPorts,
                              Duration timeout) {
        List<GroupMember> others = sentinels.stream().filter(o -> !o.spec().equals(sentinel.spec()))
                .map(o -> new GroupMember(o.spec(), o.host(), o.node().reread())).toList();
        Node node = sentinel.node();
        boolean tls = node.configuredSettings().replication();
        int announced = tls && node.tlsPort() != 0 ? node.tlsPort() : node.plainPort();
        List<GroupMember> sameSide = others.stream().filter(o -> o.node().configuredSettings().replication() == tls).toList();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "not reachable";
        while (System.nanoTime() < deadline) {
            try {
                Optional<String> missing = missing(sentinel, others, sameSide, replicas, masterPorts, announced);
                if (missing.isEmpty()) {
                    return "rejoined: sees the master and " + replicas + " replica(s); reaches " + sameSide.size()
                            + " other sentinel(s)" + (tls ? " over TLS" : "") + (sameSide.size() < others.size()
                            ? " (" + (others.size() - sameSide.size()) + " still " + (tls ? "in plain text" : "on TLS")
                            + " until their turn)" : "") + "; all know it at port " + announced;
                }
                last = missing.get();
            } catch (RedisTlsException e) {
                last = e.getMessage();
            }
            ReplicaLink.sleep(100);
        }
        throw RedisTlsException.failed(sentinel.label() + " did not rejoin within " + timeout.toSeconds() + " s: " + last);
    }

    private static Optional<String> missing(GroupMember sentinel, List<GroupMember> others, List<GroupMember> sameSide,
                                            int replicas, Set<Integer> masterPorts, int announced) {
        Map<GroupMember, String> ids = new java.util.LinkedHashMap<>();
        for (GroupMember o : others) {
            Optional<LiveNode> peer = o.node().connectIfRunning();
            if (peer.isEmpty()) {
                return Optional.of(o.label() + " does not answer");
            }
            try (LiveNode p = peer.get()) {
                ids.put(o, String.valueOf(p.sentinel("myid")));
            }
        }
        String myid;
        List<String> names = new ArrayList<>();
        Optional<LiveNode> live = sentinel.node().connectIfRunning();
        if (live.isEmpty()) {
            return Optional.of("it does not answer");
        }
        try (LiveNode l = live.get()) {
            myid = String.valueOf(l.sentinel("myid"));
            List<Map<String, String>> masters = maps(l.sentinel("masters"));
            if (masters.isEmpty()) {
                return Optional.of("it monitors no master");
            }
            for (Map<String, String> m : masters) {
                String name = m.get("name");
                names.add(name);
                String flags = m.getOrDefault("flags", "");
                if (!flags.equals("master")) {
                    return Optional.of("master " + name + " at " + m.get("ip") + ":" + m.get("port") + " has flags " + flags);
                }
                if (!masterPorts.isEmpty() && !masterPorts.contains(Integer.parseInt(m.get("port")))) {
                    return Optional.of("master " + name + " is at port " + m.get("port") + ", not " + masterPorts);
                }
                long up = maps(l.sentinel("replicas", name)).stream().filter(r -> connected(r.get("flags"))).count();
                if (up < replicas) {
                    return Optional.of("it sees " + up + " of " + replicas + " replica(s) of " + name + " up");
                }
                List<Map<String, String>> peers = maps(l.sentinel("sentinels", name));
                for (GroupMember o : sameSide) {
                    Optional<Map<String, String>> seen = peers.stream().filter(x -> ids.get(o).equals(x.get("runid"))).findFirst();
                    if (seen.isEmpty() || !connected(seen.get().get("flags"))) {
                        return Optional.of("it does not reach " + o.label() + seen.map(x -> " (flags " + x.get("flags") + ")").orElse(""));
                    }
                }
            }
        }
        for (GroupMember o : others) {
            try (LiveNode p = o.node().connect()) {
                for (String name : names) {
                    Optional<Map<String, String>> me = maps(p.sentinel("sentinels", name)).stream()
                            .filter(x -> myid.equals(x.get("runid"))).findFirst();
                    if (me.isEmpty()) {
                        return Optional.of(o.label() + " does not know it");
                    }
                    if (!String.valueOf(announced).equals(me.get().get("port"))) {
                        return Optional.of(o.label() + " knows it at port " + me.get().get("port") + ", not yet at "
                                + announced);
                    }
                    if (sameSide.contains(o) && !connected(me.get().get("flags"))) {
                        return Optional.of(o.label() + " does not reach it (flags " + me.get().get("flags") + ")");
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** Waits until every sentinel sees at least {@code replicas} replicas of each master it monitors, connected. */
    static void awaitReplicas(List<GroupMember> sentinels, int replicas, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            last = "";
            for (GroupMember s : sentinels) {
                try (LiveNode l = s.node().reread().connect()) {
                    for (Map<String, String> m : maps(l.sentinel("masters"))) {
                        long up = maps(l.sentinel("replicas", m.get("name"))).stream().filter(r -> connected(r.get("flags"))).count();
                        if (up < replicas) {
                            last = s.label() + " sees " + up + " of " + replicas + " replica(s) of " + m.get("name") + " up";
                        }
                    }
                } catch (RedisTlsException e) {
                    last = e.getMessage();
                }
            }
            if (last.isEmpty()) {
                return;
            }
            ReplicaLink.sleep(200);
        }
        throw RedisTlsException.failed("the sentinels do not all list the new replica within " + timeout.toSeconds()
                + " s: " + last + " (Sentinel learns replicas from the master every 10 s)");
    }

    private static boolean connected(String flags) {
        return flags != null && !flags.contains("down") && !flags.contains("disconnected");
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
                            if (!connected(o.get("flags"))) {
                                last = s.label() + " sees sentinel " + o.get("ip") + ":" + o.get("port") + " with flags "
                                        + o.get("flags");
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
     * The clients on a sentinel's plain port (what {@link dev.redistls.install.PlaintextGate} finds for a data node;
     * a sentinel has no CONFIG command, so its ports come from its file), other sentinels' links left out: they move
     * with the rollout. Empty when the port is closed or the sentinel is down.
     */
    static List<dev.redistls.node.ClientConnections.Connection> plaintextClients(GroupMember s) {
        Node node = s.node();
        Optional<LiveNode> live = node.plainPort() == 0 ? Optional.empty() : node.connectIfRunning();
        if (live.isEmpty()) {
            return List.of();
        }
        try (LiveNode l = live.get()) {
            return l.clients(node.plainPort(), node.tlsPort()).plaintext().stream()
                    .filter(c -> !c.name().startsWith("sentinel-")).toList();
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
